import { readFileSync } from 'node:fs';
import { formatPath, type ConfigPath } from './config-path';

/**
 * Secret references keep secrets out of the config file. A string value that is exactly
 * `${env:NAME}` is replaced by the environment variable NAME; `${file:/path}` by the file's content
 * (one trailing newline removed, as written by Docker and Kubernetes secrets). Errors name the config
 * path and the variable or file, never a value.
 */
const SECRET_REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export interface SecretResolution {
  /** The configuration with every reference replaced; one that failed holds '' in its place. */
  value: unknown;
  problems: string[];
  /** Where a reference failed (`targets[0].config.token`): other checks of the '' there say nothing new. */
  unresolvedPaths: string[];
}

export function resolveSecrets(value: unknown, env: NodeJS.ProcessEnv): SecretResolution {
  const resolution: SecretResolution = { value: undefined, problems: [], unresolvedPaths: [] };
  resolution.value = resolveValue(value, env, resolution, []);
  return resolution;
}

function resolveValue(value: unknown, env: NodeJS.ProcessEnv, resolution: SecretResolution, path: ConfigPath): unknown {
  if (typeof value === 'string') return resolveString(value, env, resolution, path);
  if (Array.isArray(value)) return value.map((item, index) => resolveValue(item, env, resolution, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveValue(inner, env, resolution, [...path, key])]));
  }
  return value;
}

function resolveString(value: string, env: NodeJS.ProcessEnv, resolution: SecretResolution, path: ConfigPath): string {
  const reference = SECRET_REFERENCE.exec(value);
  if (!reference) return value;
  const [, source, name] = reference;
  const resolved = source === 'env' ? fromEnv(name, env) : fromFile(name);
  if (typeof resolved === 'string') return resolved;
  resolution.problems.push(`${formatPath(path)}: ${resolved.failure}`);
  resolution.unresolvedPaths.push(formatPath(path));
  return '';
}

function fromEnv(name: string, env: NodeJS.ProcessEnv): string | { failure: string } {
  const resolved = env[name];
  return resolved === undefined || resolved === '' ? { failure: `environment variable ${name} is not set` } : resolved;
}

function fromFile(file: string): string | { failure: string } {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    return { failure: `cannot read secret file ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` };
  }
}
