import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { ev, exclude, filter, metric, times, type SemanticsCase } from './semantics';

const { LATEST_AGG, UNIQUE_COUNT_AGG } = AggregationType;
const remove = (v: unknown) => ({ v, operation_type: 'remove' });

/** SPEC §3.4–3.5 (window [2026-01-01, 2026-01-11)). */
export const LATEST_UNIQUE_CASES: SemanticsCase[] = [
  {
    name: 'latest: ties at the same timestamp: the one ingested last wins',
    metric: metric(LATEST_AGG),
    events: [ev('2026-01-05', { v: 1 }), ev('2026-01-05', { v: 3 }), ev('2026-01-05', { v: 2 })],
    expect: { value: '2', eventsCount: '3' },
  },
  {
    name: 'latest: the greatest timestamp wins, whatever the ingestion order',
    metric: metric(LATEST_AGG),
    events: [ev('2026-01-05', { v: 5 }), ev('2026-01-02', { v: 9 })],
    expect: { value: '5', eventsCount: '2' },
  },
  {
    name: 'latest: a negative result is reported as 0',
    metric: metric(LATEST_AGG),
    events: [ev('2026-01-02', { v: 7 }), ev('2026-01-03', { v: '-4' })],
    expect: { value: '0', eventsCount: '2' },
  },
  {
    name: 'latest: 1 ms before to counts, at to does not',
    metric: metric(LATEST_AGG),
    events: [
      ev('2026-01-10T23:59:59.999', { v: 3 }),
      ev('2026-01-11', { v: 99 }),
      ev('2026-01-01', { v: 1 }),
    ],
    expect: { value: '3', eventsCount: '2' },
  },
  {
    name: 'latest: a later non-numeric event is left out',
    metric: metric(LATEST_AGG),
    events: [ev('2026-01-02', { v: '4.25' }), ev('2026-01-03', { v: 'abc' }), ev('2026-01-04', {})],
    expect: { value: '4.25', eventsCount: '1' },
  },
  {
    name: 'latest: an empty window is 0',
    metric: metric(LATEST_AGG),
    events: [ev('2025-12-31', { v: 5 })],
    expect: { value: '0', eventsCount: '0' },
  },
  {
    name: 'latest: filter, exclude and grouped_by',
    metric: metric(LATEST_AGG),
    events: [
      ev('2026-01-02', { v: 1, g: 'a', r: 'eu' }),
      ev('2026-01-03', { v: 2, g: 'a', r: 'eu' }),
      ev('2026-01-04', { v: 3, g: 'a', r: 'us' }),
      ev('2026-01-05', { v: 4, g: 'b', r: 'eu', test: 'yes' }),
      ev('2026-01-01', { v: 5, g: 'b', r: 'eu' }),
    ],
    query: { filter: filter({ r: ['eu'] }), exclude: exclude({ test: ['yes'] }), groupedBy: ['g'] },
    expect: {
      value: '2',
      eventsCount: '3',
      groups: [
        [{ g: 'a' }, [], '2', '2'],
        [{ g: 'b' }, [], '5', '1'],
      ],
    },
  },
  {
    name: 'unique count: a remove before the add does not cancel it',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [ev('2026-01-02', remove('u1')), ev('2026-01-03', { v: 'u1' })],
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'unique count: add, remove is 0; add, remove, add is 1',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [
      ev('2026-01-02', { v: 'u1' }),
      ev('2026-01-03', remove('u1')),
      ev('2026-01-02', { v: 'u2', operation_type: 'add' }),
      ev('2026-01-03', remove('u2')),
      ev('2026-01-04', { v: 'u2' }),
    ],
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'unique count: timestamp order, not ingestion order',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [ev('2026-01-05', remove('u1')), ev('2026-01-02', { v: 'u1' })],
    expect: { value: '0', eventsCount: '0' },
  },
  {
    name: 'unique count: repeated adds count once; a number and its text are one value',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [
      ...times(3, ev('2026-01-02', { v: 'u1' })),
      ev('2026-01-02', { v: 7 }),
      ev('2026-01-03', { v: '7' }),
    ],
    expect: { value: '2', eventsCount: '2' },
  },
  {
    name: 'unique count: a missing property counts as the empty text',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [ev('2026-01-02', {}), ev('2026-01-02', { v: '' }), ev('2026-01-02', { v: 'a' })],
    expect: { value: '2', eventsCount: '2' },
  },
  {
    name: 'unique count: non-recurring reads only in-window events',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [
      ev('2025-12-31', { v: 'u1' }),
      ev('2026-01-05', remove('u1')),
      ev('2025-12-31', { v: 'u2' }),
      ev('2026-01-11', { v: 'u3' }),
      ev('2026-01-01', { v: 'u4' }),
      ev('2026-01-10T23:59:59.999', { v: 'u5' }),
    ],
    expect: { value: '2', eventsCount: '2' },
  },
  {
    name: 'unique count: recurring reads all history before to',
    metric: metric(UNIQUE_COUNT_AGG, { recurring: true }),
    events: [
      ev('2025-06-01', { v: 'u1' }),
      ev('2025-07-01', { v: 'u2' }),
      ev('2026-01-05', remove('u2')),
      ev('2026-01-11', { v: 'u3' }),
    ],
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'unique count: counted within each group; the total counts distinct values once',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [
      ev('2026-01-02', { v: 'u1', g: 'a' }),
      ev('2026-01-02', { v: 'u1', g: 'b' }),
      ev('2026-01-02', { v: 'u2', g: 'a' }),
      ev('2026-01-02', { v: 'u3', g: 'a', r: 'us' }),
    ],
    query: { exclude: exclude({ r: ['us'] }), groupedBy: ['g'] },
    expect: {
      value: '2',
      eventsCount: '2',
      groups: [
        [{ g: 'a' }, [], '2', '2'],
        [{ g: 'b' }, [], '1', '1'],
      ],
    },
  },
  {
    name: 'unique count: filter keeps only matching events',
    metric: metric(UNIQUE_COUNT_AGG),
    events: [
      ev('2026-01-02', { v: 'u1', r: 'eu' }),
      ev('2026-01-02', { v: 'u2', r: 'us' }),
      ev('2026-01-02', { v: 'u3' }),
    ],
    query: { filter: filter({ r: ['eu'] }) },
    expect: { value: '1', eventsCount: '1' },
  },
];
