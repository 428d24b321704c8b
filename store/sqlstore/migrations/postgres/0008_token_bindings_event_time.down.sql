-- Reverts 0008_token_bindings_event_time: drops the index on the events'
-- time and the tokens' bindings.
--
-- The unique index on (account_id, purpose) comes back, and an account
-- may hold only one token per purpose again: the bound tokens are
-- deleted first, so that it can be built. Their holders ask for new
-- ones.

DROP INDEX masuk_events_occurred_at_idx;

DELETE FROM masuk_tokens WHERE binding <> '';
CREATE UNIQUE INDEX masuk_tokens_account_id_purpose_key
    ON masuk_tokens (account_id, purpose);
DROP INDEX masuk_tokens_account_id_purpose_binding_key;

ALTER TABLE masuk_tokens
    DROP COLUMN binding;
