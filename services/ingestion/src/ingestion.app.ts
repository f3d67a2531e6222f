import type { ClickHouseClient } from '../../../libs/clickhouse/src/clickhouse';
import { startGrpcApp, type GrpcApp, type ServeOptions } from '../../../libs/common/src/grpc-app';
import { InvalidArgumentError, FailedPreconditionError } from '../../../libs/common/src/errors';
import { SERVICE_NAMES } from '../../../libs/contract/src/grpc-options';
import type { RegistryClient } from '../../../libs/contract/src/registry-client';
import { EventResult_Status } from '../../../libs/contract/src/generated/nest/metering/v1/ingestion';
import type { Tally } from '../../../libs/observability/src/rpc.interceptor';
import type { ClaimsSetting } from './claims/claims';
import { IngestionModule } from './ingestion.module';

const bump = (totals: Tally, key: string) => (totals[key] = (totals[key] ?? 0) + 1);

/**
 * The accepted / duplicate / rejected counts of an ingestion call's log line, from its responses:
 * IngestEvents and StreamEvents answer per event; IngestEvent answers one event, or is rejected
 * with INVALID_ARGUMENT / FAILED_PRECONDITION.
 */
export function tallyIngestion(totals: Tally, response: unknown, error?: unknown): void {
  for (const key of ['accepted', 'duplicate', 'rejected']) totals[key] ??= 0;
  if (error !== undefined) {
    if (error instanceof InvalidArgumentError || error instanceof FailedPreconditionError)
      bump(totals, 'rejected');
    return;
  }
  const r = response as {
    results?: { status: EventResult_Status | string }[];
    duplicate?: boolean;
    event?: unknown;
  };
  if (Array.isArray(r?.results)) {
    for (const result of r.results) {
      const name = typeof result.status === 'string' ? result.status : EventResult_Status[result.status];
      if (name === 'ACCEPTED' || name === 'DUPLICATE' || name === 'REJECTED')
        bump(totals, name.toLowerCase());
    }
  } else if (r?.event) bump(totals, r.duplicate ? 'duplicate' : 'accepted');
}

/**
 * The ingestion gRPC app on an open, migrated ClickHouse; callers are authenticated by the registry.
 * Each call makes its own pipeline (its own KeyLedger and claim store): two apps on one ClickHouse
 * are two replicas.
 */
export function startIngestion(
  clickhouse: ClickHouseClient,
  registry: RegistryClient,
  serve: ServeOptions,
  claims: ClaimsSetting = { mode: 'local' },
): Promise<GrpcApp> {
  return startGrpcApp({
    ...serve,
    module: IngestionModule.forRoot(clickhouse, registry, serve.observability.metrics, claims),
    serviceName: SERVICE_NAMES.ingestion,
    shortName: 'ingestion',
    portVariable: 'INGESTION_PORT',
    organizations: registry,
    tally: tallyIngestion,
  });
}
