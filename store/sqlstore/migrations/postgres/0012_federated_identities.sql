-- Federated identities (store.Federation): an account's identities at
-- OpenID Connect providers, one row each, keyed by the realm and the
-- provider's issuer and subject (its "iss" and "sub"), compared byte for
-- byte. An account has at most one identity of each issuer, which the
-- unique index on (account_id, issuer) enforces, and serves listing an
-- account's identities. last_used_at is NULL until the identity first
-- logs in.
CREATE TABLE masuk_federated_identities (
    realm        text        NOT NULL,
    issuer       text        NOT NULL,
    subject      text        NOT NULL,
    account_id   text        NOT NULL
                             REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    PRIMARY KEY (realm, issuer, subject)
);

CREATE UNIQUE INDEX masuk_federated_identities_account_id_issuer_idx
    ON masuk_federated_identities (account_id, issuer);
