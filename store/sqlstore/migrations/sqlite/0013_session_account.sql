-- Each session keeps a copy of its account's row, so that loading a
-- session (Store.SessionAccount) reads one row by its primary key instead
-- of joining the account to it. The copy is the account's columns as
-- account_<column>; account_state is NULL when the session's account does
-- not exist (a session may name any account).
--
-- Triggers keep the copy, in the statement that writes: an insert,
-- update or delete of an account rewrites the copies in its sessions,
-- and a new session copies its account. So every writer of the accounts,
-- masuk's own or a host's, keeps the sessions up to date, in its own
-- transaction; SQLite's one writer at a time orders them.

ALTER TABLE masuk_sessions ADD COLUMN account_realm TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_username TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_display_username TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_email TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_phone TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_state TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_security_stamp TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_profile TEXT;
ALTER TABLE masuk_sessions ADD COLUMN account_created_at INTEGER;
ALTER TABLE masuk_sessions ADD COLUMN account_updated_at INTEGER;

-- No account row sets every column to NULL.
CREATE TRIGGER masuk_sessions_copy_account
    AFTER INSERT ON masuk_sessions
BEGIN
    UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
            account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
        = (SELECT realm, username, display_username, email, phone, state, security_stamp, profile, created_at, updated_at
            FROM masuk_accounts WHERE id = NEW.account_id)
        WHERE selector = NEW.selector;
END;

CREATE TRIGGER masuk_accounts_insert_copy
    AFTER INSERT ON masuk_accounts
BEGIN
    UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
            account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
        = (NEW.realm, NEW.username, NEW.display_username, NEW.email, NEW.phone,
           NEW.state, NEW.security_stamp, NEW.profile, NEW.created_at, NEW.updated_at)
        WHERE account_id = NEW.id;
END;

-- An UPDATE that changes nothing (the write lock taken by a no-op
-- UPDATE) leaves the copies alone.
CREATE TRIGGER masuk_accounts_update_copy
    AFTER UPDATE ON masuk_accounts
    WHEN OLD.id IS NOT NEW.id OR OLD.realm IS NOT NEW.realm OR OLD.username IS NOT NEW.username
        OR OLD.display_username IS NOT NEW.display_username OR OLD.email IS NOT NEW.email OR OLD.phone IS NOT NEW.phone
        OR OLD.state IS NOT NEW.state OR OLD.security_stamp IS NOT NEW.security_stamp OR OLD.profile IS NOT NEW.profile
        OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
            account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
        = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        WHERE account_id = OLD.id AND OLD.id IS NOT NEW.id;
    UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
            account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
        = (NEW.realm, NEW.username, NEW.display_username, NEW.email, NEW.phone,
           NEW.state, NEW.security_stamp, NEW.profile, NEW.created_at, NEW.updated_at)
        WHERE account_id = NEW.id;
END;

CREATE TRIGGER masuk_accounts_delete_copy
    AFTER DELETE ON masuk_accounts
BEGIN
    UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
            account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
        = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        WHERE account_id = OLD.id;
END;

UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
        account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
    = (SELECT realm, username, display_username, email, phone, state, security_stamp, profile, created_at, updated_at
        FROM masuk_accounts WHERE id = masuk_sessions.account_id);
