-- Reverts 0012_federated_identities: drops the federated identities, with
-- their index.

DROP TABLE masuk_federated_identities;
