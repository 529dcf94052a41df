import { FilterError } from './filter-error';

export type TokenKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string or number token. */
  value?: string | number;
  /** 1-based character position in the expression. */
  position: number;
}

const whitespace = /\s+/y;
const word = /[A-Za-z$.][A-Za-z0-9_:.$-]*/y;
const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_.])/y;
const jsonString = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const punctuation = new Set(['(', ')', '[', ']']);

/** Splits a filter expression into tokens; strings use JSON syntax (RFC 7644 compValue). */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < expression.length) {
    whitespace.lastIndex = index;
    if (whitespace.test(expression)) {
      index = whitespace.lastIndex;
      continue;
    }
    const token = readToken(expression, index);
    tokens.push(token);
    index += token.text.length;
  }
  tokens.push({ kind: 'end', text: '', position: expression.length + 1 });
  return tokens;
}

function readToken(expression: string, index: number): Token {
  const char = expression[index];
  const position = index + 1;
  if (punctuation.has(char)) return { kind: char as TokenKind, text: char, position };
  if (char === '"') return readString(expression, index);
  const numberText = match(number, expression, index);
  if (numberText !== undefined) return { kind: 'number', text: numberText, value: Number(numberText), position };
  const wordText = match(word, expression, index);
  if (wordText !== undefined) return { kind: 'word', text: wordText, position };
  throw new FilterError(`unexpected character ${JSON.stringify(char)} at position ${position}`);
}

function readString(expression: string, index: number): Token {
  const text = match(jsonString, expression, index);
  if (text === undefined) {
    throw new FilterError(`unterminated or invalid string starting at position ${index + 1} (strings are JSON: "…" with \\" \\\\ \\n \\uXXXX escapes)`);
  }
  return { kind: 'string', text, value: JSON.parse(text) as string, position: index + 1 };
}

function match(pattern: RegExp, text: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(text)?.[0];
}
