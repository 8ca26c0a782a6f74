import { load as loadPlanConfig, MAX_REQUEUE_ROUNDS, type PlanConfig } from '../../../functions/plan/config';
import { resolveExecutionInput } from '../../../functions/plan/run-settings';
import { InvalidInputError } from '../../../functions/shared/errors';
import { MAX_DISTRIBUTED_MAP_CONCURRENCY } from '../../../functions/shared/limits';

const config: PlanConfig = loadPlanConfig({
  SOURCE_BUCKET: 'source-bucket',
  ARTIFACT_BUCKET: 'artifact-bucket',
});

const refusal = (input: unknown): string => {
  try {
    resolveExecutionInput(input, config);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected the input to be refused');
};

describe('resolveExecutionInput', () => {
  it('gives the deployment defaults for an empty object, for null and for undefined', () => {
    const defaults = {
      source: { bucket: 'source-bucket', key: 'samples/sample_records.json' },
      format: 'auto',
      individualRecords: 0,
      pack: false,
      maxConcurrency: 40,
      requeueRounds: 3,
    };
    expect(resolveExecutionInput({}, config)).toEqual(defaults);
    expect(resolveExecutionInput(null, config)).toEqual(defaults);
    expect(resolveExecutionInput(undefined, config)).toEqual(defaults);
  });

  it('takes the defaults from the deployment configuration, not from constants', () => {
    const custom = loadPlanConfig({
      SOURCE_BUCKET: 'other-source',
      ARTIFACT_BUCKET: 'other-artifacts',
      DEFAULT_SOURCE_KEY: 'in/today.jsonl',
      DEFAULT_FORMAT: 'jsonl',
      DEFAULT_INDIVIDUAL_RECORDS: '7',
      DEFAULT_PACK: 'true',
      DEFAULT_MAX_CONCURRENCY: '5',
      DEFAULT_REQUEUE_ROUNDS: '0',
    });
    expect(resolveExecutionInput({}, custom)).toEqual({
      source: { bucket: 'other-source', key: 'in/today.jsonl' },
      format: 'jsonl',
      individualRecords: 7,
      pack: true,
      maxConcurrency: 5,
      requeueRounds: 0,
    });
  });

  it('keeps every field the input gives', () => {
    expect(
      resolveExecutionInput(
        {
          source: { bucket: 'source-bucket', key: 'data/x.json' },
          format: 'json',
          individualRecords: 12,
          pack: true,
          maxConcurrency: MAX_DISTRIBUTED_MAP_CONCURRENCY,
          requeueRounds: MAX_REQUEUE_ROUNDS,
        },
        config,
      ),
    ).toEqual({
      source: { bucket: 'source-bucket', key: 'data/x.json' },
      format: 'json',
      individualRecords: 12,
      pack: true,
      maxConcurrency: MAX_DISTRIBUTED_MAP_CONCURRENCY,
      requeueRounds: MAX_REQUEUE_ROUNDS,
    });
  });

  it('fills a source with only a key from the configured bucket, and one with only a bucket from the default key', () => {
    expect(resolveExecutionInput({ source: { key: 'a.jsonl' } }, config).source).toEqual({
      bucket: 'source-bucket',
      key: 'a.jsonl',
    });
    expect(resolveExecutionInput({ source: { bucket: 'source-bucket' } }, config).source).toEqual({
      bucket: 'source-bucket',
      key: 'samples/sample_records.json',
    });
  });

  it('refuses an input that is not a JSON object', () => {
    expect(refusal([])).toMatch(/execution input must be a JSON object/);
    expect(refusal('{}')).toMatch(/execution input must be a JSON object/);
    expect(refusal(42)).toMatch(/execution input must be a JSON object/);
  });

  it('refuses an unknown field, naming it and the known ones', () => {
    const message = refusal({ maxConcurency: 5 });
    expect(message).toContain('"maxConcurency"');
    expect(message).toContain(
      'known fields: source, format, individualRecords, pack, maxConcurrency, requeueRounds',
    );
  });

  it('refuses a source that is not an object, naming the field', () => {
    expect(refusal({ source: 's3://bucket/key' })).toMatch(/input field "source" must be an object/);
    expect(refusal({ source: ['source-bucket', 'key'] })).toMatch(/input field "source" must be an object/);
  });

  it('refuses a source bucket or key of the wrong type, naming source.bucket or source.key', () => {
    expect(refusal({ source: { bucket: 7 } })).toMatch(/input field "source.bucket" must be a string/);
    expect(refusal({ source: { bucket: '' } })).toMatch(/input field "source.bucket"/);
    expect(refusal({ source: { key: 7 } })).toMatch(/input field "source.key" must be a non-empty string/);
    expect(refusal({ source: { key: '' } })).toMatch(/input field "source.key" must be a non-empty string/);
  });

  it('refuses a source bucket other than the configured one, naming both buckets', () => {
    const message = refusal({ source: { bucket: 'someone-elses-bucket', key: 'a.jsonl' } });
    expect(message).toContain('"source.bucket"');
    expect(message).toContain('"someone-elses-bucket"');
    expect(message).toContain('"source-bucket"');
  });

  it("allows a previous run's dead-letter records file in the artifact bucket as the source", () => {
    const source = { bucket: 'artifact-bucket', key: 'runs/exec-42/dead-letter/records.jsonl' };
    expect(resolveExecutionInput({ source }, config).source).toEqual(source);
  });

  it('refuses any other key in the artifact bucket, naming both buckets', () => {
    for (const key of [
      'runs/exec-42/dead-letter/manifest.jsonl',
      'runs/exec-42/round-00/manifest.jsonl',
      'runs/exec-42/dead-letter/records.jsonl.bak',
      'runs/a/b/dead-letter/records.jsonl',
      'data/records.jsonl',
    ]) {
      const message = refusal({ source: { bucket: 'artifact-bucket', key } });
      expect(message).toContain('"artifact-bucket"');
      expect(message).toContain('"source-bucket"');
    }
  });

  it('refuses a dead-letter key in a bucket that is neither the source nor the artifact bucket', () => {
    expect(
      refusal({ source: { bucket: 'elsewhere', key: 'runs/exec-42/dead-letter/records.jsonl' } }),
    ).toContain('"elsewhere"');
  });

  it('accepts every known format and refuses others, naming the field and the choices', () => {
    for (const format of ['auto', 'json', 'jsonl', 'lines']) {
      expect(resolveExecutionInput({ format }, config).format).toBe(format);
    }
    expect(refusal({ format: 'csv' })).toBe('input field "format" must be one of auto, json, jsonl, lines');
    expect(refusal({ format: 3 })).toMatch(/input field "format"/);
  });

  it('refuses a pack that is not a boolean, naming the field', () => {
    expect(refusal({ pack: 'true' })).toBe('input field "pack" must be true or false');
    expect(refusal({ pack: 1 })).toBe('input field "pack" must be true or false');
  });

  it('refuses a maxConcurrency outside 1 to the Distributed Map maximum, or not a whole number', () => {
    const expected = `input field "maxConcurrency" must be a whole number from 1 to ${MAX_DISTRIBUTED_MAP_CONCURRENCY}`;
    expect(refusal({ maxConcurrency: 0 })).toBe(expected);
    expect(refusal({ maxConcurrency: MAX_DISTRIBUTED_MAP_CONCURRENCY + 1 })).toBe(expected);
    expect(refusal({ maxConcurrency: 2.5 })).toBe(expected);
    expect(refusal({ maxConcurrency: '10' })).toBe(expected);
    expect(refusal({ maxConcurrency: null })).toBe(expected);
    expect(resolveExecutionInput({ maxConcurrency: 1 }, config).maxConcurrency).toBe(1);
  });

  it('refuses a requeueRounds outside 0 to the maximum, or not a whole number', () => {
    const expected = `input field "requeueRounds" must be a whole number from 0 to ${MAX_REQUEUE_ROUNDS}`;
    expect(refusal({ requeueRounds: -1 })).toBe(expected);
    expect(refusal({ requeueRounds: MAX_REQUEUE_ROUNDS + 1 })).toBe(expected);
    expect(refusal({ requeueRounds: 1.5 })).toBe(expected);
    expect(refusal({ requeueRounds: Number.NaN })).toBe(expected);
    expect(resolveExecutionInput({ requeueRounds: 0 }, config).requeueRounds).toBe(0);
  });

  it('refuses a negative, fractional or non-numeric individualRecords, naming the field', () => {
    expect(refusal({ individualRecords: -1 })).toMatch(
      /input field "individualRecords" must be a whole number from 0/,
    );
    expect(refusal({ individualRecords: 0.5 })).toMatch(/"individualRecords"/);
    expect(refusal({ individualRecords: '3' })).toMatch(/"individualRecords"/);
    expect(refusal({ individualRecords: Number.POSITIVE_INFINITY })).toMatch(/"individualRecords"/);
    expect(resolveExecutionInput({ individualRecords: 0 }, config).individualRecords).toBe(0);
  });

  it('refuses an unknown field inside source, naming it, instead of loading the default file', () => {
    expect(refusal({ source: { Key: 'data/today.jsonl' } })).toMatch(/"source.Key"/);
  });
});
