/**
 * Exact decimals in ClickHouse (SPEC §4.1).
 *
 * Every aggregated value is cast to Decimal(76, 20) (Decimal256): 20 digits after the point and 56
 * before it. A property value counts as numeric only if it fits with room to spare: at most 38
 * significant digits before the point and 20 after it (leading and trailing zeros are free:
 * "007" and "1.5000000000000000000000000" are exact). A sum of up to 10^18 such values cannot overflow, and
 * nothing is ever rounded on the way in. Values outside these limits (or not plain decimals) are
 * treated as non-numeric: excluded from sum/max/latest/weighted_sum and flagged at ingestion with
 * the warning `invalid_aggregation_property`.
 */
export const DECIMAL_TYPE = 'Decimal(76, 20)';
export const MAX_INTEGER_DIGITS = 38;
export const MAX_FRACTION_DIGITS = 20;

/** One rule, in SQL (usage queries, re2) and in TypeScript (ingestion warnings). */
const INTEGER = `0*[0-9]{1,${MAX_INTEGER_DIGITS}}`;
const FRACTION = `[0-9]{1,${MAX_FRACTION_DIGITS}}0*`;
export const NUMERIC_VALUE_SQL = `^-?${INTEGER}([.]${FRACTION})?$`;
export const NUMERIC_VALUE = new RegExp(NUMERIC_VALUE_SQL);

export function isStorableDecimal(text: string): boolean {
  return NUMERIC_VALUE.test(text);
}
