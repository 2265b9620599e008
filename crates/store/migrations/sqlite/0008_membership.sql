-- Joining groups: each group's join settings; one request per person and
-- group, which is the membership too; the private thread of each request;
-- invitation links; answers to "will you come?". Kept in lockstep with
-- ../postgres/0008_membership.sql.

ALTER TABLE groups ADD COLUMN join_policy TEXT NOT NULL DEFAULT 'approval';
ALTER TABLE groups ADD COLUMN join_question TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN publish_call_link INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN members_visible INTEGER NOT NULL DEFAULT 0;

-- `state_changed_at` orders the waitlist: first come, first to move up.
CREATE TABLE join_requests (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    state_changed_at INTEGER NOT NULL,
    UNIQUE (group_id, account_id)
);
CREATE INDEX join_requests_by_group ON join_requests (group_id, state, state_changed_at, id);
CREATE INDEX join_requests_by_account ON join_requests (account_id, state);

-- A host who deletes their account leaves their messages, unsigned.
CREATE TABLE request_messages (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES join_requests (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    from_host INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX request_messages_by_request ON request_messages (request_id, id);

-- Only the token's SHA-256 is kept; `public_id` names the link to revoke.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX invitations_by_group ON invitations (group_id, created_at);

CREATE TABLE rsvps (
    occurrence_id TEXT NOT NULL REFERENCES occurrences (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    attending INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, account_id)
);
CREATE INDEX rsvps_by_account ON rsvps (account_id);
