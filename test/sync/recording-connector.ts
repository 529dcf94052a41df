import { memory } from '../../connectors/memory';
import type { AnyConnectorDefinition, Changes, Connector, RemoteRef } from '../../connectors/sdk';

export interface RecordedUpdate {
  kind: 'user' | 'group';
  ref: RemoteRef;
  changes: Changes;
}

/**
 * The memory connector, unchanged, plus a record of every update the engine asked for: what a connector
 * receives in `changes` (the memory directory itself has no place for a bridge id to be re-stamped).
 */
export function recordingMemory(updates: RecordedUpdate[]): AnyConnectorDefinition {
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const users = connector.users;
      const groups = connector.groups!;
      return {
        ...connector,
        users: { ...users, update: (ref, changes, ctx) => (updates.push({ kind: 'user', ref, changes }), users.update(ref, changes, ctx)) },
        groups: { ...groups, update: (ref, changes, ctx) => (updates.push({ kind: 'group', ref, changes }), groups.update!(ref, changes, ctx)) },
      };
    },
  };
}
