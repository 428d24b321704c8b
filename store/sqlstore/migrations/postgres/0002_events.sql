-- The append-only activity log. account_id has no foreign key: a failed
-- login for an unknown username is logged too.

CREATE TABLE masuk_events (
    id          bigserial   PRIMARY KEY,
    kind        text        NOT NULL,
    realm       text        NOT NULL,
    account_id  text        NOT NULL DEFAULT '',
    username    text        NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL,
    client_addr text        NOT NULL DEFAULT '',
    user_agent  text        NOT NULL DEFAULT '',
    details     jsonb
);

-- ListEvents pages newest first, by realm and optionally by account.
CREATE INDEX masuk_events_realm_id_idx
    ON masuk_events (realm, id);
CREATE INDEX masuk_events_realm_account_id_idx
    ON masuk_events (realm, account_id, id);
