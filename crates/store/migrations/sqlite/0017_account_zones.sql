-- The reader's time zone kept on their account, so mails (reminders, a
-- moved meeting) give times in the recipient's zone and pages follow it
-- when the browser names none. NULL until known: set from the browser's
-- zone at registration or login, or chosen on /me. Kept in lockstep with
-- ../postgres/0017_account_zones.sql.

ALTER TABLE accounts ADD COLUMN time_zone TEXT;
