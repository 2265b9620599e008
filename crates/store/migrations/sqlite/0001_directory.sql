-- The directory: accounts (handles only, for now), groups with their private
-- fields, hosts, schedule rules, materialized occurrences and full-text search.
-- Kept in lockstep with ../postgres/0001_directory.sql.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    description TEXT NOT NULL,
    agreements TEXT NOT NULL,
    facilitation_style TEXT NOT NULL,
    facilitation_description TEXT NOT NULL,
    focus_mask INTEGER NOT NULL,
    attribute_mask INTEGER NOT NULL,
    format TEXT NOT NULL,
    language TEXT NOT NULL,
    language_primary TEXT NOT NULL,
    country TEXT,
    region TEXT,
    city TEXT,
    region_key TEXT,
    city_key TEXT,
    capacity INTEGER,
    time_zone TEXT NOT NULL,
    status TEXT NOT NULL,
    search_text TEXT NOT NULL,
    call_link TEXT,
    dial_in TEXT,
    street_address TEXT,
    occurrences_until INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX groups_by_status_country_city ON groups (status, country, city_key);
CREATE INDEX groups_by_status_language ON groups (status, language_primary);
CREATE INDEX groups_by_occurrences_until ON groups (occurrences_until);

CREATE TABLE group_hosts (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_hosts_by_account ON group_hosts (account_id);

CREATE TABLE schedule_rules (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    weekdays INTEGER NOT NULL,
    local_time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT
);
CREATE INDEX schedule_rules_by_group ON schedule_rules (group_id, position);

CREATE TABLE occurrences (
    id TEXT PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    rule_id INTEGER NOT NULL REFERENCES schedule_rules (id) ON DELETE CASCADE,
    local_start TEXT NOT NULL,
    -- The group's sort_name, copied so the directory's order (next meeting,
    -- then name, then group) is one index and a page stops after its rows.
    sort_name TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    UNIQUE (rule_id, local_start)
);
CREATE INDEX occurrences_by_start ON occurrences (starts_at, sort_name, group_id, ends_at, id);
CREATE INDEX occurrences_by_group ON occurrences (group_id, starts_at, ends_at, id);

CREATE VIRTUAL TABLE groups_fts USING fts5 (
    search_text,
    content = 'groups',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0',
    -- Short prefixes ("we*") read one list instead of merging every word
    -- that starts with them.
    prefix = '1 2 3'
);
CREATE TRIGGER groups_fts_insert AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER groups_fts_delete AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER groups_fts_update AFTER UPDATE OF search_text ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO groups_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
