import type { Attributes, TargetGroup, TargetUser } from '../../connectors/sdk/contract';
import type { DesiredGroup, DesiredUser } from './desired-state';
import { compileExpression, type SourceExpression } from './scim-path';
import type { GroupMappingConfig, TargetSettings } from './target-config';

/** The desired state cannot be expressed on the target (e.g. no value for the key): a permanent failure. */
export class MappingError extends Error {}

export interface TargetMapping {
  user(user: DesiredUser): TargetUser;
  group(group: DesiredGroup, mapping: Required<GroupMappingConfig>): TargetGroup;
}

/** Compiles a target's attribute mapping once; mapping a resource is then a few property reads. */
export function createTargetMapping(target: TargetSettings): TargetMapping {
  const userKey = compileExpression(target.userKey);
  const userAttributes = compileAll(target.userAttributes);
  const groupAttributes = compileAll(target.groupKeyAttributes);
  const groupTargets = new Map(target.groups.map((group) => [group.scim.toLowerCase(), group.target]));
  return {
    user(user) {
      const key = userKey(user.resource);
      if (typeof key !== 'string' || key === '') {
        throw new MappingError(`user ${user.id} has no value for the target key '${target.userKey}'`);
      }
      const groups = [...new Set(user.groupHandles.flatMap((handle) => groupTargets.get(handle) ?? []))];
      return { scimId: user.id, key, active: user.active, attributes: mapAttributes(userAttributes, user.resource), groups };
    },
    group(group, mapping) {
      return { scimId: group.id, key: mapping.target, attributes: mapAttributes(groupAttributes, group.resource) };
    },
  };
}

function compileAll(expressions: Record<string, string>): Array<[string, SourceExpression]> {
  return Object.entries(expressions).map(([field, expression]) => [field, compileExpression(expression)]);
}

/** Fields without a value are left out (not null): an absent source never blanks the target's field. */
function mapAttributes(compiled: Array<[string, SourceExpression]>, resource: unknown): Attributes {
  const attributes: Attributes = {};
  for (const [field, read] of compiled) {
    const value = read(resource);
    if (value !== undefined) attributes[field] = value;
  }
  return attributes;
}
