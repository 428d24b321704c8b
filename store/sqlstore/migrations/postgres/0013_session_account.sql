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
-- transaction, and a load never reads an account older than the last
-- committed write. The functions read the tables through the search_path
-- of this migration, which they keep (SET search_path FROM CURRENT).
--
-- A new session locks its account's row (FOR SHARE) before it copies it,
-- so that an account write waits for the new session and then rewrites
-- it; the account trigger's UPDATE, run with a snapshot of its own,
-- finds it. CreateSession locks the row, by a no-op UPDATE, at its start,
-- before it touches any session, so that it never waits for an account
-- write while holding sessions that write waits for; under REPEATABLE
-- READ that UPDATE also makes a racing account write fail to serialize
-- instead of missing the new session.
--
-- The triggers are created before the backfill: CREATE TRIGGER locks the
-- accounts against writes until this step commits.

ALTER TABLE masuk_sessions
    ADD COLUMN account_realm            text,
    ADD COLUMN account_username         text,
    ADD COLUMN account_display_username text,
    ADD COLUMN account_email            text,
    ADD COLUMN account_phone            text,
    ADD COLUMN account_state            text,
    ADD COLUMN account_security_stamp   text,
    ADD COLUMN account_profile          text,
    ADD COLUMN account_created_at       timestamptz,
    ADD COLUMN account_updated_at       timestamptz;

CREATE FUNCTION masuk_sessions_copy_account() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- No row sets every target to NULL.
    SELECT realm, username, display_username, email, phone, state, security_stamp, profile, created_at, updated_at
        INTO NEW.account_realm, NEW.account_username, NEW.account_display_username, NEW.account_email, NEW.account_phone,
             NEW.account_state, NEW.account_security_stamp, NEW.account_profile, NEW.account_created_at, NEW.account_updated_at
        FROM masuk_accounts WHERE id = NEW.account_id FOR SHARE;
    RETURN NEW;
END
$$;

CREATE FUNCTION masuk_accounts_copy_to_sessions() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
        UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
                account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
            = (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            WHERE account_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE masuk_sessions SET (account_realm, account_username, account_display_username, account_email, account_phone,
                account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
            = (NEW.realm, NEW.username, NEW.display_username, NEW.email, NEW.phone,
               NEW.state, NEW.security_stamp, NEW.profile, NEW.created_at, NEW.updated_at)
            WHERE account_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER masuk_sessions_copy_account
    BEFORE INSERT ON masuk_sessions
    FOR EACH ROW EXECUTE FUNCTION masuk_sessions_copy_account();

CREATE TRIGGER masuk_accounts_insert_delete_copy
    AFTER INSERT OR DELETE ON masuk_accounts
    FOR EACH ROW EXECUTE FUNCTION masuk_accounts_copy_to_sessions();

-- An UPDATE that changes nothing (a row lock by a no-op UPDATE) leaves
-- the copies alone.
CREATE TRIGGER masuk_accounts_update_copy
    AFTER UPDATE ON masuk_accounts
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION masuk_accounts_copy_to_sessions();

-- A TRUNCATE of the accounts fires no row trigger: this one empties
-- every copy, so that no session loads an account that is gone.
CREATE FUNCTION masuk_accounts_truncated() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE masuk_sessions SET account_state = NULL WHERE account_state IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER masuk_accounts_truncate_copy
    AFTER TRUNCATE ON masuk_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION masuk_accounts_truncated();

-- The copies are kept by writes of every origin, a replica's and a
-- restore's too (session_replication_role = replica skips triggers that
-- are merely enabled). Only ALTER TABLE ... DISABLE TRIGGER, by the
-- tables' owner, stops them: do not, or end every session after.
ALTER TABLE masuk_accounts ENABLE ALWAYS TRIGGER masuk_accounts_insert_delete_copy;
ALTER TABLE masuk_accounts ENABLE ALWAYS TRIGGER masuk_accounts_update_copy;
ALTER TABLE masuk_accounts ENABLE ALWAYS TRIGGER masuk_accounts_truncate_copy;
ALTER TABLE masuk_sessions ENABLE ALWAYS TRIGGER masuk_sessions_copy_account;

UPDATE masuk_sessions s SET (account_realm, account_username, account_display_username, account_email, account_phone,
        account_state, account_security_stamp, account_profile, account_created_at, account_updated_at)
    = (a.realm, a.username, a.display_username, a.email, a.phone,
       a.state, a.security_stamp, a.profile, a.created_at, a.updated_at)
    FROM masuk_accounts a WHERE a.id = s.account_id;
