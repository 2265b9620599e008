-- Threaded comments under resources and stories, by members (under their
-- handle) or by guests (under a name they give, with an address that is
-- confirmed by mail and never shown). A deleted comment with replies keeps
-- its row, blanked, so the thread holds together. Kept in lockstep with
-- ../sqlite/0023_comments.sql.

-- Guests who comment without an account: part of the mail system, like
-- accounts' addresses. `email` is normalised and appears on no page, feed,
-- API answer or log.
CREATE TABLE guests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    confirmed_at BIGINT,
    -- Replies to this guest's comments are mailed unless they said no.
    reply_mail BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Its public, random id: its permalink.
    public_id TEXT NOT NULL UNIQUE,
    resource_id BIGINT REFERENCES resources (id) ON DELETE CASCADE,
    story_id BIGINT REFERENCES stories (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    -- For a reply, the comment on the page its thread starts from, so a
    -- page of threads is read in one range; NULL on a comment on the page.
    root_id BIGINT,
    -- 0 for a comment on the page itself.
    depth BIGINT NOT NULL,
    author_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    guest_id BIGINT REFERENCES guests (id) ON DELETE SET NULL,
    guest_name TEXT,
    -- A host may point to a group they host, listed on kith.
    group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    -- unconfirmed (a guest's, until their address is confirmed), held
    -- (for review), published, hidden (by a moderator) or deleted.
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    CHECK ((resource_id IS NULL) <> (story_id IS NULL))
);
CREATE INDEX comments_by_resource ON comments (resource_id, id);
CREATE INDEX comments_by_story ON comments (story_id, id);
CREATE INDEX comments_by_parent ON comments (parent_id);
CREATE INDEX comments_by_root ON comments (root_id, id);
CREATE INDEX comments_by_author ON comments (author_id, created_at);
CREATE INDEX comments_by_guest ON comments (guest_id, created_at);
CREATE INDEX comments_by_status ON comments (status, id);

-- A guest's links: `confirm` (single use: confirms the address and queues
-- `comment_id`) and `unsubscribe` (in each reply mail: no more of them).
-- Only the SHA-256 is kept.
CREATE TABLE guest_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    guest_id BIGINT NOT NULL REFERENCES guests (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX guest_tokens_by_expiry ON guest_tokens (expires_at);

-- Whether a member is mailed when someone answers their comment.
ALTER TABLE notification_preferences ADD COLUMN comment_replies BOOLEAN NOT NULL DEFAULT TRUE;
