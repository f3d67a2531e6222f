import { canonical, Decimal, fromDouble } from '../../common/src/decimal';
import { ExpressionError } from './errors';

export type ExpressionValue = { kind: 'number'; value: Decimal } | { kind: 'string'; value: string };

/** The event an expression reads: `timestamp` in Unix seconds, `properties` plain JSON values. */
export interface ExpressionEvent {
  code: string;
  timestamp: number;
  properties: Record<string, unknown>;
}

/** A property string is a number when it reads as a decimal, exponent forms included (`1e3`, `-5`). */
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;
/** Past this exponent a value would print thousands of digits; such text stays a string. */
const MAX_TEXT_EXPONENT = 1000;

export function numberValue(value: Decimal): ExpressionValue {
  return { kind: 'number', value };
}

export function stringValue(value: string): ExpressionValue {
  return { kind: 'string', value };
}

/** Numbers print as canonical decimals (`3.00` → `3`), strings as they are. */
export function formatValue(value: ExpressionValue): string {
  return value.kind === 'number' ? canonical(value.value) : value.value;
}

/** The decimal of a value that must be a number; `what` names the place for the message. */
export function asDecimal(value: ExpressionValue, what: string): Decimal {
  if (value.kind === 'number') return value.value;
  throw new ExpressionError(
    'expected_decimal',
    `${what} needs a number, got the string '${excerpt(value.value)}'`,
  );
}

/** Keeps messages short whatever the input: at most 40 characters of a string are quoted. */
function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A decimal read from text, or undefined when the text is not one (see DECIMAL_TEXT). */
export function decimalFromText(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  if (match[2] !== undefined && Math.abs(Number(match[2])) > MAX_TEXT_EXPONENT) return undefined;
  return new Decimal(text);
}

/**
 * The value of `event.properties.<name>`. JSON numbers are the decimal of `String(n)` (SPEC §2.2
 * rule 10); decimal-looking strings are numbers; other strings stay strings. Beyond the spec:
 * - null (and an absent key) is `missing_variable`: null carries no value to compute with;
 * - booleans are the strings `true` / `false`, so `concat` can show them and arithmetic refuses them;
 * - objects and arrays are their JSON text, for the same reason.
 */
export function propertyValue(properties: Record<string, unknown>, name: string): ExpressionValue {
  const raw = Object.hasOwn(properties, name) ? properties[name] : undefined;
  if (raw === undefined || raw === null) throw missing(`event.properties.${name}`);
  switch (typeof raw) {
    case 'number':
      return Number.isFinite(raw) ? numberValue(fromDouble(raw)) : stringValue(String(raw));
    case 'bigint':
      return numberValue(new Decimal(raw.toString()));
    case 'string': {
      const decimal = decimalFromText(raw);
      return decimal ? numberValue(decimal) : stringValue(raw);
    }
    case 'boolean':
      return stringValue(String(raw));
    default:
      return stringValue(jsonText(raw) ?? String(raw));
  }
}

/** `event.timestamp`: integer Unix seconds; anything else was never a valid event time. */
export function timestampValue(timestamp: unknown): ExpressionValue {
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw missing('event.timestamp');
  return numberValue(fromDouble(timestamp));
}

export function missing(variable: string): ExpressionError {
  return new ExpressionError('missing_variable', `${variable} is not set`);
}

function jsonText(raw: unknown): string | undefined {
  try {
    return JSON.stringify(raw);
  } catch {
    return undefined; // not plain JSON (a cycle): fall back to String()
  }
}
