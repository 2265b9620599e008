-- A person's own calendar feed (`/me/calendar.ics?token=…`): one token per
-- account, stored as its SHA-256, replaced when regenerated, deleted when
-- turned off. Kept in lockstep with ../postgres/0006_calendar_tokens.sql.

CREATE TABLE calendar_tokens (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
