-- The private journal and taper log (issue 22), sealed at rest: every word
-- and number a member writes is in a `sealed` column (XChaCha20-Poly1305
-- under the journal's own data key); only days, times and counts are in
-- clear. See docs/journal.md. Kept in lockstep with
-- ../postgres/0027_journal.sql.

-- One journal per account, its data key stored only wrapped. A `*_salt`
-- holds the Argon2id parameters and salt (`m=…,t=…,p=…$<hex>`), so raising
-- the cost later keeps old wraps opening. A password reset by mail cannot
-- re-wrap: it clears the password wrap, and the recovery code opens it.
CREATE TABLE journals (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    password_salt TEXT,
    password_wrapped BLOB,
    recovery_salt TEXT NOT NULL,
    recovery_wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    recovery_confirmed_at INTEGER
);

-- The data key for one session, wrapped by a key derived from the
-- session's raw token, of which the database keeps only a hash. Ending the
-- session (logout, expiry, "log out everywhere") deletes it.
CREATE TABLE journal_session_keys (
    session_token_hash TEXT PRIMARY KEY REFERENCES sessions (token_hash) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES journals (account_id) ON DELETE CASCADE,
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX journal_session_keys_by_account ON journal_session_keys (account_id);

-- Days are days since 1970-01-01, in clear for order and ranges.
CREATE TABLE journal_checkins (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES journals (account_id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX journal_checkins_by_day ON journal_checkins (account_id, day);

CREATE TABLE journal_medicines (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES journals (account_id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX journal_medicines_by_account ON journal_medicines (account_id);

CREATE TABLE journal_doses (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES journals (account_id) ON DELETE CASCADE,
    medicine_id INTEGER NOT NULL REFERENCES journal_medicines (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX journal_doses_by_medicine ON journal_doses (medicine_id, day);
CREATE INDEX journal_doses_by_account ON journal_doses (account_id);
