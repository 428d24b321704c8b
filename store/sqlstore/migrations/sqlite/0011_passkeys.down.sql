-- Reverts 0011_passkeys: drops the passkeys, with their index.

DROP TABLE masuk_passkeys;
