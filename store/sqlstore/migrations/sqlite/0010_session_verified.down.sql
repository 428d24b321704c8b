-- Reverts 0010_session_verified: drops when a session's owner last proved
-- a secret in it.

ALTER TABLE masuk_sessions DROP COLUMN verified_at;
