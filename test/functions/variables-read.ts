import type { Env } from '../../functions/shared/env';

/**
 * The variables `load` reads from `env`, as it reads them (not as its source spells them): `env` is
 * wrapped so every lookup is noted. A value that is not a string (a CloudFormation reference in a
 * synthesized template) is read as a plain name, so `load` gets past it and goes on reading.
 */
export function variablesReadBy(load: (env: Env) => unknown, env: Record<string, unknown> = {}): string[] {
  const read = new Set<string>();
  const values = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, typeof value === 'string' ? value : 'resource-name']),
  );
  const recording = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  load(recording);
  return [...read].sort();
}
