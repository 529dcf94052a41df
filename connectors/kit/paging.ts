/**
 * Paging helpers for fakes: slice a collection by page size and an opaque token, as real APIs do
 * (the token is deliberately not a readable number, so a connector cannot depend on its shape).
 */
export interface TokenPage<T> {
  items: T[];
  /** Undefined on the last page. */
  nextToken?: string;
}

export function pageByToken<T>(items: readonly T[], pageSize: number, token?: string): TokenPage<T> {
  const offset = token ? decodePageToken(token) : 0;
  const end = offset + pageSize;
  return { items: items.slice(offset, end), nextToken: end < items.length ? encodePageToken(end) : undefined };
}

/** SCIM style: 1-based startIndex and count (RFC 7644 §3.4.2.4). */
export function pageByIndex<T>(items: readonly T[], startIndex: number, count: number): T[] {
  const start = Math.max(1, startIndex) - 1;
  return items.slice(start, start + Math.max(0, count));
}

export function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

/** Throws on a token this fake never issued, like a real API answering 400. */
export function decodePageToken(token: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new InvalidPageTokenError(token);
  return Number(match[1]);
}

export class InvalidPageTokenError extends Error {
  constructor(token: string) {
    super(`invalid page token ${JSON.stringify(token)}`);
    this.name = 'InvalidPageTokenError';
  }
}
