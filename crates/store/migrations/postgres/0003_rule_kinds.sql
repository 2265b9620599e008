-- Schedule rules beyond weekly: every N weeks from an anchor date, the nth
-- weekday of a month, and one-off dates. `kind` names which columns apply.
-- Kept in lockstep with ../sqlite/0003_rule_kinds.sql.

ALTER TABLE schedule_rules ADD COLUMN interval_weeks BIGINT;
ALTER TABLE schedule_rules ADD COLUMN anchor_date TEXT;
ALTER TABLE schedule_rules ADD COLUMN month_weeks BIGINT;
ALTER TABLE schedule_rules ADD COLUMN on_date TEXT;
