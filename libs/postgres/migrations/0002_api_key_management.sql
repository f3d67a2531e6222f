-- API keys managed through the API (SPEC §2.1, added 2026-11-30): a name, when the key was last
-- used (approximate: written at most about once a minute per key, off the request path), and the
-- list order (created_at, id). key_prefix holds the first 8 characters of the secret for keys
-- created from now on (7 before).
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS name text NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS last_used_at timestamptz;
ALTER TABLE api_keys ALTER COLUMN created_at SET DEFAULT clock_timestamp();
CREATE INDEX IF NOT EXISTS api_keys_list ON api_keys (organization_id, created_at, id);
