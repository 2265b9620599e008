-- A host may cancel one meeting, with a note for members and calendars, or
-- move it to another local date and time (`moved_to`); it keeps its id. The
-- refresher keeps both when it recomputes times. The directory's indexes
-- carry the flag so its walks stay index-only. Kept in lockstep with
-- ../sqlite/0005_cancelled_meetings.sql.

ALTER TABLE occurrences ADD COLUMN cancelled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE occurrences ADD COLUMN note TEXT;
ALTER TABLE occurrences ADD COLUMN moved_to TEXT;
DROP INDEX occurrences_by_start;
CREATE INDEX occurrences_by_start ON occurrences (starts_at, sort_name, group_id, ends_at, id, cancelled);
DROP INDEX occurrences_by_group;
CREATE INDEX occurrences_by_group ON occurrences (group_id, starts_at, ends_at, id, cancelled);
