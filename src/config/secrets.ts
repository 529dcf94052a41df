import { readFileSync } from 'node:fs';
import { formatPath, type ConfigPath } from './config-path';

/**
 * Secret references keep secrets out of the config file. A string value that is exactly
 * `${env:NAME}` is replaced by the environment variable NAME; `${file:/path}` by the file's content
 * (one trailing newline removed, as written by Docker and Kubernetes secrets). Errors name the config
 * path and the variable or file, never a value.
 */
const SECRET_REFERENCE = /^\$\{(env|file):([^}]+)\}$/;

export function resolveSecrets(value: unknown, env: NodeJS.ProcessEnv, problems: string[], path: ConfigPath = []): unknown {
  if (typeof value === 'string') return resolveString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((item, index) => resolveSecrets(item, env, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, resolveSecrets(inner, env, problems, [...path, key])]),
    );
  }
  return value;
}

function resolveString(value: string, env: NodeJS.ProcessEnv, problems: string[], path: ConfigPath): string {
  const reference = SECRET_REFERENCE.exec(value);
  if (!reference) return value;
  const [, source, name] = reference;
  return source === 'env' ? fromEnv(name, env, problems, path) : fromFile(name, problems, path);
}

function fromEnv(name: string, env: NodeJS.ProcessEnv, problems: string[], path: ConfigPath): string {
  const resolved = env[name];
  if (resolved === undefined || resolved === '') {
    problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
    return '';
  }
  return resolved;
}

function fromFile(file: string, problems: string[], path: ConfigPath): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${formatPath(path)}: cannot read secret file ${file} (${code})`);
    return '';
  }
}
