import { TARGETS } from './config';
import type { IngestFigures } from './load/phase';
import { METRICS } from './model';
import { scaleChecks } from './scale/checks';
import type { BenchResults } from './results';

/** One line of the table: a product figure against its baseline and target. */
export interface Check {
  name: string;
  product: string;
  baseline: string;
  /** product ÷ baseline (for latencies: product p50 ÷ raw p50). */
  ratio: number | null;
  target: string;
  pass: boolean;
  notes: string[];
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

function errorNotes(f: { errors: number; errorSamples: string[] }): string[] {
  return f.errors > 0 ? [`${f.errors} errors, e.g. ${f.errorSamples[0]}`] : [];
}

function batched(name: string, f: IngestFigures, r: BenchResults): Check {
  const raw = Math.max(...r.raw.insert.map((i) => i.rowsPerSec));
  const best = r.raw.insert.find((i) => i.rowsPerSec === raw)!;
  const q = ratio(f.eventsPerSec, raw);
  return {
    name,
    product: `${n(f.eventsPerSec)} events/s`,
    baseline: `raw insert ${n(raw)} rows/s (${n(best.batchSize)}-row batches)`,
    ratio: q,
    target: `≥ ${n(TARGETS.batchedEventsPerSec)}/s, ≥ ${TARGETS.batchedVsRawInsert * 100}% of raw`,
    pass:
      f.errors === 0 &&
      f.eventsPerSec >= TARGETS.batchedEventsPerSec &&
      (q ?? 0) >= TARGETS.batchedVsRawInsert,
    notes: errorNotes(f),
  };
}

function unary(r: BenchResults): Check {
  const f = r.product.ingestEvent;
  const bare = r.bare.ingestEvent;
  const q = ratio(f.eventsPerSec, bare.eventsPerSec);
  return {
    name: `IngestEvent (unary, ${f.procs * f.inflightPerProc} callers)`,
    product: `${n(f.eventsPerSec)} events/s, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`,
    baseline: `bare grpc-js ${n(bare.eventsPerSec)} calls/s, p99 ${bare.latencyMs.p99} ms`,
    ratio: q,
    target: `≥ ${n(TARGETS.unaryEventsPerSec)}/s, p99 ≤ ${TARGETS.unaryP99Ms} ms, ≥ ${TARGETS.unaryVsBareGrpc * 100}% of bare`,
    pass:
      f.errors === 0 &&
      bare.errors === 0 &&
      f.eventsPerSec >= TARGETS.unaryEventsPerSec &&
      f.latencyMs.p99 <= TARGETS.unaryP99Ms &&
      (q ?? 0) >= TARGETS.unaryVsBareGrpc,
    notes: [...errorNotes(f), ...errorNotes(bare)],
  };
}

function usage(r: BenchResults): Check[] {
  return METRICS.map(({ type }) => {
    const f = r.product.getUsage[type]!;
    const raw = r.raw.sql[type]!;
    const q = ratio(f.latencyMs.p50, raw.latencyMs.p50);
    const same = f.value === raw.value && f.eventsCount === raw.eventsCount;
    const notes = errorNotes(f);
    if (!same)
      notes.push(`answer ${f.value} (${f.eventsCount} events) ≠ raw SQL ${raw.value} (${raw.eventsCount})`);
    return {
      name: `GetUsage ${type}`,
      product: `p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms`,
      baseline: `raw SQL p50 ${raw.latencyMs.p50} ms, p99 ${raw.latencyMs.p99} ms`,
      ratio: q,
      target: `p99 ≤ ${TARGETS.usageP99Ms} ms, p50 ≤ ${TARGETS.usageVsRawSql}× raw`,
      pass:
        f.errors === 0 &&
        same &&
        f.latencyMs.p99 <= TARGETS.usageP99Ms &&
        (q ?? Infinity) <= TARGETS.usageVsRawSql,
      notes,
    };
  });
}

/**
 * ListEvents of one subscription (SPEC §2.2: cost grows with the page, not the history): the first
 * page and a page reached through 9 tokens, 100 events each, held to GetUsage's p99 target.
 */
function listEvents(r: BenchResults): Check {
  const first = r.product.listEvents.subscriptionFirstPage;
  const deep = r.product.listEvents.subscriptionDeepPage;
  const org = r.product.listEvents.organizationFirstPage;
  const notes = [...errorNotes(first), ...errorNotes(deep), ...errorNotes(org)];
  const full = first.eventsPerPage === 100 && deep.eventsPerPage === 100;
  if (!full) notes.push(`pages held ${first.eventsPerPage} / ${deep.eventsPerPage} events, 100 expected`);
  return {
    name: 'ListEvents, one subscription (page 1 / page 10)',
    product: `p50 ${first.latencyMs.p50} / ${deep.latencyMs.p50} ms, p99 ${first.latencyMs.p99} / ${deep.latencyMs.p99} ms`,
    baseline: `whole organization, page 1: p50 ${org.latencyMs.p50} ms, p99 ${org.latencyMs.p99} ms`,
    ratio: null,
    target: `p99 ≤ ${TARGETS.usageP99Ms} ms`,
    pass:
      first.errors === 0 &&
      deep.errors === 0 &&
      full &&
      Math.max(first.latencyMs.p99, deep.latencyMs.p99) <= TARGETS.usageP99Ms,
    notes,
  };
}

function memory(r: BenchResults): Check {
  const peak = r.server.peakBytes ?? r.server.maxSampledBytes;
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
  return {
    name: 'Server peak RSS (VmHWM)',
    product: gib(peak),
    baseline: `max sampled VmRSS ${gib(r.server.maxSampledBytes)}`,
    ratio: null,
    target: `≤ ${gib(TARGETS.serverRssBytes)}`,
    pass: peak <= TARGETS.serverRssBytes,
    notes: [],
  };
}

/** Issue 8: nothing that grows per insert over the long unary phase. */
function longRun(r: BenchResults): Check {
  const f = r.product.longUnary;
  const { start, end } = f.resources;
  // Descriptors other than the engine's per-thread /proc files (those follow its bounded thread pools).
  const other = (x: typeof start) => x.descriptors - x.procDescriptors;
  const growth = other(end) - other(start);
  const mib = (b: number) => `${Math.round(b / 1024 ** 2)} MiB`;
  return {
    name: `IngestEvent long run (${Math.round(r.config.longUnaryMs / 1000)} s, ${n(f.events)} events)`,
    product: `descriptors ${start.descriptors} → ${end.descriptors}, key-index files ${start.sstFiles} → ${end.sstFiles}, events parts ${start.eventParts} → ${end.eventParts}, RSS ${mib(start.rssBytes)} → ${mib(end.rssBytes)}`,
    baseline: `threads ${start.threads} → ${end.threads} (/proc descriptors ${start.procDescriptors} → ${end.procDescriptors})`,
    ratio: null,
    target: `other descriptors +< ${TARGETS.longRunDescriptorGrowth}, threads ≤ ${TARGETS.longRunThreads} (/proc descriptors ≤ 3 per thread), files ≤ ${TARGETS.longRunSstFiles}, parts ≤ ${TARGETS.longRunEventParts}`,
    pass:
      f.errors === 0 &&
      growth < TARGETS.longRunDescriptorGrowth &&
      end.sstFiles <= TARGETS.longRunSstFiles &&
      end.threads <= TARGETS.longRunThreads &&
      end.procDescriptors <= 3 * end.threads + 50 &&
      end.eventParts <= TARGETS.longRunEventParts,
    notes: errorNotes(f),
  };
}

/** Issue 8: the key index after the fix looks keys up as fast as the old layout, on the same keys. */
function keyLookups(r: BenchResults): Check[] {
  const k = r.raw.keyIndex;
  return (['newKeysMs', 'existingKeysMs'] as const).map((which) => {
    const q = ratio(k.product[which].p50, k.bulkLayout[which].p50);
    return {
      name: `key index: 1,000 ${which === 'newKeysMs' ? 'new' : 'stored'} keys of ${n(k.keys)}`,
      product: `p50 ${k.product[which].p50} ms, p99 ${k.product[which].p99} ms (${k.product.sstFiles} files)`,
      baseline: `old layout p50 ${k.bulkLayout[which].p50} ms, p99 ${k.bulkLayout[which].p99} ms (${k.bulkLayout.sstFiles} files)`,
      ratio: q,
      target: `p50 ≤ ${TARGETS.keyLookupVsOldLayout}× old layout`,
      pass: (q ?? Infinity) <= TARGETS.keyLookupVsOldLayout,
      notes: [],
    };
  });
}

/**
 * Issue 9: ingest with the claim shared by ingestion processes (PostgreSQL) against the embedded
 * index of the same run. Exact either way; the check is that it ran clean, the ratio is its cost.
 */
function sharedClaim(r: BenchResults): Check[] {
  const s = r.sharedClaim;
  if (!s) return [];
  const line = (name: string, f: IngestFigures, local: IngestFigures, latency: boolean): Check => ({
    name,
    product: `${n(f.eventsPerSec)} events/s${latency ? `, p50 ${f.latencyMs.p50} ms, p99 ${f.latencyMs.p99} ms` : ''}`,
    baseline: `embedded index ${n(local.eventsPerSec)} events/s${latency ? `, p50 ${local.latencyMs.p50} ms, p99 ${local.latencyMs.p99} ms` : ''}`,
    ratio: ratio(f.eventsPerSec, local.eventsPerSec),
    target: 'no errors (cost reported)',
    pass: f.errors === 0,
    notes: errorNotes(f),
  });
  return [
    line(`IngestEvents, shared claim (${s.server})`, s.ingestEvents, r.product.ingestEvents, false),
    line(`IngestEvent, shared claim (${s.server})`, s.ingestEvent, r.product.ingestEvent, true),
  ];
}

/**
 * Issue 12: the raw insert with the aggregates (the usage_hourly view, and the usage_dims view
 * feeding a definition per code) against both views detached, same run, same rows (usage from the
 * aggregates is bench/scale/checks.ts).
 */
function rollupInsert(r: BenchResults): Check {
  const f = r.raw.rollup;
  const pairs = r.raw.insert.map((first) => {
    const rate = (list: { batchSize: number; rowsPerSec: number }[]) =>
      list.find((w) => w.batchSize === first.batchSize)!.rowsPerSec;
    const again = rate(f.insertWithViewAgain);
    return {
      batchSize: first.batchSize,
      with: (first.rowsPerSec + again) / 2,
      without: rate(f.insertWithoutView),
    };
  });
  const worst = Math.min(...pairs.map((p) => p.with / p.without));
  return {
    name: 'raw insert with the aggregates (on vs off)',
    product: pairs.map((p) => `${n(p.with)} rows/s at ${n(p.batchSize)} (mean of 2 runs)`).join(', '),
    baseline: pairs.map((p) => `${n(p.without)} without`).join(', '),
    ratio: Math.round(worst * 1000) / 1000,
    target: `≥ ${TARGETS.rollupInsertVsWithout * 100}% of without`,
    pass: worst >= TARGETS.rollupInsertVsWithout,
    notes: [
      `on: the usage_hourly view and the usage_dims view feeding ${f.dimsDefinitions.length} definitions (one per code, by ${f.dimsDefinitions[0]?.dimensions.join(', ')}, ${f.dimsDefinitions.filter((d) => d.perValue).length} per value); off: both detached`,
      `usage_hourly rebuilt from every event in ${f.backfillSeconds} s`,
      ...(f.readyRetired > 0 ? [`${f.readyRetired} READY generation(s) found after the runs, retired`] : []),
    ],
  };
}

export function checks(r: BenchResults): Check[] {
  return [
    batched(`IngestEvents (${n(r.config.batchSize)}-event batches)`, r.product.ingestEvents, r),
    batched(`StreamEvents (${n(r.config.batchSize)}-event batches)`, r.product.streamEvents, r),
    unary(r),
    ...sharedClaim(r),
    longRun(r),
    ...keyLookups(r),
    ...usage(r),
    ...scaleChecks(r),
    rollupInsert(r),
    listEvents(r),
    memory(r),
  ];
}
