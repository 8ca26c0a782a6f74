import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUTO_THREADS_MIN_BYTES, handlerThreadCount, runLocalJob } from '../../local/runner/run-job';
import { expectAddsUp, expectedLines, linesOf, mockFile, tempDataDir } from './helpers';

const quiet = { write: () => undefined, interactive: false };

describe('the local workflow with its handlers in worker threads', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(async () => {
    await data.cleanup();
  });

  it('delivers every record once and keeps every handler log line in the run log', async () => {
    const input = await mockFile(data.dir, 3_000, 'jsonl');
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      handlerThreads: 2,
      progress: quiet,
    });

    expect(summary.status).toBe('SUCCEEDED');
    expectAddsUp(summary);
    expect(summary.records.delivered).toBe(3_000);
    expect(await linesOf(summary.output.files)).toEqual(await expectedLines(input));
    const log = await readFile(join(summary.runDir, 'functions.log.jsonl'), 'utf8');
    const chunksPut = log.split('\n').filter((line) => line.includes('"message":"chunk put"'));
    expect(chunksPut).toHaveLength(summary.plan.chunks);
  });

  it("keeps a handler error's name across the thread, so the state machine's Catch still matches it", async () => {
    const input = await mockFile(data.dir, 10, 'jsonl');
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      rawExecutionInput: { maxConcurrency: 0 },
      handlerThreads: 1,
      progress: quiet,
    });

    // Plan's InvalidInputError is caught by name and ends in InputRefused with its message.
    expect(summary.status).toBe('FAILED');
    expect(summary.error).toEqual({
      name: 'InvalidInputError',
      message: expect.stringContaining('"maxConcurrency"'),
    });
  });

  it('starts threads by itself only for an input file of AUTO_THREADS_MIN_BYTES or more', async () => {
    const small = join(data.dir, 'small.jsonl');
    const large = join(data.dir, 'large.jsonl');
    await writeFile(small, '{"a":1}\n');
    await writeFile(large, '');
    await truncate(large, AUTO_THREADS_MIN_BYTES); // sparse: the size is what counts

    const count = (options: Partial<Parameters<typeof handlerThreadCount>[0]>) =>
      handlerThreadCount({ dataDir: data.dir, ...options });
    expect(await count({ inputFile: small })).toBe(0);
    expect(await count({ inputFile: large })).toBe(2);
    expect(await count({ inputFile: large, handlerThreads: 0 })).toBe(0);
    expect(await count({ inputFile: small, handlerThreads: 1 })).toBe(1);
    expect(await count({ sourceObject: { bucket: 'b', key: 'k' } })).toBe(0);
    expect(await count({ inputFile: join(data.dir, 'missing.jsonl') })).toBe(0);
  });
});
