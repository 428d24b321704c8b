-- Reverts 0006_account_profile: drops the accounts' profiles.

ALTER TABLE masuk_accounts
    DROP COLUMN profile;
