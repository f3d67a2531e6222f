import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '../../libs/clickhouse/src/clickhouse';
import { MonotonicClock } from '../../libs/clickhouse/src/time';
import type { EventInput } from '../../libs/contract/src/generated/client/metering/v1/common';
import { INSERT_COLUMNS, toRow } from '../../services/ingestion/src/event.repository';
import type { BenchConfig } from '../config';
import { benchEvents, type Window } from '../model';
import type { RegisteredSubscription } from '../setup/registry';

export interface RawInsertFigures {
  batchSize: number;
  concurrency: number;
  rows: number;
  seconds: number;
  rowsPerSec: number;
}

export interface RawInsertContext {
  clickhouse: ClickHouseClient;
  organizationId: string;
  subscriptions: Map<string, RegisteredSubscription>;
  window: Window;
  config: BenchConfig;
  log: (line: string) => void;
  /** Transaction id prefix (default 'raw'): runs over the same rows need their own ids. */
  tag?: string;
}

/** The row the ingestion service writes for an accepted event: the product's own toRow(). */
function storedRow(ctx: RawInsertContext, e: EventInput, clock: MonotonicClock): unknown[] {
  const s = ctx.subscriptions.get(e.externalSubscriptionId)!;
  return toRow({
    organizationId: ctx.organizationId,
    transactionId: e.transactionId,
    externalSubscriptionId: e.externalSubscriptionId,
    externalCustomerId: s.externalCustomerId,
    code: e.code,
    timestamp: e.timestamp!,
    properties: e.properties ?? {},
    preciseTotalAmountCents: null,
    lagoSubscriptionId: s.lagoId,
    lagoCustomerId: s.lagoCustomerId,
    lagoId: randomUUID(),
    createdAtUs: clock.nowUs(),
    warnings: [],
  });
}

type Row = ReturnType<typeof storedRow>;

/** Inserts the batches, `concurrency` at a time; resolves with the elapsed milliseconds. */
async function timedInserts(clickhouse: ClickHouseClient, batches: Row[][], concurrency: number) {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < batches.length; i = next++) {
      await clickhouse.insert({
        table: 'events',
        columns: [...INSERT_COLUMNS],
        values: batches[i],
        format: 'JSONCompactEachRow',
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - started;
}

/**
 * The raw engine's insert rate for the rows the ingestion phases send (same generator, other
 * transaction ids), through `@clickhouse/client` insert() in the product's format (JSONCompactEachRow). Rows are built before
 * the clock runs, a chunk at a time (1M row objects at once would take ~1 GB of heap); the time is
 * the client's serialisation plus the engine's insert.
 */
async function rawInsertAt(ctx: RawInsertContext, batchSize: number): Promise<RawInsertFigures> {
  const { rows, concurrency } = ctx.config.rawInsert;
  const clock = new MonotonicClock();
  const chunk = Math.max(100_000, batchSize * concurrency * 2);
  let elapsedMs = 0;
  for (let first = 0; first < rows; first += chunk) {
    const count = Math.min(chunk, rows - first);
    const batches: Row[][] = [];
    for (let b = 0; b < count; b += batchSize) {
      const events = benchEvents(
        `${ctx.tag ?? 'raw'}${batchSize}-`,
        first + b,
        Math.min(batchSize, count - b),
        ctx.window,
        ctx.config.subscriptions,
      );
      batches.push(events.map((e) => storedRow(ctx, e, clock)));
    }
    elapsedMs += await timedInserts(ctx.clickhouse, batches, concurrency);
  }
  const seconds = elapsedMs / 1000;
  return {
    batchSize,
    concurrency,
    rows,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSec: Math.round(rows / seconds),
  };
}

export async function rawInsert(ctx: RawInsertContext): Promise<RawInsertFigures[]> {
  const figures: RawInsertFigures[] = [];
  for (const batchSize of ctx.config.rawInsert.batchSizes) {
    ctx.log(
      `raw insert: ${ctx.config.rawInsert.rows.toLocaleString('en-US')} rows in ${batchSize.toLocaleString('en-US')}-row batches, ${ctx.config.rawInsert.concurrency} at a time`,
    );
    const f = await rawInsertAt(ctx, batchSize);
    ctx.log(
      `raw insert: ${f.rowsPerSec.toLocaleString('en-US')} rows/s (${batchSize.toLocaleString('en-US')}-row batches)`,
    );
    figures.push(f);
  }
  return figures;
}
