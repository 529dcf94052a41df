import SCIMMY from 'scimmy';
import type { Request, Response } from 'express';
import type { Page, StoredResource } from '../store/resource-query';
import { FilterError } from '../store/filter';
import type { ScimContext } from './context';
import { sendScimError, toScimError } from './errors';
import { groupOut } from './groups-resource';
import { listQueryOf } from './list-query';
import { listResponse } from './resource-output';
import { ScimUsers, projectedUser } from './users-resource';

const EMPTY: Page<StoredResource> = { total: 0, items: [] };

/**
 * POST /.search across Users and Groups (RFC 7644 3.4.3), paged in SQL: users first, then groups,
 * with startIndex/count running over the concatenation. scimmy's own version reads every resource.
 * A filter naming attributes only one type has matches nothing of the other type.
 */
export function rootSearch(contextOf: (req: Request) => ScimContext) {
  return (req: Request, res: Response): void => {
    const ctx = contextOf(req);
    try {
      const search = new SCIMMY.Messages.SearchRequest(req.body);
      const params = {
        ...(search.filter ? { filter: search.filter } : {}),
        ...(search.attributes ? { attributes: search.attributes.join(',') } : {}),
        ...(search.excludedAttributes ? { excludedAttributes: search.excludedAttributes.join(',') } : {}),
        sortBy: search.sortBy,
        sortOrder: search.sortOrder,
        startIndex: search.startIndex,
        count: search.count,
      };
      const parsed = new ScimUsers(undefined, params);
      const query = listQueryOf(parsed, ctx.maxResults);
      const [users, groups] = pages(
        () => ctx.store.users.list(query),
        (usersTotal, usersShown) =>
          ctx.store.groups.list({ ...query, startIndex: Math.max(1, query.startIndex - usersTotal), count: query.count - usersShown }),
      );
      const resources = [
        ...users.items.map((stored) => projectedUser(stored, ctx, parsed.attributes)),
        ...groups.items.map((stored) => groupOut(stored, ctx, parsed.attributes)),
      ];
      res.status(200).type('application/scim+json').send(listResponse({ total: users.total + groups.total, items: [] }, query, resources));
    } catch (error) {
      const failure = toScimError(error, ctx.onUnexpected);
      sendScimError(res, failure.status, failure.message, failure.scimType ?? undefined);
    }
  };
}

/** Runs both lists; a filter that fails for one type only makes that type empty, failing for both is an error. */
function pages(
  users: () => Page<StoredResource>,
  groups: (usersTotal: number, usersShown: number) => Page<StoredResource>,
): [Page<StoredResource>, Page<StoredResource>] {
  let firstError: unknown;
  let userPage = EMPTY;
  try {
    userPage = users();
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    firstError = error;
  }
  try {
    return [userPage, groups(userPage.total, userPage.items.length)];
  } catch (error) {
    if (!(error instanceof FilterError) || firstError !== undefined) throw error;
    return [userPage, EMPTY];
  }
}
