-- Passkeys (store.Passkeys): WebAuthn credentials, one row each, keyed by
-- the credential ID the authenticator chose, which is unique across
-- accounts. public_key is the credential's public key in COSE form, as
-- the authenticator sent it; sign_count the signature counter as last
-- seen, which UsePasskey moves by compare-and-set; transports a JSON
-- array of strings, as text; aaguid the authenticator's model, NULL for
-- none. last_used_at is NULL until the passkey first logs in.
CREATE TABLE masuk_passkeys (
    id              bytea       PRIMARY KEY,
    account_id      text        NOT NULL
                                REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    public_key      bytea       NOT NULL,
    sign_count      bigint      NOT NULL DEFAULT 0,
    transports      text        NOT NULL DEFAULT '[]',
    aaguid          bytea,
    backup_eligible boolean     NOT NULL DEFAULT false,
    backed_up       boolean     NOT NULL DEFAULT false,
    name            text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz
);

CREATE INDEX masuk_passkeys_account_id_created_at_idx
    ON masuk_passkeys (account_id, created_at);
