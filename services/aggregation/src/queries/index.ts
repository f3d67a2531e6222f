import { countQuery } from './count.query';
import { latestQuery } from './latest.query';
import { maxQuery } from './max.query';
import { sumQuery } from './sum.query';
import { uniqueCountQuery } from './unique-count.query';
import type { AggregationQueries } from './usage-query';
import { weightedSumQuery } from './weighted-sum.query';

/** One small query builder per aggregation type; a new type does not compile until it has one. */
export const AGGREGATION_QUERIES = {
  COUNT_AGG: countQuery,
  SUM_AGG: sumQuery,
  MAX_AGG: maxQuery,
  LATEST_AGG: latestQuery,
  UNIQUE_COUNT_AGG: uniqueCountQuery,
  WEIGHTED_SUM_AGG: weightedSumQuery,
} satisfies AggregationQueries;
