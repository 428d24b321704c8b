-- Second factors (store.Factors), recovery codes (store.Recovery),
-- remembered devices (store.Devices) and one-time tokens (store.Tokens).
-- Codes, device secrets and token secrets are kept hashed, never as they
-- were sent; a TOTP secret is kept sealed. NULL is none.
--
-- Times are by the caller's clock, and expiry is checked on every read.
-- Expired devices and tokens stay until Store.PruneDevices and
-- Store.PruneTokens delete them, or, for devices, until the account
-- remembers another.

-- A factor: secret is the sealed TOTP secret (NULL for the other kinds),
-- last_step the highest time step accepted, confirmed_at NULL while the
-- enrollment is in progress.
CREATE TABLE masuk_factors (
    id           text        PRIMARY KEY,
    account_id   text        NOT NULL
                             REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    kind         text        NOT NULL,
    label        text        NOT NULL DEFAULT '',
    secret       bytea,
    algorithm    text        NOT NULL DEFAULT '',
    digits       integer     NOT NULL DEFAULT 0,
    period       integer     NOT NULL DEFAULT 0,
    last_step    bigint      NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    confirmed_at timestamptz
);

CREATE INDEX masuk_factors_account_id_idx
    ON masuk_factors (account_id);

-- An account's set of recovery codes: one row for the set, one per
-- unused code, deleted when it is used.
CREATE TABLE masuk_recovery_sets (
    account_id text        PRIMARY KEY
                           REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL
);

CREATE TABLE masuk_recovery_codes (
    account_id text  NOT NULL
                     REFERENCES masuk_recovery_sets (account_id) ON DELETE CASCADE,
    hash       bytea NOT NULL,
    PRIMARY KEY (account_id, hash)
);

-- A remembered device: hash is a hash of the cookie's secret, stamp the
-- account's security stamp when it was remembered.
CREATE TABLE masuk_devices (
    selector   text        PRIMARY KEY,
    account_id text        NOT NULL
                           REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    hash       bytea       NOT NULL,
    stamp      text        NOT NULL,
    label      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX masuk_devices_account_id_expires_at_idx
    ON masuk_devices (account_id, expires_at);
CREATE INDEX masuk_devices_expires_at_idx
    ON masuk_devices (expires_at);

-- A token: hash is a hash of the secret; data a JSON object of strings,
-- as text (jsonb cannot hold every string). An account holds at most one
-- token per purpose: the unique index decides it, and a new token
-- replaces the old in its row. account_id has no foreign key: the
-- contract lets a token name any account, and a token of a deleted
-- account can only expire.
CREATE TABLE masuk_tokens (
    selector     text        PRIMARY KEY,
    account_id   text        NOT NULL,
    purpose      text        NOT NULL,
    hash         bytea       NOT NULL,
    data         text,
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL,
    issued_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);

CREATE UNIQUE INDEX masuk_tokens_account_id_purpose_key
    ON masuk_tokens (account_id, purpose);
CREATE INDEX masuk_tokens_expires_at_idx
    ON masuk_tokens (expires_at);
