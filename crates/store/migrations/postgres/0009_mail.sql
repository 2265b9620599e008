-- Mail and the account lifecycle: the outbox the background sender drains,
-- single-use account tokens (email verification, password reset), one-click
-- unsubscribe tokens, notification preferences, and when an account's email
-- was verified. Kept in lockstep with ../sqlite/0009_mail.sql.

-- NULL until the person follows the link mailed to them. Staff accounts
-- made by operators count as verified: the operator vouched for them.
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT;
UPDATE accounts SET email_verified_at = created_at
    WHERE role IN ('admin', 'moderator') AND email IS NOT NULL;

-- One row per mail. The recipient is an account, whose address is read when
-- the mail is sent (so a changed address is honoured and a deleted account
-- takes its mail with it), or an explicit address (a new address being
-- verified, with its account). Bodies are blanked once the mail is sent or
-- given up: they may hold single-use links.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    address TEXT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    unsubscribe_url TEXT,
    -- The random left part of the Message-ID, the same on every attempt.
    message_key TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    not_before BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- A sender's lease: nobody else sends this row before then.
    claimed_until BIGINT,
    sent_at BIGINT,
    gave_up_at BIGINT,
    last_error TEXT,
    CHECK (account_id IS NOT NULL OR address IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox (not_before, id)
    WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX outbox_by_account ON outbox (account_id);

-- Single-use links: `verify_email` (for `email`, the address it proves) and
-- `password_reset`. Only the SHA-256 is kept; a token works only while
-- `email` is still the address it was sent for (or is being verified).
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX account_tokens_by_account ON account_tokens (account_id, purpose);
CREATE INDEX account_tokens_by_expiry ON account_tokens (expires_at);

-- One-click unsubscribe (RFC 8058): each non-essential mail carries its own
-- token, which turns off one category for one account.
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX unsubscribe_tokens_by_account ON unsubscribe_tokens (account_id);
CREATE INDEX unsubscribe_tokens_by_time ON unsubscribe_tokens (created_at);

-- Without a row, the defaults: every reminder and notice on, group names
-- kept out of subjects.
CREATE TABLE notification_preferences (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    reminder_24h BOOLEAN NOT NULL DEFAULT TRUE,
    reminder_1h BOOLEAN NOT NULL DEFAULT TRUE,
    announcements BOOLEAN NOT NULL DEFAULT TRUE,
    meeting_changes BOOLEAN NOT NULL DEFAULT TRUE,
    group_names_in_subjects BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);
