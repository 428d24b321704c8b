-- Attempt counters and locks (store.Attempts): one row per key, such as an
-- account, a client address or the pair, for passwords or for second
-- factors. Times are Unix microseconds (UTC); NULL is none. permanent is 0
-- or 1.
--
-- version changes, to a random value, on every write of the counter.
--
-- expires_at is when the counter will have settled to nothing under the
-- limit it was last written with, NULL for a permanent lock (never);
-- Store.PruneAttempts deletes the rows whose time has come. It has no
-- index, on purpose: the rows are written on every attempt, and pruning,
-- run now and then, scans the table once.

CREATE TABLE masuk_attempts (
    key          TEXT    NOT NULL PRIMARY KEY,
    attempts     INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER,
    locked_until INTEGER,
    permanent    INTEGER NOT NULL DEFAULT 0,
    locks        INTEGER NOT NULL DEFAULT 0,
    last_attempt INTEGER,
    expires_at   INTEGER,
    version      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
