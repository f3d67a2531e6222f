import { AggregationType } from '../../libs/contract/src/generated/client/metering/v1/common';
import { RoundingFunction } from '../../libs/contract/src/generated/client/metering/v1/registry';
import { ev, metric, type SemanticsCase } from './semantics';

const { SUM_AGG } = AggregationType;
const rounded = (type: AggregationType, fn: RoundingFunction, precision?: number) =>
  metric(type, { roundingFunction: fn, roundingPrecision: precision });

/** SPEC §3.7: the metric's rounding, once, on the final value (of each group). */
export const ROUNDING_CASES: SemanticsCase[] = [
  {
    name: 'sum: ROUND -1 rounds half away from zero to tens',
    metric: rounded(SUM_AGG, RoundingFunction.ROUND, -1),
    events: [ev('2026-01-02', { v: '-125' })],
    expect: { value: '-130' },
  },
  {
    name: 'sum: CEIL -2 goes toward +∞ in hundreds',
    metric: rounded(SUM_AGG, RoundingFunction.CEIL, -2),
    events: [ev('2026-01-02', { v: '123.456' })],
    expect: { value: '200' },
  },
  {
    name: 'sum: FLOOR -1 goes toward −∞ in tens',
    metric: rounded(SUM_AGG, RoundingFunction.FLOOR, -1),
    events: [ev('2026-01-02', { v: '-0.5' })],
    expect: { value: '-10' },
  },
  {
    name: 'sum: ROUND without precision never prints -0',
    metric: rounded(SUM_AGG, RoundingFunction.ROUND),
    events: [ev('2026-01-02', { v: '-0.4' })],
    expect: { value: '0' },
  },
  {
    name: 'sum: rounding applies to the total and to each group',
    metric: rounded(SUM_AGG, RoundingFunction.ROUND, 0),
    events: [ev('2026-01-02', { v: '0.4', g: 'a' }), ev('2026-01-02', { v: '0.4', g: 'b' })],
    query: { groupedBy: ['g'] },
    expect: {
      value: '1',
      groups: [
        [{ g: 'a' }, [], '0', '1'],
        [{ g: 'b' }, [], '0', '1'],
      ],
    },
  },
];
