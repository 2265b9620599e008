-- The mailing list (issue 21): interests admins edit, signup forms they
-- place, subscribers confirmed by double opt-in with their consent
-- recorded, single-purpose links, addresses that asked never to be mailed
-- again (kept only as a hash), and letters sent through the outbox. Every
-- address here is part of the mail system, like accounts' and guests':
-- it appears on no public page, feed, API answer or log. Kept in lockstep
-- with ../sqlite/0029_newsletter.sql.

-- "Please send me info on (check all that apply)". A retired interest is
-- offered no more but stays, so old consents and letters still read.
CREATE TABLE newsletter_interests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stable, for the API and imports: lowercase words joined by hyphens.
    code TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    position BIGINT NOT NULL,
    retired_at BIGINT,
    created_at BIGINT NOT NULL
);

-- The signup forms: `newsletter` (its own page), `home` and `resources`
-- (beside every resource page). `shown` places it; the `newsletter` page
-- always shows its form. A form may offer a resource's file as a free
-- download once the address is confirmed.
CREATE TABLE newsletter_forms (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement TEXT NOT NULL UNIQUE,
    shown BOOLEAN NOT NULL DEFAULT FALSE,
    download_resource_id BIGINT REFERENCES resources (id) ON DELETE SET NULL,
    -- The words in force: the latest row of newsletter_form_versions.
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every version of a form's words ever shown, so a consent says exactly
-- what the person agreed to.
CREATE TABLE newsletter_form_versions (
    form_id BIGINT NOT NULL REFERENCES newsletter_forms (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    heading TEXT NOT NULL,
    intro TEXT NOT NULL,
    consent TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- One row per address. Unconfirmed rows expire (`expires_at`) and are
-- pruned; nothing but the confirmation is ever sent to them. A member's
-- subscription names their account and goes when the account does.
CREATE TABLE subscribers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Normalised (as accounts'); never shown, never logged.
    email TEXT NOT NULL UNIQUE,
    first_name TEXT,
    account_id BIGINT UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    expires_at BIGINT,
    -- The consent: when, how (`form`, `account`, `import`, `import_attested`),
    -- and through which form's words.
    consent_at BIGINT NOT NULL,
    consent_source TEXT NOT NULL,
    consent_form_id BIGINT REFERENCES newsletter_forms (id) ON DELETE SET NULL,
    consent_form_version BIGINT
);
CREATE INDEX subscribers_unconfirmed ON subscribers (expires_at) WHERE confirmed_at IS NULL;

CREATE TABLE subscriber_interests (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    interest_id BIGINT NOT NULL REFERENCES newsletter_interests (id) ON DELETE CASCADE,
    PRIMARY KEY (subscriber_id, interest_id)
);
CREATE INDEX subscriber_interests_by_interest ON subscriber_interests (interest_id, subscriber_id);

-- Letters admins and editors write in Markdown. `audience` is `any` or
-- `all` of letter_interests (no interest chosen: every confirmed
-- subscriber). A letter is queued once: `queued_at` is set in the same
-- transaction that writes its outbox rows, one per recipient. The counts
-- are kept as mail is sent, so they outlive the outbox's pruning.
CREATE TABLE letters (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    audience TEXT NOT NULL,
    author_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- NULL: a draft. Set: sent from then (queued by the first instance
    -- that sees it due).
    send_at BIGINT,
    queued_at BIGINT,
    recipients BIGINT NOT NULL DEFAULT 0,
    sent BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    unsubscribed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX letters_due ON letters (send_at) WHERE queued_at IS NULL AND send_at IS NOT NULL;

CREATE TABLE letter_interests (
    letter_id BIGINT NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    interest_id BIGINT NOT NULL REFERENCES newsletter_interests (id) ON DELETE CASCADE,
    PRIMARY KEY (letter_id, interest_id)
);

-- Single-purpose links, kept as SHA-256 only: `confirm` (once, expires),
-- `manage` (each letter's link to change interests or unsubscribe, and its
-- one-click unsubscribe; names the letter so unsubscribes are counted per
-- letter), `download` (the free file of the form confirmed).
CREATE TABLE subscriber_tokens (
    token_hash TEXT PRIMARY KEY,
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    letter_id BIGINT REFERENCES letters (id) ON DELETE SET NULL,
    resource_id BIGINT REFERENCES resources (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX subscriber_tokens_by_subscriber ON subscriber_tokens (subscriber_id);
CREATE INDEX subscriber_tokens_by_expiry ON subscriber_tokens (expires_at);

-- Addresses that unsubscribed: the row in `subscribers` is deleted, only
-- this hash (SHA-256 of the normalised address) stays, so an import or a
-- list bought elsewhere cannot sign them up again without their new
-- confirmation.
CREATE TABLE newsletter_suppressions (
    email_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- A letter's mail names its letter and its subscriber: the bodies are
-- drawn from the letter when sent (one copy, not 100,000), and an
-- unsubscribe takes the subscriber's unsent letters with it.
ALTER TABLE outbox ADD COLUMN letter_id BIGINT REFERENCES letters (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN subscriber_id BIGINT REFERENCES subscribers (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX outbox_letter_once ON outbox (letter_id, subscriber_id) WHERE letter_id IS NOT NULL;
CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id) WHERE subscriber_id IS NOT NULL;

-- The three forms, shown nowhere until an admin places them (the
-- newsletter page always has its own), with words to start from.
INSERT INTO newsletter_forms (placement, shown, version, updated_at) VALUES
    ('newsletter', TRUE, 1, 0), ('home', FALSE, 1, 0), ('resources', FALSE, 1, 0);
INSERT INTO newsletter_form_versions (form_id, version, heading, intro, consent, created_at)
SELECT id, 1, 'Hear from us', 'Occasional letters about groups, events and coming off psychiatric drugs safely.', 'I agree to receive these letters by email. I can unsubscribe from any letter in one click.', 0 FROM newsletter_forms;
INSERT INTO newsletter_interests (code, label, position, created_at) VALUES
    ('coming-off', 'Coming off', 1, 0),
    ('staying-off', 'Staying off', 2, 0),
    ('supporting-someone', 'Supporting someone', 3, 0),
    ('hearing-voices', 'Hearing voices', 4, 0),
    ('new-groups', 'New groups near me', 5, 0),
    ('events', 'Events', 6, 0);
