-- Captcha challenges (store.Challenges): one row per challenge, deleted
-- when it is taken, so that each is used once. answer_hash is a hash of
-- the answer, never the answer. image is the PNG; audio is a JSON object
-- of the WAV in each language, base64, such as {"en": "UklGR...", "id":
-- "UklGR..."}. NULL is none.
--
-- expires_at is by the caller's clock, and checked on every read. Expired
-- rows stay until Store.PruneChallenges deletes them, or CreateChallenge
-- does when the table holds Config.MaxChallenges rows. Rows are inserted
-- and deleted, never updated, so the index that pruning uses costs
-- little.

CREATE TABLE masuk_challenges (
    id          text        PRIMARY KEY,
    flow        text        NOT NULL,
    answer_hash bytea       NOT NULL,
    image       bytea,
    audio       jsonb,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE INDEX masuk_challenges_expires_at_idx
    ON masuk_challenges (expires_at);
