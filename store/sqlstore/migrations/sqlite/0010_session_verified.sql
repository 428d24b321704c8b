-- verified_at (Unix microseconds, UTC) is when the session's owner last
-- proved a password or a second factor in it (store.Session.VerifiedAt),
-- for sensitive actions that ask for a recent proof. Sessions begun before
-- this step have NULL, read as created_at: the login that began them.

ALTER TABLE masuk_sessions ADD COLUMN verified_at INTEGER;
