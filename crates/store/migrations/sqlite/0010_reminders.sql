-- Reminders before meetings that were written to the outbox, so each goes
-- out once per person, meeting and kind, even with several instances.
-- Kept in lockstep with ../postgres/0010_reminders.sql.

CREATE TABLE reminders_sent (
    occurrence_id TEXT NOT NULL REFERENCES occurrences (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, account_id, kind)
);
CREATE INDEX reminders_sent_by_account ON reminders_sent (account_id);
