import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import type { LocalJobOptions } from '../../local/runner/run-job';
import { FIXTURES, type RefusedRun, runRefused } from './run-input';

/**
 * Inputs the workflow must refuse as a whole, with an error that names the field, key or position.
 * Each case is run once; one test checks what Step Functions reports (the ExecutionFailed event), the
 * other what the local run's summary says.
 */

let dir: string;
const runs = new Map<string, Promise<RefusedRun>>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bad-input-refusals-'));
});

afterAll(async () => {
  await Promise.allSettled(runs.values());
  if (dir) await rm(dir, { recursive: true, force: true });
});

const SOURCE = LOCAL_RESOURCE_NAMES.sourceBucket;
const placeholder = { sourceObject: { bucket: SOURCE, key: 'not-read.jsonl' } };

const CASES: Record<string, { options: Partial<LocalJobOptions>; error: string; message: string | RegExp }> =
  {
    'a truncated JSON array': {
      options: { inputFile: join(FIXTURES, 'truncated-array.txt'), format: 'json' },
      error: 'MalformedSourceError',
      message:
        'the JSON array is truncated: the input ends at byte 46 inside the value that starts at byte 22 (line 4)',
    },
    'a source outside the allowed bucket': {
      options: {
        ...placeholder,
        rawExecutionInput: { source: { bucket: 'someone-elses-bucket', key: 'data.jsonl' } },
      },
      error: 'InvalidInputError',
      message:
        /input field "source\.bucket" is "someone-elses-bucket", but this loader only reads from "firehose-loader-source"/,
    },
    'an unknown input field': {
      options: {
        ...placeholder,
        rawExecutionInput: { source: { bucket: SOURCE, key: 'a.jsonl' }, colour: 'red' },
      },
      error: 'InvalidInputError',
      message: /input field "colour" is not known/,
    },
    'maxConcurrency 0': {
      options: {
        ...placeholder,
        rawExecutionInput: { source: { bucket: SOURCE, key: 'a.jsonl' }, maxConcurrency: 0 },
      },
      error: 'InvalidInputError',
      message: /input field "maxConcurrency" must be a whole number from 1 to/,
    },
    'format "xml"': {
      options: {
        ...placeholder,
        rawExecutionInput: { source: { bucket: SOURCE, key: 'a.jsonl' }, format: 'xml' },
      },
      error: 'InvalidInputError',
      message: /input field "format" must be one of auto, json, jsonl, lines/,
    },
  };

function run(name: string): Promise<RefusedRun> {
  let pending = runs.get(name);
  if (!pending) {
    pending = runRefused(dir, CASES[name].options);
    runs.set(name, pending);
  }
  return pending;
}

const causeMessage = (cause: string) => {
  try {
    return (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    return cause;
  }
};

describe.each(Object.keys(CASES))('the workflow given %s', (name) => {
  it('fails the execution with an error that names the problem', async () => {
    const { execution } = await run(name);
    expect(execution?.error).toBe(CASES[name].error);
    expect(causeMessage(execution?.cause ?? '')).toMatch(CASES[name].message);
  });

  // Regression: run-job once took Plan's caught-error output as the run state and buildSummary threw
  // at `state.round.number`, so every refusal crashed the run instead of reporting it (fixed in a5af112).
  it('reports a FAILED summary whose error names the problem', async () => {
    const { summary, thrown } = await run(name);
    expect(thrown).toBeUndefined();
    expect(summary?.status).toBe('FAILED');
    expect(summary?.error?.name).toBe(CASES[name].error);
    expect(summary?.error?.message).toMatch(CASES[name].message);
  });
});

describe('the workflow given a source key that does not exist', () => {
  it('fails with a clear error that names the missing key', async () => {
    const missing = { bucket: SOURCE, key: 'inputs/never-uploaded.jsonl' };
    const { summary, execution } = await runRefused(dir, { sourceObject: missing });
    expect(execution?.cause ?? '').toContain('inputs/never-uploaded.jsonl');
    expect(summary?.status).toBe('FAILED');
    expect(summary?.error?.message).toContain('inputs/never-uploaded.jsonl');
  });

  it('fails the execution without delivering anything', async () => {
    const missing = { bucket: SOURCE, key: 'inputs/also-never-uploaded.jsonl' };
    const { summary, thrown, execution } = await runRefused(dir, { sourceObject: missing });
    expect(thrown).toBeUndefined();
    expect(execution).toBeDefined();
    expect(summary?.status).toBe('FAILED');
    expect(summary?.output.files).toEqual([]);
  });
});
