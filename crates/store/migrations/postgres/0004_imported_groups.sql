-- Groups imported from another site's Meeting Guide feed have no host here;
-- `source_url` is their original listing. Kept in lockstep with
-- ../sqlite/0004_imported_groups.sql.

ALTER TABLE groups ADD COLUMN source_url TEXT;
