-- The directory's filters leave SQLite's full-text index again (migration
-- 0013 put them there as words): searches are answered from each
-- instance's in-memory index (crates/store/src/directory_index.rs), and the
-- database's own query, used only while that index is first built, needs
-- nothing but the words.

DROP TRIGGER groups_fts_insert;
DROP TRIGGER groups_fts_delete;
DROP TRIGGER groups_fts_update;
DROP TABLE groups_fts;
ALTER TABLE groups DROP COLUMN search_facets;

CREATE VIRTUAL TABLE groups_fts USING fts5 (
    search_text,
    content = 'groups',
    content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M* So'",
    detail = none,
    prefix = '2 3'
);
INSERT INTO groups_fts (groups_fts) VALUES ('rebuild');

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
