import type SCIMMY from 'scimmy';
import type { ListQuery } from '../store/resource-query';

/** The SQL page a scimmy resource instance asks for: count defaults to and is capped by maxResults. */
/** `filter` is the raw SCIM filter, which scimmy never parses (see plainQuery). */
export function listQueryOf(resource: SCIMMY.Types.Resource, maxResults: number, filter: string | undefined): ListQuery {
  const constraints = resource.constraints ?? {};
  const startIndex = Math.max(1, Number.isInteger(constraints.startIndex) ? Number(constraints.startIndex) : 1);
  const count = Math.min(maxResults, Math.max(0, Number.isInteger(constraints.count) ? Number(constraints.count) : maxResults));
  return {
    filter,
    sortBy: constraints.sortBy,
    sortOrder: constraints.sortOrder,
    startIndex,
    count,
  };
}
