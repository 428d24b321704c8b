-- Reverts 0007_sessions: drops the sessions, with their index.

DROP TABLE masuk_sessions;
