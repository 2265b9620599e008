-- Each schedule rule's public, random id: the UID of its series in
-- calendars. UIDs were made of the internal rule id and the group's slug,
-- and slugs are made of group names, which calendar providers sync and
-- index; a random id says nothing about the group and stays the same
-- across refreshes and downloads. Kept in lockstep with
-- ../postgres/0015_calendar_series_ids.sql.

ALTER TABLE schedule_rules ADD COLUMN public_id TEXT;
UPDATE schedule_rules SET public_id = lower(hex(randomblob(16)));
