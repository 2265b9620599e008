-- Pages of the site's own words that admins edit, such as "About this
-- site" (`about`); without a row the text shipped with kith is shown.
-- Kept in lockstep with ../postgres/0018_site_pages.sql.

CREATE TABLE site_pages (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
