import SCIMMY from 'scimmy';
import type { StoredResource } from '../store/resource-query';
import type { ListQuery, Page } from '../store/resource-query';
import { etagOf } from './etag';
import { applyProjection, omits, projectionOf } from './projection';

type Json = Record<string, unknown>;

/** The SCIM representation of a stored resource: body + id + meta built from the row's columns. */
export function resourceOut(stored: StoredResource, resourceType: 'User' | 'Group', basepath: string, extra?: Json): Json {
  return {
    ...stored.resource,
    id: stored.id,
    ...extra,
    meta: {
      resourceType,
      created: stored.created,
      lastModified: stored.lastModified,
      version: etagOf(stored.version),
      location: `${basepath}/${stored.id}`,
    },
  };
}

/** Applies attributes/excludedAttributes (RFC 7644 3.9): id, schemas and meta always stay. */
export function project(out: Json, attributes: SCIMMY.Types.Filter | undefined): Json {
  return applyProjection(out, projectionOf(attributes));
}

export interface ListBody {
  schemas: string[];
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  Resources: Json[];
}

/** A ListResponse for one SQL page; built directly so scimmy cannot re-slice an already paged list. */
export function listResponse(page: Page<unknown>, query: ListQuery, resources: Json[]): ListBody {
  return {
    schemas: [SCIMMY.Messages.ListResponse.id],
    totalResults: page.total,
    itemsPerPage: resources.length,
    startIndex: query.startIndex,
    Resources: resources,
  };
}

/** Whether attributes/excludedAttributes leave `name` out, so it need not be loaded. */
export function omitsAttribute(attributes: SCIMMY.Types.Filter | undefined, name: string): boolean {
  return omits(projectionOf(attributes), name);
}
