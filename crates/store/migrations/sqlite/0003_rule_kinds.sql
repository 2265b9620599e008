-- Schedule rules beyond weekly: every N weeks from an anchor date, the nth
-- weekday of a month, and one-off dates. `kind` names which columns apply.
-- Kept in lockstep with ../postgres/0003_rule_kinds.sql.

ALTER TABLE schedule_rules ADD COLUMN interval_weeks INTEGER;
ALTER TABLE schedule_rules ADD COLUMN anchor_date TEXT;
ALTER TABLE schedule_rules ADD COLUMN month_weeks INTEGER;
ALTER TABLE schedule_rules ADD COLUMN on_date TEXT;
