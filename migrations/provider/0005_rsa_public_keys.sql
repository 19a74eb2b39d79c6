-- RSA-SHA1 (RFC 5849 §3.4.3): an app may register a public key, in PEM, and then sign
-- with its private key instead of its consumer secret. Checked when it is saved.
alter table apps add column rsa_public_key text;
