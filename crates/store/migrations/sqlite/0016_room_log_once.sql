-- A client's command is in a room's log at most once: the same id sent
-- from two tabs at the same moment was applied twice. Earlier duplicates
-- keep their place under an id of their own. And a closed room stays
-- closed: a command that arrives as it closes writes nothing after its
-- log was deleted. Kept in lockstep with ../postgres/0016_room_log_once.sql.

UPDATE room_log SET client_id = client_id || '#' || seq
WHERE EXISTS (
    SELECT 1 FROM room_log earlier
    WHERE earlier.occurrence_id = room_log.occurrence_id
      AND earlier.actor = room_log.actor
      AND earlier.client_id = room_log.client_id
      AND earlier.seq < room_log.seq
);
DROP INDEX room_log_by_client;
CREATE UNIQUE INDEX room_log_by_client ON room_log (occurrence_id, actor, client_id);

CREATE TABLE room_closures (
    occurrence_id TEXT PRIMARY KEY REFERENCES occurrences (id) ON DELETE CASCADE,
    closed_at INTEGER NOT NULL
);
