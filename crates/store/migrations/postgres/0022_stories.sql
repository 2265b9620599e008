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
    updated_at BIGINT NOT NULL,
    -- When it last went to the review queue (written, edited, resubmitted).
    submitted_at BIGINT NOT NULL DEFAULT 0,
    -- When a moderator first published it: the list's order.
    published_at BIGINT,
    -- The moderator's note when they declined it (or a revision of it).
    review_note TEXT,
    -- Counts every change, so a decision applies only to the text the
    -- moderator read (compare-and-set). Both defaults let rows written
    -- with the first columns only (fixtures) still go in.
    version BIGINT NOT NULL DEFAULT 0,
    -- An edit of a published story waits here for review while the
    -- published text stays visible; all three are set or none.
    revision_title TEXT,
    revision_body TEXT,
    revision_anonymous BIGINT
);
CREATE INDEX stories_by_status ON stories (status, id);
CREATE INDEX stories_by_author ON stories (author_id);
CREATE INDEX stories_by_publication ON stories (status, published_at, id);
