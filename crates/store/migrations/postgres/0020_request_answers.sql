-- When the hosts answered a request, and how long it waited for them, so
-- a person waiting can read how long this group's hosts usually take. Set
-- when a pending request is approved, waitlisted, declined or blocked;
-- the wait runs from the (latest) asking, which `created_at` does not
-- keep for a request asked again. Earlier answers are unknown: the measure
-- starts empty. Kept in lockstep with ../sqlite/0020_request_answers.sql.

ALTER TABLE join_requests ADD COLUMN answered_at BIGINT;
ALTER TABLE join_requests ADD COLUMN answer_wait BIGINT;
CREATE INDEX join_requests_answered ON join_requests (group_id, answered_at);
