-- Leases on attempts in flight (store.Limit.Lease): in_flight is how many
-- of a counter's attempts are charges whose outcome has not come yet, and
-- lease_until (Unix microseconds, UTC) when the lease of the latest of
-- them ends, NULL when none is in flight. When it ends, the store gives
-- those charges back, so that a charge whose reply was lost does not count
-- until the window ends.
--
-- Counters written before this step read as having nothing in flight.

ALTER TABLE masuk_attempts ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE masuk_attempts ADD COLUMN lease_until INTEGER;
