import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocalJob } from '../../local/runner/run-job';
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
});
