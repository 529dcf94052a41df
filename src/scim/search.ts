import SCIMMY from 'scimmy';
import type { Request, Response } from 'express';
import { FilterError } from '../store/filter';
import type { Page, StoredResource } from '../store/resource-query';
import type { ScimContext } from './context';
import { sendScimError, toScimError } from './errors';
import { groupOut } from './groups-resource';
import { listQueryOf, pagingInteger, sortOrderOf } from './list-query';
import { isPlainObject } from './normalize';
import { listResponse } from './resource-output';
import { ScimUsers, projectedUser } from './users-resource';

const EMPTY: Page<StoredResource> = { total: 0, items: [] };

/**
 * POST /.search, /Users/.search and /Groups/.search (RFC 7644 3.4.3), paged in SQL. Across both
 * types, users come first, then groups, and startIndex/count run over the concatenation (scimmy's
 * version reads every resource). A filter naming attributes only one type has matches nothing of the
 * other type. The filter goes to the SQL compiler only: scimmy's parser rejects valid escaped quotes.
 */
export function search(contextOf: (req: Request) => ScimContext, types: { users: boolean; groups: boolean }) {
  return (req: Request, res: Response): void => {
    const ctx = contextOf(req);
    try {
      // Paging and sortOrder are read here, as GET reads them: scimmy refuses count 0, startIndex < 1 and "DESCENDING".
      const { startIndex, count, sortOrder, ...rest } = isPlainObject(req.body) ? req.body : {};
      const request = new SCIMMY.Messages.SearchRequest(isPlainObject(req.body) ? rest : req.body);
      const parsed = new ScimUsers(undefined, {
        ...(request.attributes ? { attributes: request.attributes.join(',') } : {}),
        ...(request.excludedAttributes ? { excludedAttributes: request.excludedAttributes.join(',') } : {}),
        sortBy: request.sortBy,
        sortOrder: sortOrderOf(sortOrder),
        startIndex: pagingInteger('startIndex', startIndex),
        count: pagingInteger('count', count),
      });
      const query = listQueryOf(parsed, ctx.maxResults, request.filter);
      const [users, groups] = pages(
        () => (types.users ? ctx.store.users.list(query) : EMPTY),
        (usersTotal, usersShown) =>
          types.groups ? ctx.store.groups.list({ ...query, startIndex: Math.max(1, query.startIndex - usersTotal), count: query.count - usersShown }) : EMPTY,
        types.users && types.groups,
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

/** Runs both lists; across types, a filter failing for one type only makes that type empty. */
function pages(
  users: () => Page<StoredResource>,
  groups: (usersTotal: number, usersShown: number) => Page<StoredResource>,
  acrossTypes: boolean,
): [Page<StoredResource>, Page<StoredResource>] {
  let firstError: unknown;
  let userPage = EMPTY;
  try {
    userPage = users();
  } catch (error) {
    if (!acrossTypes || !(error instanceof FilterError)) throw error;
    firstError = error;
  }
  try {
    return [userPage, groups(userPage.total, userPage.items.length)];
  } catch (error) {
    if (!acrossTypes || !(error instanceof FilterError) || firstError !== undefined) throw error;
    return [userPage, EMPTY];
  }
}
