-- Bound tokens (store.Token.Binding), and an index on the events' time
-- (store.Events.PruneEvents).
--
-- An account may hold several live tokens of one purpose, one per
-- binding. The empty binding is the one every token had before this step,
-- so the rows already there keep their meaning. Adding a NOT NULL
-- column with a constant default rewrites nothing (PostgreSQL 11 and
-- later).
--
-- The unique index moves from (account_id, purpose) to (account_id,
-- purpose, binding); IssueToken's upsert names it, and it serves the
-- lookups by account and purpose as the old one did. Building it locks
-- the tokens table against writes while it runs, which for a table of
-- short-lived tokens is short.

ALTER TABLE masuk_tokens
    ADD COLUMN binding text NOT NULL DEFAULT '';

CREATE UNIQUE INDEX masuk_tokens_account_id_purpose_binding_key
    ON masuk_tokens (account_id, purpose, binding);
DROP INDEX masuk_tokens_account_id_purpose_key;

-- PruneEvents deletes the events older than a time: an index on the time
-- spares it a scan of the whole log. Building it locks the events table
-- against writes (and so every login that logs an event) for as long as
-- it takes, which for a log of millions of rows may be minutes. A host
-- with such a log builds it first, without that lock, as
--
--     CREATE INDEX CONCURRENTLY masuk_events_occurred_at_idx
--         ON masuk_events (occurred_at);
--
-- in its schema, and this step, finding it, builds nothing. (Should that
-- build fail, it leaves an invalid index: drop it before migrating.)
CREATE INDEX IF NOT EXISTS masuk_events_occurred_at_idx
    ON masuk_events (occurred_at);
