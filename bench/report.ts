import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TARGETS } from './config';
import type { Check } from './checks';
import type { BenchResults } from './results';
import { activationLine } from './scale/activation';
import { BENCH_ROLLUP_TIMINGS } from './scale/questions';
import { scaleLadder } from './scale/checks';

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd(),
  );
}

/** The table: one line per check, then the notes (errors, wrong answers) and the context. */
export function table(results: BenchResults, checks: Check[]): string {
  const header = ['check', 'product', 'baseline', 'ratio', 'target', 'result'];
  const rows = checks.map((c) => [
    c.name,
    c.product,
    c.baseline,
    c.ratio === null ? '—' : c.ratio.toFixed(2),
    c.target,
    c.pass ? 'PASS' : 'FAIL',
  ]);
  const lines = pad([header, ...rows]);
  const rule = '─'.repeat(Math.max(...lines.map((l) => l.length)));
  const notes = checks.flatMap((c) => c.notes.map((note) => `  ${c.name}: ${note}`));
  const m = results.machine;
  const scale = results.raw.scale;
  const ladder = pad(scaleLadder(scale));
  const inserts = results.raw.insert
    .map(
      (i) =>
        `${i.rowsPerSec.toLocaleString('en-US')} rows/s at ${i.batchSize.toLocaleString('en-US')}-row batches`,
    )
    .join(', ');
  return [
    rule,
    lines[0],
    rule,
    ...lines.slice(1),
    rule,
    ...(notes.length ? ['notes:', ...notes] : []),
    `usage as the events grow (one code, ${scale.window.from} – ${scale.window.to}, UsageService in-process; fast: no statement read \`events\`):`,
    ...ladder.map((line) => `  ${line}`),
    `rollup definitions made ready before each group of types was asked (margin ${BENCH_ROLLUP_TIMINGS.marginMs} ms, settle ${BENCH_ROLLUP_TIMINGS.settleMs} ms):`,
    ...scale.activations.map((a) => `  ${activationLine(a)}`),
    `raw insert: ${inserts} (${results.config.rawInsert.concurrency} concurrent)`,
    `usage SQL p50 without → with the per-question duplicate check (issue 9): ${Object.entries(
      results.raw.sql,
    )
      .map(
        ([type, f]) => `${type.replace('_AGG', '')} ${f!.latencyMs.p50} → ${f!.withDuplicateCheckMs.p50} ms`,
      )
      .join(', ')}`,
    `events at load start: ${results.raw.eventsAtLoad.toLocaleString('en-US')} (event_keys ${results.raw.eventKeysAtLoad.toLocaleString('en-US')}), preload ${results.raw.preloadSeconds} s`,
    `${results.quick ? 'quick' : 'full'} run, ${results.totalSeconds} s; ${m.cpus} × ${m.cpuModel}, ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB, node ${m.node}`,
    `${checks.filter((c) => c.pass).length}/${checks.length} checks pass`,
  ].join('\n');
}

/** bench/results/latest.json: machine, configuration, every figure, targets, checks. */
export function writeResults(dir: string, results: BenchResults, checks: Check[]): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  const pass = checks.every((c) => c.pass);
  writeFileSync(file, `${JSON.stringify({ ...results, targets: TARGETS, checks, pass }, null, 2)}\n`);
  return file;
}
