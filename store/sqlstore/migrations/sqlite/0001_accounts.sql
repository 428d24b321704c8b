-- Accounts and their password credentials.
--
-- Written for the default table prefix masuk_; sqlstore.MigrationSQL
-- renders it for another prefix. Times are Unix microseconds (UTC) in
-- INTEGER columns: exact, and ordered as numbers. There is no CHECK on
-- state: the store validates it, and later states need no table rebuild.

CREATE TABLE masuk_accounts (
    id               TEXT    NOT NULL PRIMARY KEY,
    realm            TEXT    NOT NULL,
    username         TEXT    NOT NULL,
    display_username TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    phone            TEXT    NOT NULL DEFAULT '',
    state            TEXT    NOT NULL,
    security_stamp   TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- Usernames and non-empty emails are unique within a realm.
CREATE UNIQUE INDEX masuk_accounts_realm_username_key
    ON masuk_accounts (realm, username);
CREATE UNIQUE INDEX masuk_accounts_realm_email_key
    ON masuk_accounts (realm, email) WHERE email <> '';

CREATE TABLE masuk_credentials (
    account_id TEXT    NOT NULL PRIMARY KEY
                       REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL,
    changed_at INTEGER NOT NULL
);
