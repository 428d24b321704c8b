-- Reverts 0013_session_account: drops the triggers that keep each
-- session's copy of its account, and the copy.

DROP TRIGGER masuk_accounts_delete_copy;
DROP TRIGGER masuk_accounts_update_copy;
DROP TRIGGER masuk_accounts_insert_copy;
DROP TRIGGER masuk_sessions_copy_account;

ALTER TABLE masuk_sessions DROP COLUMN account_realm;
ALTER TABLE masuk_sessions DROP COLUMN account_username;
ALTER TABLE masuk_sessions DROP COLUMN account_display_username;
ALTER TABLE masuk_sessions DROP COLUMN account_email;
ALTER TABLE masuk_sessions DROP COLUMN account_phone;
ALTER TABLE masuk_sessions DROP COLUMN account_state;
ALTER TABLE masuk_sessions DROP COLUMN account_security_stamp;
ALTER TABLE masuk_sessions DROP COLUMN account_profile;
ALTER TABLE masuk_sessions DROP COLUMN account_created_at;
ALTER TABLE masuk_sessions DROP COLUMN account_updated_at;
