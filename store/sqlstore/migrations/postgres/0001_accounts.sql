-- Accounts and their password credentials.
--
-- Written for the default table prefix masuk_; sqlstore.MigrationSQL
-- renders it for another prefix. There is no CHECK on state: the store
-- validates it, and later states need no table change.

CREATE TABLE masuk_accounts (
    id               text        PRIMARY KEY,
    realm            text        NOT NULL,
    username         text        NOT NULL,
    display_username text        NOT NULL DEFAULT '',
    email            text        NOT NULL DEFAULT '',
    phone            text        NOT NULL DEFAULT '',
    state            text        NOT NULL,
    security_stamp   text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- Usernames and non-empty emails are unique within a realm.
CREATE UNIQUE INDEX masuk_accounts_realm_username_key
    ON masuk_accounts (realm, username);
CREATE UNIQUE INDEX masuk_accounts_realm_email_key
    ON masuk_accounts (realm, email) WHERE email <> '';

CREATE TABLE masuk_credentials (
    account_id text        PRIMARY KEY
                           REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    hash       text        NOT NULL,
    changed_at timestamptz NOT NULL
);
