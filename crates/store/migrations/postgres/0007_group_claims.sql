-- A person asks to host an imported group ("this is my group"); a
-- moderator approves (they become its host) or declines. Decided claims are
-- deleted; the audit log keeps the decision. Kept in lockstep with
-- ../sqlite/0007_group_claims.sql.

CREATE TABLE group_claims (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (group_id, account_id)
);
CREATE INDEX group_claims_by_time ON group_claims (created_at, id);
