import type { JSONSchemaType } from 'ajv';

export interface MemoryConfig {
  /** Name of the process-global directory: connectors (and tests) naming the same one share its state. */
  directory: string;
  /** The credential to present; the directory checks it only if it was created with one. */
  token?: string;
  /** Page size for list calls when the caller gives none. */
  pageSize?: number;
  /** Persist the directory to this JSON file, so its state survives a restart of the bridge. */
  file?: string;
}

export const memoryConfigSchema: JSONSchemaType<MemoryConfig> = {
  type: 'object',
  properties: {
    directory: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' },
    token: { type: 'string', nullable: true, minLength: 8 },
    pageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 1000 },
    file: { type: 'string', nullable: true, minLength: 1 },
  },
  required: ['directory'],
  additionalProperties: false,
};
