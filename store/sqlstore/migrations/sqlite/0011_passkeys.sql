-- Passkeys (store.Passkeys): WebAuthn credentials, one row each, keyed by
-- the credential ID the authenticator chose, which is unique across
-- accounts. public_key is the credential's public key in COSE form, as
-- the authenticator sent it; sign_count the signature counter as last
-- seen, which UsePasskey moves by compare-and-set; transports a JSON
-- array of strings; aaguid the authenticator's model, NULL for none.
-- backup_eligible and backed_up are 0 or 1. Times are Unix microseconds
-- (UTC); last_used_at is NULL until the passkey first logs in.
CREATE TABLE masuk_passkeys (
    id              BLOB    NOT NULL PRIMARY KEY,
    account_id      TEXT    NOT NULL
                            REFERENCES masuk_accounts (id) ON DELETE CASCADE,
    public_key      BLOB    NOT NULL,
    sign_count      INTEGER NOT NULL DEFAULT 0,
    transports      TEXT    NOT NULL DEFAULT '[]',
    aaguid          BLOB,
    backup_eligible INTEGER NOT NULL DEFAULT 0,
    backed_up       INTEGER NOT NULL DEFAULT 0,
    name            TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER
);

CREATE INDEX masuk_passkeys_account_id_created_at_idx
    ON masuk_passkeys (account_id, created_at);
