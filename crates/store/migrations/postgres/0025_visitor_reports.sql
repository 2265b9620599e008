-- Visitors without an account report too (issue 20: "anyone may report"):
-- a report's reporter may be nobody (NULL). The one open report per
-- reporter and target (`reports_open_once`) then binds members only, as
-- NULLs never collide. Kept in lockstep with
-- ../sqlite/0025_visitor_reports.sql, which makes the table again.

ALTER TABLE reports ALTER COLUMN reporter_id DROP NOT NULL;
