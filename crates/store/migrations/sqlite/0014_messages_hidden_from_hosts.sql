-- What a blocked person writes after the block: kept, so their own thread
-- reads as after a decline, but never shown to the hosts. Kept in lockstep
-- with ../postgres/0014_messages_hidden_from_hosts.sql.

ALTER TABLE request_messages ADD COLUMN hidden_from_hosts INTEGER NOT NULL DEFAULT 0;
