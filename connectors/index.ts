import type { AnyConnectorDefinition } from './sdk/contract';
import { awsIam } from './aws-iam';
import { github } from './github';
import { googleWorkspace } from './google-workspace';
import { memory } from './memory';
import { scim } from './scim';

/** The one registry of connector kinds: a new connector adds one import and one entry here. */
export const connectors: AnyConnectorDefinition[] = [memory, scim, googleWorkspace, awsIam, github];
