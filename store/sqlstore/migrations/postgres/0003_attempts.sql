-- Attempt counters and locks (store.Attempts): one row per key, such as an
-- account, a client address or the pair, for passwords or for second
-- factors. A NULL time is none.
--
-- version changes, to a random value, on every write of the counter, so
-- that a write conditional on it finds any write since it read the row.
--
-- expires_at is when the counter will have settled to nothing under the
-- limit it was last written with, NULL for a permanent lock (never);
-- Store.PruneAttempts deletes the rows whose time has come. It has no
-- index, on purpose: the rows are updated on every attempt, and an
-- unindexed expires_at lets those updates stay HOT (no index entry per
-- update), while pruning, run now and then, scans the table once. The
-- fill factor leaves room in each page for those updates.

CREATE TABLE masuk_attempts (
    key          text        PRIMARY KEY,
    attempts     integer     NOT NULL DEFAULT 0,
    window_start timestamptz,
    locked_until timestamptz,
    permanent    boolean     NOT NULL DEFAULT false,
    locks        integer     NOT NULL DEFAULT 0,
    last_attempt timestamptz,
    expires_at   timestamptz,
    version      bigint      NOT NULL DEFAULT 0
) WITH (fillfactor = 70);
