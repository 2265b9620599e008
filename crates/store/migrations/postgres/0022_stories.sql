-- Members' stories: written by a member, read by everyone once a moderator
-- publishes them, shown under the author's handle or as an anonymous
-- member. Deleting the account deletes its stories. Kept in lockstep with
-- ../sqlite/0022_stories.sql.

CREATE TABLE stories (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Its public, random id (`/stories/{id}`, a comment's permalink).
    public_id TEXT NOT NULL UNIQUE,
    author_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    anonymous BIGINT NOT NULL,
    -- pending, published, declined, withdrawn or hidden.
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX stories_by_status ON stories (status, id);
CREATE INDEX stories_by_author ON stories (author_id);
