-- Reverts 0004_challenges: drops the captcha challenges, with their index.

DROP TABLE masuk_challenges;
