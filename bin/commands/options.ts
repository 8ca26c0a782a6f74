import { InvalidArgumentError } from 'commander';

/** Option parsers that name the option in their error, for commander. */
export function wholeNumber(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number ${wholeRange(min, max)}, got "${raw}"`);
    }
    return value;
  };
}

/** "from 1 to 10,000", or "of at least 0" when there is no upper bound worth stating. */
export function wholeRange(min: number, max = Number.MAX_SAFE_INTEGER): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return max >= Number.MAX_SAFE_INTEGER ? `of at least ${n(min)}` : `from ${n(min)} to ${n(max)}`;
}

export function rate(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new InvalidArgumentError(`${name} must be a probability from 0 to 1, got "${raw}"`);
    }
    return value;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}
