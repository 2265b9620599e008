-- A guest's choice to have replies mailed counts once their address is
-- confirmed: a confirmation link carries the choice made on its comment's
-- form, and following it sets `guests.reply_mail`. Anyone can type an
-- address, so an unconfirmed comment must not turn someone's reply mail
-- back on after they unsubscribed (or off). Kept in lockstep with
-- ../sqlite/0026_guest_reply_choice.sql.

-- 1 or 0 on `confirm` links; NULL on `unsubscribe` links.
ALTER TABLE guest_tokens ADD COLUMN reply_mail BIGINT;
