-- Visitors without an account report too (issue 20: "anyone may report"):
-- a report's reporter may be nobody. SQLite cannot drop a NOT NULL, so the
-- table is made again with every column, key and index as it was; the one
-- open report per reporter and target (`reports_open_once`) then binds
-- members only, as NULLs never collide. Nothing refers to `reports`. Kept
-- in lockstep with ../postgres/0025_visitor_reports.sql.

CREATE TABLE reports_new (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    -- NULL for a visitor. Deleting the reporter's account deletes the
    -- reports they made.
    reporter_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    target_ref TEXT NOT NULL,
    author_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    excerpt TEXT NOT NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT,
    decision_note TEXT,
    decided_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    decided_at INTEGER,
    suspended_until INTEGER,
    appeal_text TEXT,
    appealed_at INTEGER,
    appeal_excluded_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    appeal_outcome TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO reports_new (id, public_id, reporter_id, target_kind, target_id, target_ref,
    author_id, excerpt, reason, details, status, decision, decision_note, decided_by,
    decided_at, suspended_until, appeal_text, appealed_at, appeal_excluded_id,
    appeal_outcome, created_at)
SELECT id, public_id, reporter_id, target_kind, target_id, target_ref,
    author_id, excerpt, reason, details, status, decision, decision_note, decided_by,
    decided_at, suspended_until, appeal_text, appealed_at, appeal_excluded_id,
    appeal_outcome, created_at
FROM reports;
DROP TABLE reports;
ALTER TABLE reports_new RENAME TO reports;
CREATE UNIQUE INDEX reports_open_once ON reports (reporter_id, target_kind, target_id, target_ref)
    WHERE status = 'open';
CREATE INDEX reports_by_status ON reports (status, created_at);
CREATE INDEX reports_by_author ON reports (author_id);
