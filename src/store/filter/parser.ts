import { compareOperators, type AttributePath, type CompareOperator, type FilterNode, type Literal } from './ast';
import { parseAttributePath, isSubAttributeName } from './attribute-path';
import { FilterError } from './filter-error';
import { tokenize, type Token } from './lexer';

export const maxFilterLength = 65_536;
export const maxNestingDepth = 16;

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2) into a tree. Precedence: not > and > or; `( )` groups;
 * `attr[filter]` value paths, optionally followed by `.subAttribute op value`.
 */
export function parseFilter(expression: string): FilterNode {
  if (expression.length > maxFilterLength) {
    throw new FilterError(`filter is ${expression.length} characters long; the limit is ${maxFilterLength}`);
  }
  if (expression.trim() === '') throw new FilterError('filter is empty');
  return new Parser(tokenize(expression)).parseAll();
}

class Parser {
  private index = 0;
  private depth = 0;
  private insideValuePath = false;

  constructor(private readonly tokens: Token[]) {}

  parseAll(): FilterNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next, 'expected "and", "or" or the end of the filter');
    return node;
  }

  private parseOr(): FilterNode {
    return this.parseChain('or', () => this.parseAnd());
  }

  private parseAnd(): FilterNode {
    return this.parseChain('and', () => this.parseUnary());
  }

  private parseChain(keyword: 'and' | 'or', parseOperand: () => FilterNode): FilterNode {
    const operands = [parseOperand()];
    while (this.peekKeyword(keyword)) {
      this.index += 1;
      operands.push(parseOperand());
    }
    return operands.length === 1 ? operands[0] : { kind: keyword, operands };
  }

  private parseUnary(): FilterNode {
    const token = this.peek();
    if (this.peekKeyword('not')) {
      this.index += 1;
      if (this.peek().kind !== '(') throw this.unexpected(this.peek(), 'expected "(" after "not"');
      return { kind: 'not', operand: this.parseGroup() };
    }
    if (token.kind === '(') return this.parseGroup();
    if (token.kind === 'word') return this.parseAttributeExpression();
    throw this.unexpected(token, 'expected an attribute, "(" or "not"');
  }

  private parseGroup(): FilterNode {
    const open = this.next();
    return this.nested(open, () => {
      const node = this.parseOr();
      this.expect(')', `expected ")" to close the "(" at position ${open.position}`);
      return node;
    });
  }

  private parseAttributeExpression(): FilterNode {
    const token = this.next();
    const path = parseAttributePath(token.text, token.position);
    if (this.peek().kind !== '[') return this.parseOperation(path);
    if (this.insideValuePath) throw this.unexpected(this.peek(), 'value paths cannot be nested');
    const open = this.next();
    const filter = this.nested(open, () => this.parseValueFilter(open));
    const subAttribute = this.parseValuePathSubAttribute();
    if (!subAttribute) return { kind: 'valuePath', path, filter };
    return { kind: 'valuePath', path, filter: { kind: 'and', operands: [filter, this.parseOperation(subAttribute)] } };
  }

  private parseValueFilter(open: Token): FilterNode {
    this.insideValuePath = true;
    try {
      const filter = this.parseOr();
      this.expect(']', `expected "]" to close the "[" at position ${open.position}`);
      return filter;
    } finally {
      this.insideValuePath = false;
    }
  }

  /** `emails[type eq "work"].value eq "x"`: the `.value` directly after `]`. */
  private parseValuePathSubAttribute(): AttributePath | undefined {
    const token = this.peek();
    if (token.kind !== 'word' || !token.text.startsWith('.')) return undefined;
    this.index += 1;
    const name = token.text.slice(1);
    if (!isSubAttributeName(name)) throw this.unexpected(token, 'expected a sub-attribute name after "]."');
    return { name, text: name, position: token.position + 1 };
  }

  private parseOperation(path: AttributePath): FilterNode {
    const token = this.next();
    const operator = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (operator === 'pr') return { kind: 'present', path };
    if (!compareOperators.includes(operator as CompareOperator)) {
      throw this.unexpected(token, `expected an operator (${compareOperators.join(' ')} pr) after ${JSON.stringify(path.text)}`);
    }
    return { kind: 'compare', path, operator: operator as CompareOperator, value: this.parseLiteral(operator) };
  }

  private parseLiteral(operator: string): Literal {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return token.value as Literal;
    const keyword = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (keyword === 'true') return true;
    if (keyword === 'false') return false;
    if (keyword === 'null') return null;
    throw this.unexpected(token, `expected a value ("quoted string", number, true, false or null) after "${operator}"`);
  }

  private nested<T>(open: Token, parse: () => T): T {
    if (this.depth >= maxNestingDepth) {
      throw new FilterError(`filter is nested more than ${maxNestingDepth} levels deep at position ${open.position}`);
    }
    this.depth += 1;
    const result = parse();
    this.depth -= 1;
    return result;
  }

  private expect(kind: Token['kind'], message: string): Token {
    const token = this.next();
    if (token.kind !== kind) throw this.unexpected(token, message);
    return token;
  }

  private peekKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private unexpected(token: Token, expectation: string): FilterError {
    const found = token.kind === 'end' ? 'the end of the filter' : JSON.stringify(token.text);
    return new FilterError(`${expectation} at position ${token.position}, found ${found}`);
  }
}
