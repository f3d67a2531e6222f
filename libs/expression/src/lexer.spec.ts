import { ExpressionError } from './errors';
import { MAX_SOURCE_LENGTH, tokenize } from './lexer';

function summary(source: string): string[] {
  return tokenize(source).map((token) => `${token.type}:${token.text}@${token.position}`);
}

function lexError(source: string): string {
  try {
    tokenize(source);
  } catch (error) {
    if (error instanceof ExpressionError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(source)}`);
}

describe('tokenize', () => {
  it.each([
    ['12', ['number:12@1', 'end:@3']],
    ['00012.1', ['number:00012.1@1', 'end:@8']],
    ["'a\\nb'", ['string:a\\nb@1', 'end:@7']],
    ["''", ['string:@1', 'end:@3']],
    ['event.properties.a_b2', ['word:event.properties.a_b2@1', 'end:@22']],
    ['1e3', ['number:1@1', 'word:e3@2', 'end:@4']],
    [' (1+2) ', ['(:(@2', 'number:1@3', '+:+@4', 'number:2@5', '):)@6', 'end:@8']],
    [
      'a,b*c/d-e',
      [
        'word:a@1',
        ',:,@2',
        'word:b@3',
        '*:*@4',
        'word:c@5',
        '/:/@6',
        'word:d@7',
        '-:-@8',
        'word:e@9',
        'end:@10',
      ],
    ],
    ['', ['end:@1']],
  ])('%s', (source, expected) => {
    expect(summary(source)).toEqual(expected);
  });

  it.each([
    ['"abc"', `parse_error: unexpected character '"' at position 1`],
    ['1 +\t2', 'parse_error: unexpected character tab at position 4'],
    ['1\n', 'parse_error: unexpected character U+000A at position 2'],
    ['.5', "parse_error: unexpected character '.' at position 1"],
    ['1.1.1', "parse_error: unexpected character '.' at position 4"],
    ['1.', 'parse_error: expected a digit after the decimal point at position 3'],
    ['12.x', 'parse_error: expected a digit after the decimal point at position 4'],
    ["concat('abc", 'parse_error: unterminated string at position 8'],
    ['event.properties.', "parse_error: unexpected character '.' at position 17"],
    ['_a', "parse_error: unexpected character '_' at position 1"],
    ['1 % 2', "parse_error: unexpected character '%' at position 3"],
    ['1 😀', "parse_error: unexpected character '😀' at position 3"],
  ])('%s fails', (source, message) => {
    expect(lexError(source)).toBe(message);
  });

  it('refuses sources longer than the limit', () => {
    expect(() => tokenize('1'.repeat(MAX_SOURCE_LENGTH))).not.toThrow();
    expect(lexError('1'.repeat(MAX_SOURCE_LENGTH + 1))).toBe(
      `parse_error: expression longer than 4096 characters at position 4097`,
    );
  });
});
