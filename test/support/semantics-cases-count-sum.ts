import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { ev, exclude, filter, metric, times, type SemanticsCase } from './semantics';

const { COUNT_AGG, SUM_AGG } = AggregationType;

/** SPEC §3.1–3.2, §3.7–3.8 (window [2026-01-01, 2026-01-11)). */
export const COUNT_SUM_CASES: SemanticsCase[] = [
  {
    name: 'count: an empty window is 0',
    metric: metric(COUNT_AGG),
    events: [ev('2025-12-31T23:59:59.999'), ev('2026-01-11')],
    expect: { value: '0', eventsCount: '0' },
  },
  {
    name: 'count: at from counted, at to not, 1 ms before to counted',
    metric: metric(COUNT_AGG),
    events: [ev('2026-01-01'), ev('2026-01-11'), ev('2026-01-10T23:59:59.999')],
    expect: { value: '2', eventsCount: '2' },
  },
  {
    name: 'count: filter is AND across keys, OR within a key; a missing key never matches',
    metric: metric(COUNT_AGG),
    events: [
      ev('2026-01-02', { region: 'eu', cloud: 'aws' }),
      ev('2026-01-02', { region: 'eu', cloud: 'gcp' }),
      ev('2026-01-02', { region: 'us', cloud: 'aws' }),
      ev('2026-01-02', { region: 'eu' }),
      ev('2026-01-02', { cloud: 'aws' }),
      ev('2026-01-02', { region: 'eu', cloud: 'azure' }),
    ],
    query: { filter: filter({ region: ['eu'], cloud: ['aws', 'gcp'] }) },
    expect: { value: '2', eventsCount: '2' },
  },
  {
    name: 'count: a filter on "" matches an empty property, never a missing one',
    metric: metric(COUNT_AGG),
    events: [ev('2026-01-02', { region: '' }), ev('2026-01-02', {}), ev('2026-01-02', { region: 'eu' })],
    query: { filter: filter({ region: [''] }) },
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'count: exclude drops a match of any set; a missing property counts as ""',
    metric: metric(COUNT_AGG),
    events: [
      ev('2026-01-02', { city: 'caen' }),
      ev('2026-01-02', { city: 'paris', country: 'fr' }),
      ev('2026-01-02', { country: 'fr' }),
      ev('2026-01-02', {}),
      ev('2026-01-02', { city: 'london', country: 'uk' }),
    ],
    query: { exclude: exclude({ city: ['caen'] }, { city: [''], country: ['fr'] }) },
    expect: { value: '3', eventsCount: '3' },
  },
  {
    name: 'count: a transaction id counts once',
    metric: metric(COUNT_AGG),
    events: times(3, ev('2026-01-02', {}, { transactionId: 'same' })),
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'count: grouped_by; a missing or empty value is a null key; the total stays ungrouped',
    metric: metric(COUNT_AGG),
    events: [
      ...times(2, ev('2026-01-02', { agent: 'a' })),
      ev('2026-01-02', { agent: 'b' }),
      ev('2026-01-02', {}),
      ev('2026-01-02', { agent: '' }),
      ev('2026-01-02', { agent: 1 }),
      ev('2026-01-02', { agent: '1' }),
    ],
    query: { groupedBy: ['agent'] },
    expect: {
      value: '7',
      eventsCount: '7',
      groups: [
        [{ agent: 'a' }, [], '2', '2'],
        [{ agent: 'b' }, [], '1', '1'],
        [{ agent: '1' }, [], '2', '2'],
        [{}, ['agent'], '2', '2'],
      ],
    },
  },
  {
    name: 'sum: ten events of "0.1" are exactly 1',
    metric: metric(SUM_AGG),
    events: times(10, ev('2026-01-02', { v: '0.1' })),
    expect: { value: '1', eventsCount: '10' },
  },
  {
    name: 'sum: JSON numbers are their shortest decimal (0.1 + 0.2 = 0.3)',
    metric: metric(SUM_AGG),
    events: [ev('2026-01-02', { v: 0.1 }), ev('2026-01-02', { v: 0.2 })],
    expect: { value: '0.3', eventsCount: '2' },
  },
  {
    name: 'sum: exact beyond 15 significant digits',
    metric: metric(SUM_AGG),
    events: [ev('2026-01-02', { v: '123456789012345678.123456789' }), ev('2026-01-03', { v: '0.000000001' })],
    expect: { value: '123456789012345678.12345679', eventsCount: '2' },
  },
  {
    name: 'sum: 38 integer and 20 fraction digits stay exact',
    metric: metric(SUM_AGG),
    events: times(2, ev('2026-01-02', { v: '12345678901234567890123456789012345678.12345678901234567891' })),
    expect: { value: '24691357802469135780246913578024691356.24691357802469135782', eventsCount: '2' },
  },
  {
    name: 'sum: leading and trailing zeros are free; a 21st significant decimal or 39th integer digit is not numeric',
    metric: metric(SUM_AGG),
    events: [
      ev('2026-01-02', { v: `1.5${'0'.repeat(30)}` }),
      ev('2026-01-02', { v: `${'0'.repeat(40)}2` }),
      ev('2026-01-02', { v: `0.${'0'.repeat(20)}1` }),
      ev('2026-01-02', { v: '9'.repeat(39) }),
    ],
    expect: { value: '3.5', eventsCount: '2' },
  },
  {
    name: 'sum: negatives are allowed',
    metric: metric(SUM_AGG),
    events: [ev('2026-01-02', { v: '5' }), ev('2026-01-03', { v: -7.5 })],
    expect: { value: '-2.5', eventsCount: '2' },
  },
  {
    name: 'sum: missing or non-numeric values are left out, and out of events_count',
    metric: metric(SUM_AGG),
    events: [
      ...[{ v: 'abc' }, { v: '1e5' }, { v: true }, { v: { a: 1 } }, { v: [1] }, {}, { v: null }, { v: '' }]
        .concat([{ v: '.5' }, { v: '1.' }, { v: ' 1' }, { v: '+1' }])
        .map((p) => ev('2026-01-02', p)),
      ev('2026-01-02', { v: 2 }),
      ev('2026-01-02', { v: '3.50' }),
    ],
    expect: { value: '5.5', eventsCount: '2' },
  },
  {
    name: 'sum: at from counted, at to not, 1 ms before to counted',
    metric: metric(SUM_AGG),
    events: [
      ev('2026-01-01', { v: 1 }),
      ev('2026-01-11', { v: 10 }),
      ev('2026-01-10T23:59:59.999', { v: 100 }),
      ev('2025-12-31T23:59:59.999', { v: 1000 }),
    ],
    expect: { value: '101', eventsCount: '2' },
  },
  {
    name: 'sum: recurring reads all history before to',
    metric: metric(SUM_AGG, { recurring: true }),
    events: [ev('2025-06-01', { v: 1 }), ev('2026-01-05', { v: 10 }), ev('2026-01-11', { v: 100 })],
    expect: { value: '11', eventsCount: '2' },
  },
  {
    name: 'sum: the first event of a transaction id wins',
    metric: metric(SUM_AGG),
    events: [
      ev('2026-01-02', { v: 1 }, { transactionId: 'k' }),
      ev('2026-01-03', { v: 100 }, { transactionId: 'k' }),
    ],
    expect: { value: '1', eventsCount: '1' },
  },
  {
    name: 'sum: filter, exclude and grouped_by together',
    metric: metric(SUM_AGG),
    events: [
      ev('2026-01-02', { v: 1, region: 'eu', tier: 'a' }),
      ev('2026-01-02', { v: 2, region: 'eu', tier: 'b' }),
      ev('2026-01-02', { v: 4, region: 'us', tier: 'a' }),
      ev('2026-01-02', { v: 8, region: 'eu' }),
    ],
    query: { filter: filter({ region: ['eu'] }), exclude: exclude({ tier: ['b'] }), groupedBy: ['tier'] },
    expect: {
      value: '9',
      eventsCount: '2',
      groups: [
        [{ tier: 'a' }, [], '1', '1'],
        [{}, ['tier'], '8', '1'],
      ],
    },
  },
  {
    name: 'sum: precise_total_amount_cents is summed over the selected events only',
    metric: metric(SUM_AGG),
    events: [
      ev('2026-01-02', { v: 1 }, { preciseTotalAmountCents: '10.5' }),
      ev('2026-01-02', { v: 2 }, { preciseTotalAmountCents: '0.25' }),
      ev('2026-01-02', { v: 3 }),
      ev('2026-01-02', { v: 'abc' }, { preciseTotalAmountCents: '100' }),
      ev('2026-01-11', { v: 4 }, { preciseTotalAmountCents: '1000' }),
    ],
    expect: { value: '6', eventsCount: '3', preciseTotalAmountCents: '10.75' },
  },
  {
    name: 'count: precise_total_amount_cents is "0" when no event carries it',
    metric: metric(COUNT_AGG),
    events: [ev('2026-01-02')],
    expect: { value: '1', preciseTotalAmountCents: '0' },
  },
];
