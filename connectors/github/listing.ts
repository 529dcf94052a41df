import type { OpContext } from '../sdk/contract';
import { nextLink, paginate } from '../sdk/paginate';
import type { GithubClient } from './client';

/**
 * Every item of a GitHub listing, following `Link: <…>; rel="next"` one page at a time (the next page is
 * fetched only when the previous one is consumed) and stopping when ctx.signal aborts.
 */
export function listAll<T>(
  client: GithubClient,
  route: string,
  params: Record<string, unknown>,
  ctx: OpContext,
  pageSize: number = client.pageSize,
): AsyncGenerator<T> {
  return paginate<T, string>(async (next) => {
    const response = await client.call(ctx, (octokit, options) =>
      next
        ? octokit.request({ method: 'GET', url: next, ...options })
        : octokit.request(route, { org: client.org, per_page: pageSize, ...params, ...options }),
    );
    return { items: response.data as T[], next: nextLink(response.headers.link) };
  }, ctx.signal);
}

/** The first item a listing yields that matches, reading no further pages than needed. */
export async function findIn<T>(items: AsyncIterable<T>, matches: (item: T) => boolean): Promise<T | undefined> {
  for await (const item of items) if (matches(item)) return item;
  return undefined;
}
