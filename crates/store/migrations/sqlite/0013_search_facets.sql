-- The directory's filters as words in SQLite's full-text index, so that a
-- search with words and filters ("cameras", phone meetings) is one
-- intersection of lists in the index instead of a look at every group
-- with the words: at a million groups, 370 ms to find that no phone group
-- mentions cameras.
--
-- Each facet is one word: a private-use character (U+E000, which
-- domain::text::tokens never keeps, so no searched word can reach it), a
-- two-letter kind and the value in hex (one word whatever the value holds).
-- crates/store/src/search.rs builds the same words for a search. The masks
-- take one word per bit set, for the first 16 focus bits and 32 attribute
-- bits. PostgreSQL is unchanged (../postgres/0013_search_facets.sql).
--
-- A virtual column: computed when read, so the index can be rebuilt from
-- the table and nothing else has to keep it.

ALTER TABLE groups ADD COLUMN search_facets TEXT GENERATED ALWAYS AS (
        char(57344) || 'fm' || hex(format)
        || ' ' || char(57344) || 'la' || hex(language)
        || ' ' || char(57344) || 'lp' || hex(language_primary)
        || ' ' || char(57344) || 'co' || hex(country)
        || ' ' || char(57344) || 're' || hex(region_key)
        || ' ' || char(57344) || 'ci' || hex(city_key)
        || ' ' || CASE WHEN focus_mask & 1 THEN char(57344) || 'fo0' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 2 THEN char(57344) || 'fo1' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 4 THEN char(57344) || 'fo2' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 8 THEN char(57344) || 'fo3' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 16 THEN char(57344) || 'fo4' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 32 THEN char(57344) || 'fo5' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 64 THEN char(57344) || 'fo6' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 128 THEN char(57344) || 'fo7' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 256 THEN char(57344) || 'fo8' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 512 THEN char(57344) || 'fo9' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 1024 THEN char(57344) || 'fo10' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 2048 THEN char(57344) || 'fo11' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 4096 THEN char(57344) || 'fo12' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 8192 THEN char(57344) || 'fo13' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 16384 THEN char(57344) || 'fo14' ELSE '' END
        || ' ' || CASE WHEN focus_mask & 32768 THEN char(57344) || 'fo15' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 1 THEN char(57344) || 'at0' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 2 THEN char(57344) || 'at1' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 4 THEN char(57344) || 'at2' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 8 THEN char(57344) || 'at3' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 16 THEN char(57344) || 'at4' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 32 THEN char(57344) || 'at5' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 64 THEN char(57344) || 'at6' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 128 THEN char(57344) || 'at7' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 256 THEN char(57344) || 'at8' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 512 THEN char(57344) || 'at9' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 1024 THEN char(57344) || 'at10' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 2048 THEN char(57344) || 'at11' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 4096 THEN char(57344) || 'at12' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 8192 THEN char(57344) || 'at13' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 16384 THEN char(57344) || 'at14' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 32768 THEN char(57344) || 'at15' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 65536 THEN char(57344) || 'at16' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 131072 THEN char(57344) || 'at17' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 262144 THEN char(57344) || 'at18' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 524288 THEN char(57344) || 'at19' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 1048576 THEN char(57344) || 'at20' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 2097152 THEN char(57344) || 'at21' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 4194304 THEN char(57344) || 'at22' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 8388608 THEN char(57344) || 'at23' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 16777216 THEN char(57344) || 'at24' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 33554432 THEN char(57344) || 'at25' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 67108864 THEN char(57344) || 'at26' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 134217728 THEN char(57344) || 'at27' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 268435456 THEN char(57344) || 'at28' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 536870912 THEN char(57344) || 'at29' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 1073741824 THEN char(57344) || 'at30' ELSE '' END
        || ' ' || CASE WHEN attribute_mask & 2147483648 THEN char(57344) || 'at31' ELSE '' END
) VIRTUAL;

DROP TRIGGER groups_fts_insert;
DROP TRIGGER groups_fts_delete;
DROP TRIGGER groups_fts_update;
DROP TABLE groups_fts;

CREATE VIRTUAL TABLE groups_fts USING fts5 (
    search_text,
    search_facets,
    content = 'groups',
    content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M* So'",
    detail = none,
    prefix = '2 3'
);
INSERT INTO groups_fts (groups_fts) VALUES ('rebuild');

CREATE TRIGGER groups_fts_insert AFTER INSERT ON groups BEGIN
    INSERT INTO groups_fts (rowid, search_text, search_facets)
    VALUES (new.id, new.search_text, new.search_facets);
END;
CREATE TRIGGER groups_fts_delete AFTER DELETE ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text, search_facets)
    VALUES ('delete', old.id, old.search_text, old.search_facets);
END;
CREATE TRIGGER groups_fts_update AFTER UPDATE OF
    search_text, format, language, language_primary, country, region_key, city_key,
    focus_mask, attribute_mask
ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text, search_facets)
    VALUES ('delete', old.id, old.search_text, old.search_facets);
    INSERT INTO groups_fts (rowid, search_text, search_facets)
    VALUES (new.id, new.search_text, new.search_facets);
END;
