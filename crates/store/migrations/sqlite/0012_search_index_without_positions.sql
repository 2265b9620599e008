-- The full-text index keeps which groups hold a word, not where in their
-- text: the directory asks only "has every word (as a prefix)", never for a
-- phrase, a NEAR or a ranking. Without positions (`detail = none`) the index
-- is smaller and an import of 100,000 groups spends 0.65 s less in it.
--
-- Marks (M*) and other symbols (So) are word characters here, so that every
-- word domain::text::tokens makes — letters and digits in Rust's sense,
-- which include vowel signs and circled letters — stays one word in the
-- index: a quoted word the index split in two would be a phrase, which an
-- index without positions may refuse (SQLite 3.40 does). PostgreSQL's tsvector is unchanged
-- (../postgres/0012_search_index_without_positions.sql does nothing).

DROP TRIGGER groups_fts_insert;
DROP TRIGGER groups_fts_delete;
DROP TRIGGER groups_fts_update;
DROP TABLE groups_fts;

CREATE VIRTUAL TABLE groups_fts USING fts5 (
    search_text,
    content = 'groups',
    content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M* So'",
    detail = none,
    -- Short prefixes ("we*") read one list instead of merging every word
    -- that starts with them. Not one letter: a search for words starting
    -- with "w" is rare, and its list cost a sixth of the index's writes.
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
