import { isDeadLetterRecordsKey } from '../shared/artifacts';
import type { InputFormat } from '../shared/chunk';
import { InvalidInputError } from '../shared/errors';
import type { ExecutionInput } from '../shared/run-state';
import { INPUT_FORMATS, type PlanConfig, RUN_SETTING_RANGES } from './config';

/** The execution input after validation and defaults; `format` may still be `auto` until the file is seen. */
export interface ResolvedInput {
  source: { bucket: string; key: string };
  format: InputFormat;
  individualRecords: number;
  pack: boolean;
  maxConcurrency: number;
  requeueRounds: number;
}

const FIELDS = ['source', 'format', 'individualRecords', 'pack', 'maxConcurrency', 'requeueRounds'] as const;

type Range = { readonly min: number; readonly max: number };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function wholeNumber(input: Record<string, unknown>, field: string, { min, max }: Range, fallback: number) {
  const value = input[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`input field "${field}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Validates the execution input and fills defaults from the deployment, so `{}` works from the console.
 * Every refusal names the field; a source outside the configured bucket is refused (the functions' IAM
 * could not read it anyway, and this says so clearly).
 */
export function resolveExecutionInput(raw: unknown, config: PlanConfig): ResolvedInput {
  const input = raw ?? {};
  if (!isRecord(input)) throw new InvalidInputError('execution input must be a JSON object, for example {}');
  for (const field of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(field)) {
      throw new InvalidInputError(`input field "${field}" is not known; known fields: ${FIELDS.join(', ')}`);
    }
  }
  const typed = input as ExecutionInput & Record<string, unknown>;
  const source = typed.source ?? {};
  if (!isRecord(source))
    throw new InvalidInputError('input field "source" must be an object {"bucket", "key"}');
  for (const field of Object.keys(source)) {
    if (field !== 'bucket' && field !== 'key') {
      throw new InvalidInputError(
        `input field "source.${field}" is not known; known fields: source.bucket, source.key`,
      );
    }
  }
  const bucket = source.bucket ?? config.sourceBucket;
  const key = source.key ?? config.defaults.sourceKey;
  if (typeof bucket !== 'string' || !bucket)
    throw new InvalidInputError('input field "source.bucket" must be a string');
  if (typeof key !== 'string' || !key)
    throw new InvalidInputError('input field "source.key" must be a non-empty string');
  const rerunOfDeadLetters = bucket === config.artifactBucket && isDeadLetterRecordsKey(key);
  if (bucket !== config.sourceBucket && !rerunOfDeadLetters) {
    throw new InvalidInputError(
      `input field "source.bucket" is "${bucket}", but this loader only reads from "${config.sourceBucket}" (or a dead-letter file of a previous run)`,
    );
  }
  const format = typed.format ?? config.defaults.format;
  if (!(INPUT_FORMATS as readonly unknown[]).includes(format)) {
    throw new InvalidInputError(`input field "format" must be one of ${INPUT_FORMATS.join(', ')}`);
  }
  const pack = typed.pack ?? config.defaults.pack;
  if (typeof pack !== 'boolean') throw new InvalidInputError('input field "pack" must be true or false');
  const whole = (field: 'individualRecords' | 'maxConcurrency' | 'requeueRounds', range: Range) =>
    wholeNumber(typed, field, range, config.defaults[field]);
  return {
    source: { bucket, key },
    format,
    pack,
    individualRecords: whole('individualRecords', { min: 0, max: Number.MAX_SAFE_INTEGER }),
    maxConcurrency: whole('maxConcurrency', RUN_SETTING_RANGES.maxConcurrency),
    requeueRounds: whole('requeueRounds', RUN_SETTING_RANGES.requeueRounds),
  };
}
