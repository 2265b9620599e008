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

-- A resource's tags, normalised (lowercase words joined by hyphens); the
-- index and the feed filter by them.
CREATE TABLE resource_tags (
    resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (resource_id, tag)
);
CREATE INDEX resource_tags_by_tag ON resource_tags (tag, resource_id);

-- The one file a resource may offer (a PDF or an EPUB, told by its bytes),
-- kept in the database. `sha256` (hex) is its ETag.
CREATE TABLE resource_files (
    resource_id BIGINT PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL
);
