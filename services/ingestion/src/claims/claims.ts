import type { IngestionMetrics } from '../../../../libs/observability/src/metrics';
import { LocalClaimStore, type ClaimStore, type StoredEvents } from './claim-store';
import { ClaimRepository, type SqlClient } from './claim.repository';
import { PostgresClaimStore } from './postgres-claim-store';

/** Which claim store ingestion uses (DEDUPE_CLAIMS), with what it needs. */
export type ClaimsSetting =
  | { mode: 'local' }
  /** `sql`: a pool on a migrated claims database (CLAIM_MIGRATIONS). */
  | { mode: 'postgres'; sql: SqlClient; leaseMs: number };

export function claimStore(
  setting: ClaimsSetting,
  events: StoredEvents,
  metrics?: IngestionMetrics,
): ClaimStore {
  if (setting.mode === 'local') return new LocalClaimStore(events, metrics);
  return new PostgresClaimStore(
    new ClaimRepository(setting.sql),
    events,
    { leaseMs: setting.leaseMs },
    metrics,
  );
}
