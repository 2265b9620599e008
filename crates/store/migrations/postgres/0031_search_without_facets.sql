-- Nothing to change here: on SQLite this migration takes the directory's
-- filters out of the full-text index again (see
-- ../sqlite/0031_search_without_facets.sql). Kept so that both backends
-- have the same migrations.
SELECT 1;
