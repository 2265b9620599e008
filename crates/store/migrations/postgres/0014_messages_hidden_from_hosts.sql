-- What a blocked person writes after the block: kept, so their own thread
-- reads as after a decline, but never shown to the hosts. Kept in lockstep
-- with ../sqlite/0014_messages_hidden_from_hosts.sql.

ALTER TABLE request_messages ADD COLUMN hidden_from_hosts BIGINT NOT NULL DEFAULT 0;
