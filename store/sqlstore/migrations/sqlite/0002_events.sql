-- The append-only activity log. account_id has no foreign key: a failed
-- login for an unknown username is logged too. AUTOINCREMENT keeps IDs
-- growing even after the newest rows are deleted. details is JSON text.

CREATE TABLE masuk_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    realm       TEXT    NOT NULL,
    account_id  TEXT    NOT NULL DEFAULT '',
    username    TEXT    NOT NULL DEFAULT '',
    occurred_at INTEGER NOT NULL,
    client_addr TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT '',
    details     TEXT
);

-- ListEvents pages newest first, by realm and optionally by account.
CREATE INDEX masuk_events_realm_id_idx
    ON masuk_events (realm, id);
CREATE INDEX masuk_events_realm_account_id_idx
    ON masuk_events (realm, account_id, id);
