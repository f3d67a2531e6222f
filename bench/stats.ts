/** Latency summary in milliseconds (nearest-rank percentiles). */
export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latency(samplesMs: number[]): Latency {
  const sorted = Float64Array.from(samplesMs).sort();
  const list = Array.from(sorted);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    count: list.length,
    p50: round(percentile(list, 50)),
    p90: round(percentile(list, 90)),
    p99: round(percentile(list, 99)),
    max: round(list.length ? list[list.length - 1] : NaN),
    mean: round(list.reduce((a, b) => a + b, 0) / (list.length || 1)),
  };
}
