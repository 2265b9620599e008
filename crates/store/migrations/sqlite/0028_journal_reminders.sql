-- The daily journal reminder (issue 22): off by default; on, it goes out
-- at a local time of the member's choosing (`HH:MM`, read in the zone
-- kept on their account). It lives beside the other mail preferences, so
-- its one-click unsubscribe turns it off as theirs do; the time stays when
-- it is turned off, to be offered again. Each local day's reminder is
-- claimed in `journal_reminders_sent` before its mail is written, so it
-- goes out once even with several instances. Kept in lockstep with
-- ../postgres/0028_journal_reminders.sql.

ALTER TABLE notification_preferences ADD COLUMN journal_reminder BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notification_preferences ADD COLUMN journal_reminder_at TEXT;

CREATE TABLE journal_reminders_sent (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The member's local day the reminder was for (`YYYY-MM-DD`).
    day TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
);
CREATE INDEX journal_reminders_sent_by_time ON journal_reminders_sent (sent_at);
