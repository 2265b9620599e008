-- Which groups changed, for each kith instance's in-memory directory index
-- (crates/store/src/directory_index.rs): a trigger adds a row whenever
-- something the directory shows or filters on changes, whoever writes it
-- (a page, an import in another process, a migration), and every instance
-- reads the rows after the ones it has seen and reads those groups again.
--
-- New meetings are not recorded one by one: every statement that adds
-- meetings is in a transaction that also writes their group's row (a new
-- group, or its `occurrences_until`), which is recorded. Meetings changed
-- (cancelled, moved) or deleted (pruned, replanned) are.
--
-- Sequence numbers are in commit order: SQLite has one writer at a time.
-- Rows older than an hour are deleted by the instances.

CREATE TABLE directory_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id INTEGER NOT NULL,
    changed_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE INDEX directory_changes_by_time ON directory_changes (changed_at);

CREATE TRIGGER directory_group_added AFTER INSERT ON groups BEGIN
    INSERT INTO directory_changes (group_id) VALUES (new.id);
END;
CREATE TRIGGER directory_group_changed AFTER UPDATE OF
    slug, name, sort_name, format, focus_mask, attribute_mask, language, language_primary,
    country, region, city, region_key, city_key, time_zone, status, search_text, occurrences_until
ON groups BEGIN
    INSERT INTO directory_changes (group_id) VALUES (new.id);
END;
CREATE TRIGGER directory_group_removed AFTER DELETE ON groups BEGIN
    INSERT INTO directory_changes (group_id) VALUES (old.id);
END;
CREATE TRIGGER directory_meeting_changed AFTER UPDATE OF starts_at, ends_at, cancelled
ON occurrences BEGIN
    INSERT INTO directory_changes (group_id) VALUES (new.group_id);
END;
CREATE TRIGGER directory_meeting_removed AFTER DELETE ON occurrences BEGIN
    INSERT INTO directory_changes (group_id) VALUES (old.group_id);
END;
