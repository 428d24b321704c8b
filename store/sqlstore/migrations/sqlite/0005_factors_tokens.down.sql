-- Reverts 0005_factors_tokens: drops the tokens, remembered devices,
-- recovery codes and second factors, with their indexes, in the reverse
-- of the order they were created.

DROP TABLE masuk_tokens;
DROP TABLE masuk_devices;
DROP TABLE masuk_recovery_codes;
DROP TABLE masuk_recovery_sets;
DROP TABLE masuk_factors;
