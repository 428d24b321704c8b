-- Reverts 0001_accounts: drops the credentials and the accounts, with
-- their indexes.

DROP TABLE masuk_credentials;
DROP TABLE masuk_accounts;
