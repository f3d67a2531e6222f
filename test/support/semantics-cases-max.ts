import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { ev, exclude, filter, metric, type SemanticsCase } from './semantics';

const { MAX_AGG } = AggregationType;

/** SPEC §3.3 (window [2026-01-01, 2026-01-11)). */
export const MAX_CASES: SemanticsCase[] = [
  {
    name: 'max: all negative is not clamped',
    metric: metric(MAX_AGG),
    events: [ev('2026-01-02', { v: -3 }), ev('2026-01-03', { v: '-1' }), ev('2026-01-04', { v: -2 })],
    expect: { value: '-1', eventsCount: '3' },
  },
  {
    name: 'max: an empty window is 0',
    metric: metric(MAX_AGG),
    events: [ev('2026-01-11', { v: 5 })],
    expect: { value: '0', eventsCount: '0' },
  },
  {
    name: 'max: non-numeric values ("1e5" too) are left out; decimals compare exactly',
    metric: metric(MAX_AGG),
    events: [
      ev('2026-01-02', { v: '1e5' }),
      ev('2026-01-02', { v: 'abc' }),
      ev('2026-01-02', { v: '99999999999999999999' }),
      ev('2026-01-02', { v: '99999999999999999999.00000000000000000001' }),
    ],
    expect: { value: '99999999999999999999.00000000000000000001', eventsCount: '2' },
  },
  {
    name: 'max: window bounds',
    metric: metric(MAX_AGG),
    events: [
      ev('2026-01-11', { v: 100 }),
      ev('2026-01-01', { v: 5 }),
      ev('2026-01-10T23:59:59.999', { v: 7 }),
      ev('2025-12-31T23:59:59.999', { v: 1000 }),
    ],
    expect: { value: '7', eventsCount: '2' },
  },
  {
    name: 'max: filter, exclude and grouped_by',
    metric: metric(MAX_AGG),
    events: [
      ev('2026-01-02', { v: 3, g: 'a', r: 'eu' }),
      ev('2026-01-02', { v: 9, g: 'a', r: 'us' }),
      ev('2026-01-02', { v: 5, g: 'b', r: 'eu' }),
      ev('2026-01-02', { v: 50, g: 'b', r: 'eu', test: 'yes' }),
    ],
    query: { filter: filter({ r: ['eu'] }), exclude: exclude({ test: ['yes'] }), groupedBy: ['g'] },
    expect: {
      value: '5',
      eventsCount: '2',
      groups: [
        [{ g: 'a' }, [], '3', '1'],
        [{ g: 'b' }, [], '5', '1'],
      ],
    },
  },
];
