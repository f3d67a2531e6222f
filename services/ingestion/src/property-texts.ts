import { canonical, fromDouble } from '../../../libs/common/src/decimal';

/**
 * The text of each top-level property, as filters, grouping and aggregation values read it
 * (SPEC §3): strings as they are, numbers as canonical decimals (SPEC §2.2 rule 10), booleans as
 * true/false, objects and lists as JSON. A null property has no text: it is missing.
 */
export function propertyText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? canonical(fromDouble(value)) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

export function propertyTexts(properties: Record<string, unknown>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    const text = propertyText(value);
    if (text !== undefined) texts[key] = text;
  }
  return texts;
}
