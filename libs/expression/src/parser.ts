import { Decimal } from '../../common/src/decimal';
import { FUNCTION_NAMES, type FunctionName, type Node, type Operator, type Variable } from './ast';
import { ExpressionError, parseError } from './errors';
import { arity, FUNCTIONS } from './functions';
import { tokenize, type Token, type TokenType } from './lexer';

/** Parentheses and calls nested deeper than this are refused, so no input can exhaust the stack. */
export const MAX_DEPTH = 100;

const PROPERTY = /^event\.properties\.([A-Za-z][A-Za-z0-9_]*)$/;

/**
 * Parses SPEC §4.3 into an AST. Grammar, loosest first (binary operators are left associative):
 *   expression := term (('+' | '-') term)*
 *   term       := operand (('*' | '/') operand)*
 *   operand    := '-'? primary                       -- one unary minus per operand
 *   primary    := number | string | variable | name '(' arguments ')' | '(' expression ')'
 * A call's number of arguments is checked here (SPEC §4.3), so it is reported before any
 * evaluation error: no arguments at all is a `parse_error` (as Lago has it), any other count
 * outside the function's range `wrong_number_of_arguments`; both name the function and where.
 */
export function parse(source: string): Node {
  return new Parser(tokenize(source)).parseAll();
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parseAll(): Node {
    const node = this.expression();
    this.expect('end');
    return node;
  }

  private expression(): Node {
    return this.binaryChain(['+', '-'], () => this.term());
  }

  private term(): Node {
    return this.binaryChain(['*', '/'], () => this.operand());
  }

  private binaryChain(operators: Operator[], next: () => Node): Node {
    let left = next();
    while ((operators as TokenType[]).includes(this.peek().type)) {
      const operator = this.advance().type as Operator;
      left = { type: 'binary', operator, left, right: next(), position: left.position };
    }
    return left;
  }

  private operand(): Node {
    if (this.peek().type !== '-') return this.primary();
    const minus = this.advance();
    if (this.peek().type === '-') throw parseError('only one unary minus per operand', this.peek().position);
    return { type: 'negate', operand: this.primary(), position: minus.position };
  }

  private primary(): Node {
    const token = this.advance();
    switch (token.type) {
      case 'number':
        return { type: 'number', value: new Decimal(token.text), position: token.position };
      case 'string':
        return { type: 'string', value: token.text, position: token.position };
      case 'word':
        return this.peek().type === '(' ? this.call(token) : variable(token);
      case '(':
        return this.nested(token, () => {
          const inner = this.expression();
          this.expect(')');
          return inner;
        });
      default:
        throw unexpected(token);
    }
  }

  private call(nameToken: Token): Node {
    const name = functionName(nameToken);
    return this.nested(this.advance(), () => {
      const args: Node[] = [];
      if (this.peek().type !== ')') {
        args.push(this.expression());
        while (this.peek().type === ',') {
          this.advance();
          args.push(this.expression());
        }
      }
      this.expect(')');
      checkArgumentCount(name, args.length, nameToken.position);
      return { type: 'call', name, args, position: nameToken.position };
    });
  }

  private nested(open: Token, parseInner: () => Node): Node {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw parseError(`nesting deeper than ${MAX_DEPTH} levels`, open.position);
    const node = parseInner();
    this.depth -= 1;
    return node;
  }

  private expect(type: TokenType): Token {
    const token = this.advance();
    if (token.type !== type) throw unexpected(token, type === 'end' ? undefined : `'${type}'`);
    return token;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  /** The last token (`end`) is never passed, so peek() always has a token to show. */
  private advance(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'end') this.index += 1;
    return token;
  }
}

function checkArgumentCount(name: FunctionName, count: number, position: number): void {
  const { minArgs, maxArgs } = FUNCTIONS[name];
  if (count === 0) throw parseError(`${name}() needs at least one argument`, position);
  if (count < minArgs || count > maxArgs) {
    throw new ExpressionError(
      'wrong_number_of_arguments',
      `${name} takes ${arity(minArgs, maxArgs)}, got ${count} at position ${position}`,
    );
  }
}

/** `event.timestamp`, `event.code` or `event.properties.<name>`, spelled exactly so. */
function variable(token: Token): Node {
  const found = readVariable(token.text);
  if (found) return { type: 'variable', variable: found, position: token.position };
  if (asFunctionName(token.text)) {
    throw parseError(`expected '(' after function ${token.text}`, token.position + token.text.length);
  }
  throw parseError(`unknown variable '${token.text}'`, token.position);
}

function readVariable(text: string): Variable | undefined {
  if (text === 'event.timestamp') return { scope: 'timestamp' };
  if (text === 'event.code') return { scope: 'code' };
  const property = PROPERTY.exec(text);
  return property ? { scope: 'property', name: property[1] } : undefined;
}

function functionName(token: Token): FunctionName {
  const name = asFunctionName(token.text);
  if (!name) throw parseError(`unknown function '${token.text}'`, token.position);
  return name;
}

/** A known name spelled lower-case, UPPER-case or Capitalised; any other casing is unknown. */
function asFunctionName(text: string): FunctionName | undefined {
  const lower = text.toLowerCase();
  const name = FUNCTION_NAMES.find((candidate) => candidate === lower);
  if (!name) return undefined;
  const capitalised = lower[0].toUpperCase() + lower.slice(1);
  return text === lower || text === lower.toUpperCase() || text === capitalised ? name : undefined;
}

function unexpected(token: Token, expected?: string): Error {
  const found = token.type === 'end' ? 'end of expression' : quoteToken(token);
  const detail = expected ? `expected ${expected} but found ${found}` : `unexpected ${found}`;
  return parseError(detail, token.position);
}

/** At most 40 characters of a token are quoted, so a message stays short whatever the input. */
function quoteToken(token: Token): string {
  const text = token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text;
  return token.type === 'string' ? `string '${text}'` : `'${text}'`;
}
