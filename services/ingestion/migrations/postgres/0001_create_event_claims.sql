-- The cross-process claim of SPEC §2.2 rule 3 (services/ingestion/src/claims/postgres-claim-store.ts
-- holds the protocol). One row per idempotency key, kept forever like the key itself: 'claimed' while
-- its owner (a process instance) stores the event it points at, 'stored' once that event is in
-- ClickHouse. The pointer (code, timestamp, lago_id) reads that event by ClickHouse's primary key.
--
-- Ingestion's own migrations, recorded in ingestion_schema_migrations: the registry's numbering
-- (libs/postgres/migrations, schema_migrations) never collides with them, and a claims database may
-- be a different server from the registry's.
--
-- fillfactor 90: marking a row stored (and renewing a lease) changes no indexed column, so when its
-- page has room PostgreSQL updates it in place (HOT), without a second index entry. Measured: ~12% of
-- the updates of 1,000-key groups find that room; ~510 bytes per stored key in all (README).
CREATE TABLE IF NOT EXISTS event_claims (
  organization_id uuid NOT NULL,
  external_subscription_id text NOT NULL,
  transaction_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('claimed', 'stored')),
  owner uuid NOT NULL,
  lease_until timestamptz NOT NULL,
  code text NOT NULL,
  "timestamp" timestamptz NOT NULL,
  lago_id uuid NOT NULL,
  PRIMARY KEY (organization_id, external_subscription_id, transaction_id)
) WITH (fillfactor = 90);
