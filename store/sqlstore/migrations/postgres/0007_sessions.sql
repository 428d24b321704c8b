-- Server-side sessions (store.Sessions) and the indexes that list a
-- realm's accounts (store.AccountLister).
--
-- A session: hash is a hash of the cookie's secret, never the secret;
-- stamp the account's security stamp when it began; data a JSON object of
-- strings, as text like a token's data, NULL when empty. account_id has
-- no foreign key, as a token's has none: the contract lets a session name
-- any account (CreateSession has no ErrNotFound).
--
-- Times are by the caller's clock, and liveness (idle_until and
-- expires_at both after the time asked about) is checked on every read.
-- idle_until is at most expires_at. TouchSession updates last_seen_at and
-- idle_until, which no index covers, so that the touches of busy
-- sessions stay HOT (no index entry per touch), with room left in each
-- page for them; Store.PruneSessions, run now and then, scans the table
-- once. The index on account_id serves an account's list, its cap of
-- live sessions and the deletion of its sessions.

CREATE TABLE masuk_sessions (
    selector     text        PRIMARY KEY,
    account_id   text        NOT NULL,
    realm        text        NOT NULL,
    hash         bytea       NOT NULL,
    stamp        text        NOT NULL,
    client_addr  text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    idle_until   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    data         text
) WITH (fillfactor = 80);

CREATE INDEX masuk_sessions_account_id_idx
    ON masuk_sessions (account_id);

-- ListAccounts orders usernames bytewise, and matches the beginning of a
-- username or email by a bytewise range: in the "C" collation, which the
-- unique indexes of 0001_accounts (in the database's collation) may not
-- have. Building them locks the accounts table against writes for as
-- long as it takes.
CREATE INDEX masuk_accounts_realm_username_c_idx
    ON masuk_accounts (realm, username COLLATE "C");
CREATE INDEX masuk_accounts_realm_email_c_idx
    ON masuk_accounts (realm, email COLLATE "C") WHERE email <> '';
