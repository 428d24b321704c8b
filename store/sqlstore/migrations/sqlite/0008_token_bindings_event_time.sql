-- Bound tokens (store.Token.Binding): an account may hold several live
-- tokens of one purpose, one per binding. The empty binding is the one
-- every token had before this step, so the rows already there keep their
-- meaning.
--
-- The unique index moves from (account_id, purpose) to (account_id,
-- purpose, binding); IssueToken's upsert names it, and it serves the
-- lookups by account and purpose as the old one did.

ALTER TABLE masuk_tokens
    ADD COLUMN binding TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX masuk_tokens_account_id_purpose_binding_key
    ON masuk_tokens (account_id, purpose, binding);
DROP INDEX masuk_tokens_account_id_purpose_key;
