-- Reverts 0003_attempts: drops the attempt counters and locks.

DROP TABLE masuk_attempts;
