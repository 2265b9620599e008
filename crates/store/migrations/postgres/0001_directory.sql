-- The directory: accounts (handles only, for now), groups with their private
-- fields, hosts, schedule rules, materialized occurrences and full-text search.
-- Kept in lockstep with ../sqlite/0001_directory.sql. Text that is sorted
-- uses the "C" collation so both backends order identically.

CREATE TABLE accounts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE groups (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sort_name TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    agreements TEXT NOT NULL,
    facilitation_style TEXT NOT NULL,
    facilitation_description TEXT NOT NULL,
    focus_mask BIGINT NOT NULL,
    attribute_mask BIGINT NOT NULL,
    format TEXT NOT NULL,
    language TEXT NOT NULL,
    language_primary TEXT NOT NULL,
    country TEXT,
    region TEXT,
    city TEXT,
    region_key TEXT,
    city_key TEXT,
    capacity BIGINT,
    time_zone TEXT NOT NULL,
    status TEXT NOT NULL,
    search_text TEXT NOT NULL,
    search_vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    call_link TEXT,
    dial_in TEXT,
    street_address TEXT,
    occurrences_until BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX groups_by_status_country_city ON groups (status, country, city_key);
CREATE INDEX groups_by_status_language ON groups (status, language_primary);
CREATE INDEX groups_by_occurrences_until ON groups (occurrences_until);
CREATE INDEX groups_search ON groups USING GIN (search_vector);

CREATE TABLE group_hosts (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_hosts_by_account ON group_hosts (account_id);

CREATE TABLE schedule_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    weekdays BIGINT NOT NULL,
    local_time TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    first_date TEXT,
    last_date TEXT
);
CREATE INDEX schedule_rules_by_group ON schedule_rules (group_id, position);

CREATE TABLE occurrences (
    id TEXT COLLATE "C" PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    rule_id BIGINT NOT NULL REFERENCES schedule_rules (id) ON DELETE CASCADE,
    local_start TEXT NOT NULL,
    -- The group's sort_name, copied so the directory's order (next meeting,
    -- then name, then group) is one index and a page stops after its rows.
    sort_name TEXT COLLATE "C" NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    UNIQUE (rule_id, local_start)
);
CREATE INDEX occurrences_by_start ON occurrences (starts_at, sort_name, group_id, ends_at, id);
CREATE INDEX occurrences_by_group ON occurrences (group_id, starts_at, ends_at, id);
