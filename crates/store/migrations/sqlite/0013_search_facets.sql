-- The directory's filters as words in SQLite's full-text index, so that a
-- search with words and filters ("cameras", phone meetings) is one
-- intersection of lists inside the index instead of a look at every group
-- with the words: at a million groups, 370 ms to find that no phone group
-- mentions cameras.
--
-- Each facet is a word of one private-use character (U+E000–U+F1FF), which
-- domain::text::tokens never keeps, so no searched word reaches one; and a
-- one-character word adds nothing to the 2- and 3-character prefix
-- indexes. Format, primary language and country are hashed from their
-- first three characters into ranges of their own; focus and attribute
-- bits have a character each (16 and 32 of them). A hash may put two values
-- on one character: the index then narrows less, and the search's own
-- filters, which always run, still decide. crates/store/src/search.rs
-- (`facet_query`) computes the same characters. Region, city and the full
-- language tag are left to those filters. PostgreSQL is unchanged
-- (../postgres/0013_search_facets.sql).
--
-- A virtual column: computed when read, so the index can be rebuilt from
-- the table and nothing else has to keep it. One `char()` of every word and
-- space (a bit not set is one more space): joining the words with `||`
-- allocated once per word: about half a second of an import of 100,000
-- groups.

ALTER TABLE groups ADD COLUMN search_facets TEXT GENERATED ALWAYS AS (char(
    57344 + (coalesce(unicode(substr(format, 1, 1)), 0) * 961 + coalesce(unicode(substr(format, 2, 1)), 0) * 31 + coalesce(unicode(substr(format, 3, 1)), 0)) % 256, 32,
    57856 + (coalesce(unicode(substr(language_primary, 1, 1)), 0) * 961 + coalesce(unicode(substr(language_primary, 2, 1)), 0) * 31 + coalesce(unicode(substr(language_primary, 3, 1)), 0)) % 2048, 32,
    CASE WHEN country IS NULL THEN 32 ELSE 59904 + (coalesce(unicode(substr(country, 1, 1)), 0) * 961 + coalesce(unicode(substr(country, 2, 1)), 0) * 31 + coalesce(unicode(substr(country, 3, 1)), 0)) % 2048 END, 32,
    CASE WHEN focus_mask & 1 THEN 57600 ELSE 32 END, 32,
    CASE WHEN focus_mask & 2 THEN 57601 ELSE 32 END, 32,
    CASE WHEN focus_mask & 4 THEN 57602 ELSE 32 END, 32,
    CASE WHEN focus_mask & 8 THEN 57603 ELSE 32 END, 32,
    CASE WHEN focus_mask & 16 THEN 57604 ELSE 32 END, 32,
    CASE WHEN focus_mask & 32 THEN 57605 ELSE 32 END, 32,
    CASE WHEN focus_mask & 64 THEN 57606 ELSE 32 END, 32,
    CASE WHEN focus_mask & 128 THEN 57607 ELSE 32 END, 32,
    CASE WHEN focus_mask & 256 THEN 57608 ELSE 32 END, 32,
    CASE WHEN focus_mask & 512 THEN 57609 ELSE 32 END, 32,
    CASE WHEN focus_mask & 1024 THEN 57610 ELSE 32 END, 32,
    CASE WHEN focus_mask & 2048 THEN 57611 ELSE 32 END, 32,
    CASE WHEN focus_mask & 4096 THEN 57612 ELSE 32 END, 32,
    CASE WHEN focus_mask & 8192 THEN 57613 ELSE 32 END, 32,
    CASE WHEN focus_mask & 16384 THEN 57614 ELSE 32 END, 32,
    CASE WHEN focus_mask & 32768 THEN 57615 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 1 THEN 57664 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 2 THEN 57665 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 4 THEN 57666 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 8 THEN 57667 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 16 THEN 57668 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 32 THEN 57669 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 64 THEN 57670 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 128 THEN 57671 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 256 THEN 57672 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 512 THEN 57673 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 1024 THEN 57674 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 2048 THEN 57675 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 4096 THEN 57676 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 8192 THEN 57677 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 16384 THEN 57678 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 32768 THEN 57679 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 65536 THEN 57680 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 131072 THEN 57681 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 262144 THEN 57682 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 524288 THEN 57683 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 1048576 THEN 57684 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 2097152 THEN 57685 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 4194304 THEN 57686 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 8388608 THEN 57687 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 16777216 THEN 57688 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 33554432 THEN 57689 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 67108864 THEN 57690 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 134217728 THEN 57691 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 268435456 THEN 57692 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 536870912 THEN 57693 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 1073741824 THEN 57694 ELSE 32 END, 32,
    CASE WHEN attribute_mask & 2147483648 THEN 57695 ELSE 32 END, 32
)) VIRTUAL;

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
    search_text, format, language_primary, country, focus_mask, attribute_mask
ON groups BEGIN
    INSERT INTO groups_fts (groups_fts, rowid, search_text, search_facets)
    VALUES ('delete', old.id, old.search_text, old.search_facets);
    INSERT INTO groups_fts (rowid, search_text, search_facets)
    VALUES (new.id, new.search_text, new.search_facets);
END;
