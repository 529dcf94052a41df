import { nextLink, paginate, paginateByIndex } from './paginate';

const letters = 'abcdefg'.split('');

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('paginate (cursor / token)', () => {
  it('follows the cursor until a page has none', async () => {
    const cursors: Array<string | undefined> = [];
    const items = await collect(
      paginate<string>(async (cursor) => {
        cursors.push(cursor);
        const start = cursor ? Number(cursor) : 0;
        return { items: letters.slice(start, start + 3), next: start + 3 < letters.length ? String(start + 3) : undefined };
      }, new AbortController().signal),
    );
    expect(items).toEqual(letters);
    expect(cursors).toEqual([undefined, '3', '6']);
  });

  it('treats an empty-string token (Google) as the last page', async () => {
    let calls = 0;
    const items = await collect(paginate<string>(async () => ((calls += 1), { items: ['x'], next: '' }), new AbortController().signal));
    expect(items).toEqual(['x']);
    expect(calls).toBe(1);
  });

  it('fetches the next page only after the previous one is consumed, and stops when the signal aborts', async () => {
    const controller = new AbortController();
    let fetched = 0;
    const pages = paginate<number>(async () => ({ items: [++fetched, fetched], next: 'more' }), controller.signal);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of pages) {
          seen.push(item);
          if (seen.length === 3) controller.abort(new Error('shutting down'));
        }
      })(),
    ).rejects.toThrow('shutting down');
    expect(seen).toEqual([1, 1, 2]);
    expect(fetched).toBe(2);
  });

  it('makes no request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const fetchPage = jest.fn(async () => ({ items: [1] }));
    await expect(collect(paginate(fetchPage, controller.signal))).rejects.toThrow();
    expect(fetchPage).not.toHaveBeenCalled();
  });
});

describe('paginateByIndex (SCIM startIndex/count)', () => {
  const server = (total: number, cap = Infinity) =>
    jest.fn(async (startIndex: number, count: number) => {
      const items = Array.from({ length: total }, (_, index) => index + 1).slice(startIndex - 1, startIndex - 1 + Math.min(count, cap));
      return { items, total };
    });

  it('walks 1-based pages until totalResults', async () => {
    const fetchPage = server(7);
    expect(await collect(paginateByIndex(fetchPage, 2, new AbortController().signal))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(fetchPage.mock.calls).toEqual([[1, 2], [3, 2], [5, 2], [7, 2]]);
  });

  it('copes with a server that returns fewer than asked for', async () => {
    const fetchPage = server(5, 2);
    expect(await collect(paginateByIndex(fetchPage, 10, new AbortController().signal))).toEqual([1, 2, 3, 4, 5]);
    expect(fetchPage.mock.calls.map(([start]) => start)).toEqual([1, 3, 5]);
  });

  it('stops on an empty page even if totalResults promised more', async () => {
    const fetchPage = jest.fn(async () => ({ items: [], total: 50 }));
    expect(await collect(paginateByIndex(fetchPage, 10, new AbortController().signal))).toEqual([]);
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });
});

describe('nextLink', () => {
  it('finds rel="next" among several relations (GitHub style)', () => {
    const header =
      '<https://api.github.com/orgs/o/members?page=1>; rel="prev", <https://api.github.com/orgs/o/members?page=3>; rel="next", <https://api.github.com/orgs/o/members?page=9>; rel="last"';
    expect(nextLink(header)).toBe('https://api.github.com/orgs/o/members?page=3');
  });

  it('accepts unquoted and multi-valued rel', () => {
    expect(nextLink('<https://x/2>; rel=next')).toBe('https://x/2');
    expect(nextLink('<https://x/2>; rel="next last"')).toBe('https://x/2');
  });

  it('gives undefined on the last page or without a header', () => {
    expect(nextLink('<https://x/1>; rel="prev", <https://x/1>; rel="first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('<https://x/2>; rel="nextish"')).toBeUndefined();
  });
});
