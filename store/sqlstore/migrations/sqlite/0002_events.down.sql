-- Reverts 0002_events: drops the activity log, with its indexes.

DROP TABLE masuk_events;
