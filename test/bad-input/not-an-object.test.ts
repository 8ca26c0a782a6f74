import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import { runRefused } from './run-input';

/**
 * An execution input that is not a JSON object (typed into the console as an array or a string):
 * Step Functions accepts any JSON value, so the workflow itself must refuse it with InputRefused, not
 * fail in its own plumbing (a Catch's ResultPath cannot add a field to an array or a string).
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bad-input-not-object-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const placeholder = { sourceObject: { bucket: LOCAL_RESOURCE_NAMES.sourceBucket, key: 'not-read.jsonl' } };

describe.each([
  ['an array', [{ source: 'x' }]],
  ['a string', 'samples/sample_records.json'],
  ['a number', 42],
])('an execution input that is %s', (_, rawExecutionInput) => {
  it('ends in InputRefused with a cause that says the input must be a JSON object', async () => {
    const { summary, thrown, execution } = await runRefused(dir, { ...placeholder, rawExecutionInput });
    expect(thrown).toBeUndefined();
    expect(execution).toEqual({
      error: 'InvalidInputError',
      cause: 'execution input must be a JSON object, for example {}',
    });
    expect(summary?.status).toBe('FAILED');
    expect(summary?.output.files).toEqual([]);
  });
});
