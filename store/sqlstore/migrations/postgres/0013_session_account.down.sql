-- Reverts 0013_session_account: drops the triggers and functions that
-- keep each session's copy of its account, and the copy.

DROP TRIGGER masuk_accounts_truncate_copy ON masuk_accounts;
DROP TRIGGER masuk_accounts_update_copy ON masuk_accounts;
DROP TRIGGER masuk_accounts_insert_delete_copy ON masuk_accounts;
DROP TRIGGER masuk_sessions_copy_account ON masuk_sessions;
DROP FUNCTION masuk_accounts_truncated();
DROP FUNCTION masuk_accounts_copy_to_sessions();
DROP FUNCTION masuk_sessions_copy_account();

ALTER TABLE masuk_sessions
    DROP COLUMN account_realm,
    DROP COLUMN account_username,
    DROP COLUMN account_display_username,
    DROP COLUMN account_email,
    DROP COLUMN account_phone,
    DROP COLUMN account_state,
    DROP COLUMN account_security_stamp,
    DROP COLUMN account_profile,
    DROP COLUMN account_created_at,
    DROP COLUMN account_updated_at;
