-- The resource library: pages editors write in Markdown, with tags and an
-- optional downloadable file kept in the database (so a backup and every
-- instance hold it). Kept in lockstep with ../sqlite/0021_resources.sql.

CREATE TABLE resources (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- NULL while a draft only editors see.
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX resources_by_published ON resources (published_at, id);
