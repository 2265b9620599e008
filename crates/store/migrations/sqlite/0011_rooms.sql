-- The live rooms: each meeting's room is the sequence of commands applied
-- to it, with the events they caused, in one total order per meeting
-- (`seq`); a restarted or second instance rebuilds a room by replaying
-- them. When a room closes its log is deleted; only the aggregates a host
-- chose to keep remain. Kept in lockstep with ../postgres/0011_rooms.sql.

CREATE TABLE room_log (
    occurrence_id TEXT NOT NULL REFERENCES occurrences (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    actor TEXT NOT NULL,
    client_id TEXT NOT NULL,
    command TEXT NOT NULL,
    events TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, seq)
);
CREATE INDEX room_log_by_client ON room_log (occurrence_id, actor, client_id);

-- What remains of a closed room: never who said what, or for how long.
CREATE TABLE room_summaries (
    occurrence_id TEXT PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    present INTEGER NOT NULL,
    spoken_seconds INTEGER NOT NULL,
    closed_at INTEGER NOT NULL
);

-- Each group's room: how long a turn is, how long before and after the
-- meeting the room is open, and whether its aggregates are kept.
ALTER TABLE groups ADD COLUMN room_turn_seconds INTEGER NOT NULL DEFAULT 180;
ALTER TABLE groups ADD COLUMN room_opens_minutes INTEGER NOT NULL DEFAULT 15;
ALTER TABLE groups ADD COLUMN room_closes_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE groups ADD COLUMN room_keep_totals INTEGER NOT NULL DEFAULT 0;
