/**
 * Async iteration over a target's pages. Each helper asks for the next page only when the caller has
 * consumed the previous one, and throws the signal's reason when ctx.signal aborts: a listing cut short
 * must never look complete (the reconciler would report everything after the cut as missing).
 */

export interface Page<T, C> {
  items: readonly T[];
  /** Where the next page starts; undefined or empty on the last page. */
  next?: C;
}

/** Cursor or page-token style (Google `pageToken`, IAM `Marker`, GitHub `Link` URLs). */
export async function* paginate<T, C = string>(
  fetchPage: (cursor: C | undefined) => Promise<Page<T, C>>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  let cursor: C | undefined;
  do {
    signal.throwIfAborted();
    const page = await fetchPage(cursor);
    for (const item of page.items) {
      signal.throwIfAborted();
      yield item;
    }
    cursor = page.next === '' ? undefined : page.next;
  } while (cursor !== undefined && cursor !== null);
}

export interface IndexPage<T> {
  items: readonly T[];
  /** Total across all pages, when the target reports it (SCIM totalResults). */
  total?: number;
}

/** 1-based startIndex/count style (SCIM, RFC 7644 §3.4.2.4). Stops on a short or empty page or at `total`. */
export function paginateByIndex<T>(
  fetchPage: (startIndex: number, count: number) => Promise<IndexPage<T>>,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<T> {
  return paginate<T, number>(async (cursor) => {
    const startIndex = cursor ?? 1;
    const page = await fetchPage(startIndex, pageSize);
    const nextIndex = startIndex + page.items.length;
    const more = page.items.length > 0 && (page.total === undefined ? page.items.length >= pageSize : nextIndex <= page.total);
    return { items: page.items, next: more ? nextIndex : undefined };
  }, signal);
}

/** The `rel="next"` URL of an RFC 8288 Link header (GitHub paging), or undefined. */
export function nextLink(linkHeader: string | null | undefined): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of linkHeader.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = match && /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(match[2]);
    // rel may hold several space-separated relation types (RFC 8288 §3.3).
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}
