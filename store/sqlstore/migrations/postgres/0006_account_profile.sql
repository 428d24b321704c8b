-- The profile of an account (store.Account.Profile): the free-form fields
-- its registration collected, for display, never a secret. A JSON object
-- of strings, as text like a token's data; NULL is none, which is what
-- the accounts created before this step have. Adding a nullable column
-- without a default rewrites nothing.

ALTER TABLE masuk_accounts
    ADD COLUMN profile text;
