import { ConfigError } from './errors';

/** Reads environment variables for a function's typed config; every failure names the variable. */
export type Env = Readonly<Record<string, string | undefined>>;

export function requireString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`environment variable ${name} is required but not set`);
  return value;
}

export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function integerSetting(
  env: Env,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = env[name]?.trim();
  if (!raw) return range.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(
      `environment variable ${name} must be a whole number from ${range.min} to ${range.max}, got "${raw}"`,
    );
  }
  return value;
}

export function booleanSetting(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`environment variable ${name} must be true or false, got "${env[name]}"`);
}

/** A function's environment as the CDK stack and the local runner write it (each config.ts's toEnvironment). */
export type Environment = Record<string, string>;

/** A config with every field optional, nested ones too: toEnvironment writes what is set, load falls back for the rest. */
export type ConfigPart<T> = { [K in keyof T]?: T[K] extends object ? ConfigPart<T[K]> : T[K] };

/**
 * The variables of the deployed resources, which several functions read. Their names, like every
 * function's own, are part of a deployed stack's contract: renaming one breaks a stack deployed before.
 */
export const RESOURCE_VARIABLES = {
  sourceBucket: 'SOURCE_BUCKET',
  artifactBucket: 'ARTIFACT_BUCKET',
  streamName: 'DELIVERY_STREAM_NAME',
  metricsNamespace: 'METRICS_NAMESPACE',
} as const;

/** The set fields of `values` under their variable names: strings as they are, numbers and booleans as text. */
export function environmentOf<K extends string>(
  variables: Readonly<Record<K, string>>,
  values: Partial<Record<K, string | number | boolean | undefined>>,
): Environment {
  const env: Environment = {};
  for (const key of Object.keys(values) as K[]) {
    const value = values[key];
    // A field with no variable would be lost on the way to the function: a mistake, said at once.
    if (!(key in variables)) throw new Error(`no environment variable for the config field "${key}"`);
    if (value !== undefined) env[variables[key]] = String(value);
  }
  return env;
}
