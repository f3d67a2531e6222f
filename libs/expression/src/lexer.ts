import { parseError } from './errors';

export type TokenType = 'number' | 'string' | 'word' | '(' | ')' | ',' | '+' | '-' | '*' | '/' | 'end';

/** `position` is 1-based; `text` is the token's source text (a string token without its quotes). */
export interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly position: number;
}

/** Sources longer than this are refused before any work is done. */
export const MAX_SOURCE_LENGTH = 4096;

const PUNCTUATION = new Set(['(', ')', ',', '+', '-', '*', '/']);
const DIGITS = /[0-9]*/y;
const IDENTIFIER = /[A-Za-z][A-Za-z0-9_]*/y;

/**
 * Splits a source into tokens. A `word` is one identifier or several joined by dots with nothing in
 * between (`event.properties.a`), so `event .properties.a` can never read as a variable. Only the
 * space character separates tokens (SPEC §4.3); anything else unexpected is a parse error.
 */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw parseError(`expression longer than ${MAX_SOURCE_LENGTH} characters`, MAX_SOURCE_LENGTH + 1);
  }
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char === ' ') {
      index += 1;
      continue;
    }
    const token = readToken(source, index);
    tokens.push(token);
    index += token.type === 'string' ? token.text.length + 2 : token.text.length;
  }
  tokens.push({ type: 'end', text: '', position: source.length + 1 });
  return tokens;
}

function readToken(source: string, index: number): Token {
  const char = source[index];
  const position = index + 1;
  if (PUNCTUATION.has(char)) return { type: char as TokenType, text: char, position };
  if (isDigit(char)) return { type: 'number', text: readNumber(source, index), position };
  if (char === "'") return { type: 'string', text: readString(source, index), position };
  const word = readWord(source, index);
  if (word !== '') return { type: 'word', text: word, position };
  throw parseError(`unexpected character ${describe(source.codePointAt(index) ?? 0)}`, position);
}

/** Digits, then optionally a point and at least one digit. No sign, no exponent. */
function readNumber(source: string, index: number): string {
  const whole = matchAt(DIGITS, source, index);
  const point = index + whole.length;
  if (source[point] !== '.') return whole;
  const fraction = matchAt(DIGITS, source, point + 1);
  if (fraction === '') throw parseError('expected a digit after the decimal point', point + 2);
  return `${whole}.${fraction}`;
}

/** A single-quoted string without escapes: everything up to the next quote. */
function readString(source: string, index: number): string {
  const close = source.indexOf("'", index + 1);
  if (close === -1) throw parseError('unterminated string', index + 1);
  return source.slice(index + 1, close);
}

function readWord(source: string, index: number): string {
  let word = matchAt(IDENTIFIER, source, index);
  if (word === '') return '';
  for (;;) {
    const dot = index + word.length;
    if (source[dot] !== '.') return word;
    const next = matchAt(IDENTIFIER, source, dot + 1);
    if (next === '') return word;
    word = `${word}.${next}`;
  }
}

function matchAt(pattern: RegExp, source: string, index: number): string {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0] ?? '';
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/** Names invisible characters (`tab`, `U+000A`) so the message stays on one readable line. */
function describe(codePoint: number): string {
  if (codePoint === 0x09) return 'tab';
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) {
    return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${String.fromCodePoint(codePoint)}'`;
}
