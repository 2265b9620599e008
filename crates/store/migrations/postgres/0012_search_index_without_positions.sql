-- Nothing to change here: on SQLite this migration drops word positions
-- from the full-text index (see ../sqlite/0012_search_index_without_positions.sql).
-- PostgreSQL's tsvector already serves "has every word" from its GIN index.
-- Kept so that both backends have the same migrations.
SELECT 1;
