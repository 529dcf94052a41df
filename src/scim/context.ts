import type { Request, Response } from 'express';
import type { Store } from '../store';
import type { ChangeContext } from '../store/change';
import type { Logger } from '../log';
import { etagOf } from './etag';
import type { KeyedLock } from './keyed-lock';
import { publicOrigin } from './public-origin';

/** What the scimmy resource handlers receive per request (through scimmy-routers' `context`). */
export interface ScimContext {
  store: Store;
  change: ChangeContext;
  /** Base URL of the SCIM API (e.g. https://bridge.example.com/scim/v2) used in meta.location. */
  basepath: string;
  /** Serialises read-modify-writes (PATCH) of one resource within this process. */
  locks: KeyedLock;
  /** The raw `filter` query parameter, kept away from scimmy (see plainQuery). */
  filter?: string;
  /** Default and cap for `count`. */
  maxResults: number;
  /** The request's If-Match (inside /Bulk: the operation's version). */
  ifMatch?: string;
  /** Called with the version of the single resource being answered (sets the ETag header). */
  onVersion(version: number): void;
  /** Called with meta.location of a resource just created (sets the Location header, RFC 7644 3.3). */
  onCreated(location: string): void;
  /** Called with errors that are bugs, before they are answered as a bare 500. */
  onUnexpected(error: unknown): void;
}

export function scimContextFor(req: Request, res: Response, deps: { store: Store; logger: Logger; locks: KeyedLock; maxResults: number; baseUrl?: string }): ScimContext {
  return {
    store: deps.store,
    change: { actor: req.actor ?? 'unknown', requestId: req.requestId, source: 'scim' },
    basepath: `${publicOrigin(req, deps.baseUrl)}${req.baseUrl}`,
    locks: deps.locks,
    filter: typeof res.locals.scimFilter === 'string' ? res.locals.scimFilter : undefined,
    maxResults: deps.maxResults,
    ifMatch: req.header('if-match'),
    onVersion: (version) => res.setHeader('ETag', etagOf(version)),
    onCreated: (location) => res.setHeader('Location', location),
    onUnexpected: (error) => deps.logger.error('scim handler failed', { requestId: req.requestId, error: describe(error) }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown';
}
