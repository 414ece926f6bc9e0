-- The token signing key moved to a file of its own (auth.TokenKey): a key an older Slipway kept here
-- waits under this name until the first start moves it out and deletes the row.
ALTER TABLE signing_keys RENAME TO legacy_signing_keys;
