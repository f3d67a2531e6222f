import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import {
  RoundingFunction,
  WeightedInterval,
} from '../../libs/contract/src/generated/client/metering/v1/registry';
import { ev, filter, metric, type SemanticsCase } from './semantics';

const weighted = (more = {}) =>
  metric(AggregationType.WEIGHTED_SUM_AGG, { weightedInterval: WeightedInterval.SECONDS, ...more });

/** SPEC §3.6 (window [2026-01-01, 2026-01-11): ten days, the divisor when charges_duration_days is unset). */
export const WEIGHTED_CASES: SemanticsCase[] = [
  {
    name: 'weighted sum: an empty window is 0',
    metric: weighted(),
    events: [ev('2026-01-11', { v: 5 })],
    expect: { value: '0', eventsCount: '0', totalAggregatedUnits: '0' },
  },
  {
    name: 'weighted sum: a level from `from` held to `to`, over the window length when days are unset',
    metric: weighted(),
    events: [ev('2026-01-01', { v: 10 })],
    expect: { value: '10', eventsCount: '1', totalAggregatedUnits: '10' },
  },
  {
    name: 'weighted sum: events at the same instant all apply',
    metric: weighted(),
    events: [ev('2026-01-06', { v: 2 }), ev('2026-01-06', { v: '3' })],
    expect: { value: '2.5', eventsCount: '2', totalAggregatedUnits: '5' },
  },
  {
    name: 'weighted sum: negative deltas lower the level',
    metric: weighted(),
    events: [ev('2026-01-01', { v: 10 }), ev('2026-01-06', { v: -4 })],
    expect: { value: '8', eventsCount: '2', totalAggregatedUnits: '6' },
  },
  {
    name: 'weighted sum: charges_duration_days is the divisor',
    metric: weighted(),
    events: [ev('2026-01-01', { v: 10 })],
    query: { chargesDurationDays: 20 },
    expect: { value: '5', eventsCount: '1', totalAggregatedUnits: '10' },
  },
  {
    name: 'weighted sum: 1 ms before to weighs 1 ms (at least 20 decimals); at to not at all',
    metric: weighted(),
    events: [ev('2026-01-10T23:59:59.999', { v: 1 }), ev('2026-01-11', { v: 1000 })],
    expect: { value: '0.000000001157407407407407407407', eventsCount: '1', totalAggregatedUnits: '1' },
  },
  {
    name: 'weighted sum: recurring starts from the sum of all deltas before from',
    metric: weighted({ recurring: true }),
    events: [ev('2025-12-01', { v: 10 }), ev('2026-01-06', { v: 5 })],
    expect: { value: '12.5', eventsCount: '1', totalAggregatedUnits: '15' },
  },
  {
    name: 'weighted sum: non-recurring starts from 0',
    metric: weighted(),
    events: [ev('2025-12-01', { v: 10 }), ev('2026-01-06', { v: 5 })],
    expect: { value: '2.5', eventsCount: '1', totalAggregatedUnits: '5' },
  },
  {
    name: 'weighted sum: missing or non-numeric deltas are left out',
    metric: weighted(),
    events: [ev('2026-01-01', { v: 'abc' }), ev('2026-01-01', {}), ev('2026-01-01', { v: '2' })],
    expect: { value: '2', eventsCount: '1', totalAggregatedUnits: '2' },
  },
  {
    name: 'weighted sum: filter and grouped_by, each group with its own level',
    metric: weighted(),
    events: [
      ev('2026-01-01', { v: 4, g: 'a', r: 'eu' }),
      ev('2026-01-06', { v: 6, g: 'b', r: 'eu' }),
      ev('2026-01-01', { v: 100, g: 'a', r: 'us' }),
    ],
    query: { filter: filter({ r: ['eu'] }), groupedBy: ['g'] },
    expect: {
      value: '7',
      eventsCount: '2',
      groups: [
        [{ g: 'a' }, [], '4', '1'],
        [{ g: 'b' }, [], '3', '1'],
      ],
    },
  },
  {
    name: 'weighted sum: rounding of a non-terminating division',
    metric: weighted({ roundingFunction: RoundingFunction.ROUND, roundingPrecision: 2 }),
    events: [ev('2026-01-01', { v: 1 })],
    query: { chargesDurationDays: 3 },
    expect: { value: '3.33', totalAggregatedUnits: '1' },
  },
];
