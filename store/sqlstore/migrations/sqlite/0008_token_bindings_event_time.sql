-- Bound tokens (store.Token.Binding), and an index on the events' time
-- (store.Events.PruneEvents).
--
-- An account may hold several live tokens of one purpose, one per
-- binding. The empty binding is the one every token had before this step,
-- so the rows already there keep their meaning.
--
-- The unique index moves from (account_id, purpose) to (account_id,
-- purpose, binding); IssueToken's upsert names it, and it serves the
-- lookups by account and purpose as the old one did.

ALTER TABLE masuk_tokens
    ADD COLUMN binding TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX masuk_tokens_account_id_purpose_binding_key
    ON masuk_tokens (account_id, purpose, binding);
DROP INDEX masuk_tokens_account_id_purpose_key;

-- PruneEvents deletes the events older than a time: an index on the time
-- spares it a scan of the whole log. Building it holds the write lock,
-- and so every login that logs an event, for as long as it takes; a host
-- with a large log may build it beforehand, at a quiet time, under the
-- same name, and this step, finding it, builds nothing.
CREATE INDEX IF NOT EXISTS masuk_events_occurred_at_idx
    ON masuk_events (occurred_at);
