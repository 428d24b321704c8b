-- Federated identities (store.Federation): an account's identities at
-- OpenID Connect providers, one row each, keyed by the realm and the
-- provider's issuer and subject (its "iss" and "sub"), compared byte for
-- byte (BINARY). An account has at most one identity of each issuer,
-- which the unique index on (account_id, issuer) enforces, and serves
-- listing an account's identities. Times are Unix microseconds (UTC);
-- last_used_at is NULL until the identity first logs in.
CREATE TABLE masuk_federated_identities (
    realm        TEXT    NOT NULL,
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    account_id   TEXT    NOT NULL
                         REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    PRIMARY KEY (realm, issuer, subject)
);

CREATE UNIQUE INDEX masuk_federated_identities_account_id_issuer_idx
    ON masuk_federated_identities (account_id, issuer);
