-- Accounts with credentials and roles; sessions; the one-time setup link;
-- the moderation of listings with its change log and audit log; the safety
-- text. Kept in lockstep with ../postgres/0002_accounts.sql.

ALTER TABLE accounts ADD COLUMN handle_key TEXT;
UPDATE accounts SET handle_key = lower(handle);
CREATE UNIQUE INDEX accounts_by_handle_key ON accounts (handle_key);
-- Normalised; NULL for accounts that cannot log in (demo hosts).
ALTER TABLE accounts ADD COLUMN email TEXT;
CREATE UNIQUE INDEX accounts_by_email ON accounts (email);
ALTER TABLE accounts ADD COLUMN password_hash TEXT;
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'member';

-- Only the token's SHA-256 is kept: a copy of this table opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    idle_seconds INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- What the host sees about the last moderation decision.
ALTER TABLE groups ADD COLUMN review_note TEXT;
ALTER TABLE groups ADD COLUMN submitted_at INTEGER;
CREATE INDEX groups_by_status_submitted ON groups (status, submitted_at);

-- Public text changed while a group was listed, for moderators to read.
CREATE TABLE group_changes (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    changed_at INTEGER NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX group_changes_by_time ON group_changes (changed_at, id);

-- Every moderation and admin action. The actor's handle is copied so the
-- record survives the account.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    actor_handle TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at, id);

-- The crisis page, per country ("default" for everyone else); without a row
-- the text shipped with kith is shown.
CREATE TABLE safety_texts (
    country TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
