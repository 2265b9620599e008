-- Reports and blocks (issue 20): anyone logged in reports a listing, a
-- room message, a person, a story or a comment; moderators decide, the
-- author may appeal once; members block one another. Kept in lockstep
-- with ../postgres/0024_reports_and_blocks.sql.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    -- Its public, random id (`/moderation/reports/{id}`, the appeal link).
    public_id TEXT NOT NULL UNIQUE,
    -- Deleting the reporter's account deletes the reports they made.
    reporter_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- group, room_message, person, story or comment.
    target_kind TEXT NOT NULL,
    -- The target's internal id (groups.id, accounts.id, stories.id,
    -- comments.id; a room message's number in its room).
    target_id INTEGER NOT NULL,
    -- A room message's meeting (occurrences.id); '' for other kinds.
    target_ref TEXT NOT NULL,
    -- Whom it is about: told the outcome, may appeal, may be suspended.
    author_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- What the reporter saw, so a moderator reads it even once a room's
    -- log is gone.
    excerpt TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    -- open, decided, appealed or closed.
    status TEXT NOT NULL,
    decision TEXT,
    decision_note TEXT,
    decided_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    decided_at INTEGER,
    suspended_until INTEGER,
    appeal_text TEXT,
    appealed_at INTEGER,
    -- The moderator who decided first may not decide the appeal.
    appeal_excluded_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    appeal_outcome TEXT,
    created_at INTEGER NOT NULL
);
-- One open report per person and target: a second is the first.
CREATE UNIQUE INDEX reports_open_once ON reports (reporter_id, target_kind, target_id, target_ref)
    WHERE status = 'open';
CREATE INDEX reports_by_status ON reports (status, created_at);
CREATE INDEX reports_by_author ON reports (author_id);

-- Overdue reports are mailed to the admins once a day: a day's row says it
-- was done, whichever instance did it.
CREATE TABLE report_digests (
    day INTEGER PRIMARY KEY,
    sent_at INTEGER NOT NULL
);

-- A suspended account cannot log in or act until then.
ALTER TABLE accounts ADD COLUMN suspended_until INTEGER;

-- A member blocks another: the blocked cannot write to the blocker, and
-- the blocker no longer reads the blocked one's comments and stories.
CREATE TABLE blocks (
    blocker_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);
