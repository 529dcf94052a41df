import type { ConnectorDefinition } from '../sdk/contract';
import { googleWorkspaceConfigSchema, type GoogleWorkspaceConfig } from './config';
import { createGoogleWorkspaceConnector } from './connector';
import { googleWorkspaceMapping } from './mapping';

/**
 * Google Workspace through the Admin SDK Directory API, as a service account with domain-wide
 * delegation. Limits stay under the Directory API's 2,400 queries per minute (30/s = 1,800/min, leaving
 * room for the reconciler and other tools on the same project).
 */
export const googleWorkspace: ConnectorDefinition<GoogleWorkspaceConfig> = {
  kind: 'google-workspace',
  displayName: 'Google Workspace',
  configSchema: googleWorkspaceConfigSchema,
  mapping: googleWorkspaceMapping,
  limits: { requestsPerSecond: 30, concurrency: 4 },
  create: createGoogleWorkspaceConnector,
};

export type { GoogleWorkspaceConfig } from './config';
