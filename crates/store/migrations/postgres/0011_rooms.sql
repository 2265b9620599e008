-- The live rooms: each meeting's room is the sequence of commands applied
-- to it, with the events they caused, in one total order per meeting
-- (`seq`); a restarted or second instance rebuilds a room by replaying
-- them. When a room closes its log is deleted; only the aggregates a host
-- chose to keep remain. Kept in lockstep with ../sqlite/0011_rooms.sql.

CREATE TABLE room_log (
    occurrence_id TEXT NOT NULL REFERENCES occurrences (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    actor TEXT NOT NULL,
    client_id TEXT NOT NULL,
    command TEXT NOT NULL,
    events TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (occurrence_id, seq)
);
CREATE INDEX room_log_by_client ON room_log (occurrence_id, actor, client_id);

-- What remains of a closed room: never who said what, or for how long.
CREATE TABLE room_summaries (
    occurrence_id TEXT PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    present BIGINT NOT NULL,
    spoken_seconds BIGINT NOT NULL,
    closed_at BIGINT NOT NULL
);

-- Each group's room: how long a turn is, how long before and after the
-- meeting the room is open, and whether its aggregates are kept.
ALTER TABLE groups ADD COLUMN room_turn_seconds BIGINT NOT NULL DEFAULT 180;
ALTER TABLE groups ADD COLUMN room_opens_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE groups ADD COLUMN room_closes_minutes BIGINT NOT NULL DEFAULT 30;
ALTER TABLE groups ADD COLUMN room_keep_totals BIGINT NOT NULL DEFAULT 0;
