-- Server-side sessions (store.Sessions). Listing a realm's accounts
-- (store.AccountLister) needs no new index on SQLite: the unique indexes
-- of 0001_accounts on (realm, username) and (realm, email) use the BINARY
-- collation, which orders bytewise.
--
-- A session: hash is a hash of the cookie's secret, never the secret;
-- stamp the account's security stamp when it began; data a JSON object of
-- strings, NULL when empty. Times are Unix microseconds (UTC). account_id
-- has no foreign key, as a token's has none: the contract lets a session
-- name any account (CreateSession has no ErrNotFound).
--
-- Times are by the caller's clock, and liveness (idle_until and
-- expires_at both after the time asked about) is checked on every read.
-- idle_until is at most expires_at. No index covers the times that
-- TouchSession writes; Store.PruneSessions, run now and then, scans the
-- table once. The index on account_id serves an account's list, its cap
-- of live sessions and the deletion of its sessions.

CREATE TABLE masuk_sessions (
    selector     TEXT    NOT NULL PRIMARY KEY,
    account_id   TEXT    NOT NULL,
    realm        TEXT    NOT NULL,
    hash         BLOB    NOT NULL,
    stamp        TEXT    NOT NULL,
    client_addr  TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_until   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    data         TEXT
);

CREATE INDEX masuk_sessions_account_id_idx
    ON masuk_sessions (account_id);
