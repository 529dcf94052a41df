import { readFileSync } from 'node:fs';
import type Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import configSchema from '../../schemas/config.schema.json';
import targetSchema from '../../schemas/target.schema.json';
import lifecycleSchema from '../../schemas/lifecycle.schema.json';
import { defaultConfig } from './defaults';
import { InvalidConfigError } from './errors';
import { resolveSecrets } from './secrets';
import { createValidator, schemaProblems } from './schema-validator';
import { targetProblems, type ConnectorSchema } from './targets';
import type { BridgeConfig, TargetConfig } from './types';

export interface LoadConfigOptions {
  /** The config file (YAML or JSON). Without it SCIM_BRIDGE_CONFIG names one; without both, defaults only. */
  file?: string;
  /** Command-line flags: they beat the environment, which beats the file, which beats the defaults. */
  overrides?: { port?: number; dbFile?: string };
  env?: NodeJS.ProcessEnv;
  /** The connector registry; when given, each target's connector and its config are checked too. */
  connectors?: readonly ConnectorSchema[];
  /** false leaves `${env:…}` references unresolved: for commands that only need the database path. */
  resolveSecrets?: boolean;
}

const validators = new Map<string, Ajv>();

/**
 * An ajv holding the referenced schemas. With a registry, `targets[].connector` becomes an enum of its
 * kinds, so an unknown connector is reported in the same pass as every other problem.
 */
function validatorFor(connectors: readonly ConnectorSchema[] | undefined): Ajv {
  const kinds = connectors?.map((connector) => connector.kind);
  const key = kinds?.join('\n') ?? '';
  let validator = validators.get(key);
  if (!validator) {
    validator = createValidator();
    validator.addSchema(kinds ? withConnectorKinds(targetSchema, kinds) : targetSchema);
    validator.addSchema(lifecycleSchema);
    validators.set(key, validator);
  }
  return validator;
}

function withConnectorKinds(schema: typeof targetSchema, kinds: string[]): object {
  return { ...schema, properties: { ...schema.properties, connector: { ...schema.properties.connector, enum: kinds } } };
}

/** Reads, resolves secrets in, validates and completes the configuration; throws InvalidConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): BridgeConfig {
  const { config, problems, source } = inspectConfig(options);
  if (!config || problems.length) throw new InvalidConfigError(problems, source);
  return config;
}

export interface ConfigInspection {
  /** Present when the structure is valid, even if secrets are missing: further offline checks can run on it. */
  config?: BridgeConfig;
  /** Every problem found, each with its path; [] when the configuration can be used. */
  problems: string[];
  /** `config file bridge.yaml`, or `configuration` without a file: what InvalidConfigError names. */
  source: string;
}

/**
 * loadConfig without the throw, for `config check`: a missing secret does not stop the checks that do
 * not depend on it, so one run names every problem.
 */
export function inspectConfig(options: LoadConfigOptions = {}): ConfigInspection {
  const env = options.env ?? process.env;
  const file = options.file ?? (env.SCIM_BRIDGE_CONFIG || undefined);
  const source = file ? `config file ${file}` : 'configuration';
  const validator = validatorFor(options.connectors);

  const raw = file ? readConfigFile(file) : {};
  const secrets = options.resolveSecrets === false ? { value: raw, problems: [], unresolvedPaths: [] } : resolveSecrets(raw, env);
  const structural = schemaProblems(validator, configSchema, secrets.value, [], secrets.unresolvedPaths);
  if (structural.length) return { problems: [...secrets.problems, ...structural], source };

  const config = withDefaults(secrets.value as ConfigFile);
  const problems = [...secrets.problems];
  applyEnvironment(config, env, problems);
  if (options.overrides?.port !== undefined) config.server.port = options.overrides.port;
  if (options.overrides?.dbFile !== undefined) config.database.file = options.overrides.dbFile;
  if (options.connectors) problems.push(...targetProblems(validator, config.targets, options.connectors, secrets.unresolvedPaths));
  return { config, problems, source };
}

/** The file as written: every key optional (schemas/config.schema.json says which ones exist). */
interface ConfigFile {
  server?: Partial<BridgeConfig['server']>;
  database?: Partial<BridgeConfig['database']>;
  scim?: Partial<BridgeConfig['scim']>;
  targets?: Array<Omit<TargetConfig, 'config'> & { config?: Record<string, unknown> }>;
  lifecycle?: Partial<BridgeConfig['lifecycle']>;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidConfigError([`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`]);
  }
  try {
    // YAML is a superset of JSON, so one parser reads both.
    return parseYaml(text) ?? {};
  } catch (error) {
    // Only the first line: the rest quotes the file, which may hold a secret.
    throw new InvalidConfigError([`not valid YAML or JSON: ${String((error as Error).message).split('\n')[0]}`], `config file ${file}`);
  }
}

function withDefaults(file: ConfigFile): BridgeConfig {
  const defaults = defaultConfig();
  return {
    server: { ...defaults.server, ...file.server },
    database: { ...defaults.database, ...file.database },
    scim: { ...defaults.scim, ...file.scim },
    targets: (file.targets ?? []).map((target) => ({ ...target, config: target.config ?? {} })),
    lifecycle: { ...defaults.lifecycle, ...file.lifecycle },
  };
}

function applyEnvironment(config: BridgeConfig, env: NodeJS.ProcessEnv, problems: string[]): void {
  if (env.SCIM_BRIDGE_PORT) {
    const port = parsePort(env.SCIM_BRIDGE_PORT);
    if (port === undefined) problems.push('SCIM_BRIDGE_PORT: must be an integer from 0 to 65535');
    else config.server.port = port;
  }
  if (env.SCIM_BRIDGE_DB) config.database.file = env.SCIM_BRIDGE_DB;
}

/** A TCP port (0 = any free one), or undefined when `text` is not one. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text.trim())) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
