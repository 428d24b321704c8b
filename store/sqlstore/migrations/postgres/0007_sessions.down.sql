-- Reverts 0007_sessions: drops the accounts' indexes in the "C" collation
-- and the sessions, with their index.

DROP INDEX masuk_accounts_realm_email_c_idx;
DROP INDEX masuk_accounts_realm_username_c_idx;

DROP TABLE masuk_sessions;
