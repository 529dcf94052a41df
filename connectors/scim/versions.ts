import type { OpContext, Outcome } from '../sdk';
import type { ScimClient, ScimErrorBody } from './client';
import { patchBody, type PatchOperation, type ScimResource } from './resources';

/** Enough for every resource one delivery burst touches; older entries only cost an honest 'applied'. */
const REMEMBERED_VERSIONS = 10_000;

/**
 * The `meta.version` the target last showed for each resource this connector created, found or patched.
 * A SCIM PATCH answers 200 whether or not it changed anything, but a compliant server leaves a resource the
 * PATCH did not change as it was, version and modify time included (RFC 7644 §3.5.2.1: adding a value that
 * is already there "SHALL NOT change the modify timestamp"; §3.14: versions are ETags). So a PATCH whose
 * answer carries the version we saw before it changed nothing: 'noop'. A new version, no version, or none
 * remembered: 'applied'. A stale memory (someone else changed the resource meanwhile) can only turn a noop
 * into 'applied', never a change into 'noop', because a change always gives a version not seen before.
 */
export class SeenVersions {
  private readonly versions = new Map<string, string>();

  constructor(private readonly limit = REMEMBERED_VERSIONS) {}

  get(path: string): string | undefined {
    return this.versions.get(path);
  }

  /** Records the version in a resource the target returned (a resource without one is forgotten). */
  remember(path: string, resource: ScimResource | undefined): void {
    this.versions.delete(path);
    const version = versionOf(resource);
    if (version === undefined) return;
    this.versions.set(path, version);
    if (this.versions.size > this.limit) this.versions.delete(this.versions.keys().next().value!);
  }
}

export interface PatchResult {
  status: number;
  body: ScimErrorBody | undefined;
  outcome: Outcome;
}

/**
 * One PATCH of `path`, its outcome judged by the version (see SeenVersions). Statuses in `accept` come back
 * for the caller to interpret (their outcome is meaningless); any other failure throws the typed error.
 */
export async function patchResource(
  client: ScimClient,
  versions: SeenVersions,
  path: string,
  operations: PatchOperation[],
  options: { ctx: OpContext; accept?: readonly number[] },
): Promise<PatchResult> {
  const before = versions.get(path);
  const { status, body } = await client.request<ScimResource | ScimErrorBody | undefined>('PATCH', path, {
    body: patchBody(operations),
    signal: options.ctx.signal,
    accept: options.accept,
  });
  if (status >= 300) return { status, body: body as ScimErrorBody | undefined, outcome: 'applied' };
  versions.remember(path, body as ScimResource | undefined);
  const after = versions.get(path);
  return { status, body: undefined, outcome: before !== undefined && before === after ? 'noop' : 'applied' };
}

function versionOf(resource: ScimResource | undefined): string | undefined {
  const version = (resource?.meta as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' && version !== '' ? version : undefined;
}
