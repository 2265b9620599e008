-- The resource library: pages editors write in Markdown, with tags and an
-- optional downloadable file kept in the database (so a backup and every
-- instance hold it). Kept in lockstep with ../postgres/0021_resources.sql.

CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    -- NULL while a draft only editors see.
    published_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX resources_by_published ON resources (published_at, id);
