import SCIMMY from 'scimmy';
import type { StoredResource } from '../store/resource-query';
import type { ListQuery, Page } from '../store/resource-query';
import { etagOf } from './etag';
import { asInvalidValue } from './errors';

type Json = Record<string, unknown>;
type SchemaClass = typeof SCIMMY.Schemas.User | typeof SCIMMY.Schemas.Group;

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

/**
 * Applies attributes/excludedAttributes through scimmy, then puts back schemas and meta, which
 * RFC 7644 3.9 lets a client neither exclude nor forget to ask for (scimmy drops them).
 */
export function project(out: Json, schema: SchemaClass, attributes: SCIMMY.Types.Filter | undefined): Json {
  if (!attributes) return out;
  const projected = asInvalidValue(() => JSON.parse(JSON.stringify(new schema(out, 'out', undefined, attributes))) as Json);
  return { schemas: out.schemas, ...projected, id: out.id, meta: out.meta };
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

/** Whether an attributes/excludedAttributes filter leaves `members` out, so they need not be loaded. */
export function omitsAttribute(attributes: SCIMMY.Types.Filter | undefined, name: string): boolean {
  const expression = attributes?.expression;
  if (typeof expression !== 'string') return false;
  const terms = expression.split(/\s+and\s+/i).map((term) => term.trim().split(/\s+/));
  const lower = name.toLowerCase();
  const mentions = (attr: string) => attr.toLowerCase() === lower || attr.toLowerCase().startsWith(`${lower}.`);
  if (terms.some(([attr, op]) => op === 'np' && attr.toLowerCase() === lower)) return true;
  const inclusions = terms.filter(([, op]) => op === 'pr');
  return inclusions.length > 0 && !inclusions.some(([attr]) => mentions(attr));
}
