-- Which groups changed, for each kith instance's in-memory directory index
-- (crates/store/src/directory_index.rs); see ../sqlite/0030 for what is
-- recorded and why new meetings are not recorded one by one.
--
-- Here every change also notifies `kith_directory` (delivered at commit,
-- once per transaction however many rows), so the other instances read the
-- changes within milliseconds. Sequence numbers are taken before commit,
-- so a later commit may hold an earlier number: readers go by the writing
-- transaction's id (`xid`) instead, reading again every change from the
-- oldest transaction that was still running when they last read.

CREATE TABLE directory_changes (
    seq BIGSERIAL PRIMARY KEY,
    group_id BIGINT NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at BIGINT NOT NULL DEFAULT extract(epoch FROM now())::bigint
);
CREATE INDEX directory_changes_by_xid ON directory_changes (xid);
CREATE INDEX directory_changes_by_time ON directory_changes (changed_at);

CREATE FUNCTION directory_group_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO directory_changes (group_id) VALUES (OLD.id);
    ELSE
        INSERT INTO directory_changes (group_id) VALUES (NEW.id);
    END IF;
    PERFORM pg_notify('kith_directory', '');
    RETURN NULL;
END;
$$;

CREATE FUNCTION directory_meeting_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO directory_changes (group_id) VALUES (OLD.group_id);
    ELSE
        INSERT INTO directory_changes (group_id) VALUES (NEW.group_id);
    END IF;
    PERFORM pg_notify('kith_directory', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER directory_group_added AFTER INSERT ON groups
    FOR EACH ROW EXECUTE FUNCTION directory_group_changed();
CREATE TRIGGER directory_group_changed AFTER UPDATE OF
    slug, name, sort_name, format, focus_mask, attribute_mask, language, language_primary,
    country, region, city, region_key, city_key, time_zone, status, search_text, occurrences_until
ON groups FOR EACH ROW EXECUTE FUNCTION directory_group_changed();
CREATE TRIGGER directory_group_removed AFTER DELETE ON groups
    FOR EACH ROW EXECUTE FUNCTION directory_group_changed();
CREATE TRIGGER directory_meeting_changed AFTER UPDATE OF starts_at, ends_at, cancelled
ON occurrences FOR EACH ROW EXECUTE FUNCTION directory_meeting_changed();
CREATE TRIGGER directory_meeting_removed AFTER DELETE ON occurrences
    FOR EACH ROW EXECUTE FUNCTION directory_meeting_changed();
