-- The registry version of an organization (SPEC §2.1 "Consistency across services"): a counter
-- that every change to the organization's metrics, subscriptions or API keys (created, revoked)
-- increments in the change's own transaction. Ingestion and aggregation read it at the start of
-- every call (GetCallerOrganization, coalesced per key) and serve a cached definition only if it was
-- loaded at that version or later, so no cache answers older than a change that returned before
-- the call started (libs/contract/src/registry-client.ts).
--
-- Triggers, not application code, so that no write path can forget it. The row lock they take on
-- the organization orders concurrent changes of one organization; registry writes are rare.
-- (Each function body is on one line: the migration runner splits statements at a `;` that ends a line.)
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS registry_version bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE organizations SET registry_version = registry_version + 1 WHERE id = COALESCE(NEW.organization_id, OLD.organization_id); RETURN NULL; END $$;

DROP TRIGGER IF EXISTS billable_metrics_registry_version ON billable_metrics;

CREATE TRIGGER billable_metrics_registry_version AFTER INSERT OR UPDATE OR DELETE ON billable_metrics
FOR EACH ROW EXECUTE FUNCTION bump_registry_version();

DROP TRIGGER IF EXISTS subscriptions_registry_version ON subscriptions;

CREATE TRIGGER subscriptions_registry_version AFTER INSERT OR UPDATE OR DELETE ON subscriptions
FOR EACH ROW EXECUTE FUNCTION bump_registry_version();

-- Not on last_used_at (written about once a minute per key): only a new or revoked key changes
-- what a call may do.
DROP TRIGGER IF EXISTS api_keys_registry_version ON api_keys;

CREATE TRIGGER api_keys_registry_version AFTER INSERT OR UPDATE OF revoked_at OR DELETE ON api_keys
FOR EACH ROW EXECUTE FUNCTION bump_registry_version();
