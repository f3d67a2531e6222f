-- Tenants and their API keys. Only a SHA-256 of each key is stored: a leaked table leaks no key.
CREATE TABLE IF NOT EXISTS organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS api_keys (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  key_sha256 text NOT NULL UNIQUE,
  -- The first characters of the key, to tell keys apart in logs and listings.
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Billable metrics (SPEC §2.1). Soft delete: a deleted metric keeps its row and frees its code.
CREATE TABLE IF NOT EXISTS billable_metrics (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  code text NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  aggregation_type text NOT NULL,
  field_name text NOT NULL DEFAULT '',
  recurring boolean NOT NULL DEFAULT false,
  weighted_interval text,
  rounding_function text,
  rounding_precision integer,
  expression text NOT NULL DEFAULT '',
  filters jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  deleted_at timestamptz
);

-- One live metric per code; the list order (created_at, id) is served by the second index.
CREATE UNIQUE INDEX IF NOT EXISTS billable_metrics_live_code ON billable_metrics (organization_id, code) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS billable_metrics_list ON billable_metrics (organization_id, created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE IF NOT EXISTS subscriptions (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id),
  external_id text NOT NULL,
  external_customer_id text NOT NULL,
  started_at timestamptz NOT NULL,
  terminated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (organization_id, external_id)
);

CREATE INDEX IF NOT EXISTS subscriptions_customer ON subscriptions (organization_id, external_customer_id, created_at, id);
