-- Reverts 0009_attempt_leases: drops the leases on attempts in flight.
-- The charges in flight stay counted, as they were before this step.

ALTER TABLE masuk_attempts DROP COLUMN lease_until;
ALTER TABLE masuk_attempts DROP COLUMN in_flight;
