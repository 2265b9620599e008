-- Nothing to change here: on SQLite this migration puts the directory's
-- filters into the full-text index as words (see
-- ../sqlite/0013_search_facets.sql); PostgreSQL keeps its own plans.
-- Kept so that both backends have the same migrations.
SELECT 1;
