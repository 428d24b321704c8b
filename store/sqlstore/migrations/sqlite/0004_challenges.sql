-- Captcha challenges (store.Challenges): one row per challenge, deleted
-- when it is taken, so that each is used once. answer_hash is a hash of
-- the answer, never the answer. image is the PNG; audio is a JSON object
-- of the WAV in each language, base64, such as {"en": "UklGR...", "id":
-- "UklGR..."}. NULL is none. Times are Unix microseconds (UTC).
--
-- expires_at is by the caller's clock, and checked on every read. Expired
-- rows stay until Store.PruneChallenges deletes them, or CreateChallenge
-- does when the table holds Config.MaxChallenges rows. A rowid table, as
-- the rows are large.

CREATE TABLE masuk_challenges (
    id          TEXT    NOT NULL PRIMARY KEY,
    flow        TEXT    NOT NULL,
    answer_hash BLOB    NOT NULL,
    image       BLOB,
    audio       TEXT,
    issued_at   INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX masuk_challenges_expires_at_idx
    ON masuk_challenges (expires_at);
