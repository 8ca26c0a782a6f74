import { Writable } from 'node:stream';
import type { RunSummary } from '../../functions/shared/run';
import { resumeLocalJob } from '../../local/runner/resume';
import { openRunFile } from '../../local/runner/run-file';
import { runLocalJob } from '../../local/runner/run-job';
import { expectedLines, linesOf, mockFile, tempDataDir } from '../e2e/helpers';

/**
 * A full disk under the run's own files, injected (the real disk is not filled): the events log's
 * write stream fails with ENOSPC after a few lines, as it would with no space left. The run must stop
 * with one named error instead of an unhandled stack, count what it did, and a resume (space freed)
 * must complete the load.
 */

const RECORDS = 5000; // 10 chunks of 500, sent one at a time
const quiet = { write: () => undefined, interactive: false };

/** A file that takes `lines` writes, then fails every write as a full disk does. */
class FullDisk extends Writable {
  constructor(private lines: number) {
    super();
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.lines -= 1;
    if (this.lines >= 0) {
      done();
      return;
    }
    done(
      Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        syscall: 'write',
      }),
    );
  }
}

let data: Awaited<ReturnType<typeof tempDataDir>>;
let input: string;
beforeAll(async () => {
  data = await tempDataDir();
  input = await mockFile(data.dir, RECORDS, 'jsonl');
});
afterAll(() => data.cleanup());

function expectAddsUp(summary: RunSummary) {
  const r = summary.records;
  expect(r.input).toBe(r.delivered + r.deadLettered + r.rejected + r.pending);
}

describe('the disk filling up under a local run', () => {
  it('stops the run with the error named, counts what was done, and a resume completes the load', async () => {
    const stopped = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      runId: 'run-disk-full',
      format: 'jsonl',
      individualRecords: 0,
      maxConcurrency: 1,
      fastTimers: true,
      progress: quiet,
      // Planning and a few Map iterations get logged, then the disk is full.
      openRunFile: (path) => (path.endsWith('events.jsonl') ? new FullDisk(16) : openRunFile(path)),
    });
    expect(stopped.status).toBe('FAILED');
    expect(stopped.error?.name).toBe('ENOSPC');
    expect(stopped.error?.message).toMatch(/could not write events\.jsonl .*no space left on the device/);
    expect(stopped.records.input).toBe(RECORDS);
    expectAddsUp(stopped);
    expect(stopped.records.pending).toBeGreaterThan(0);
    // Delivered means in the destination on disk.
    expect((await linesOf(stopped.output.files)).length).toBe(stopped.records.delivered);

    const resumed = await resumeLocalJob('run-disk-full', { dataDir: data.dir, progress: quiet });
    expect({ status: resumed.status, error: resumed.error }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
    });
    expect(resumed.records).toMatchObject({
      input: RECORDS,
      delivered: RECORDS,
      pending: 0,
      deadLettered: 0,
    });
    expect(resumed.parts).toEqual([{ status: 'FAILED', durationMs: stopped.durationMs }]);
    expect(await linesOf(resumed.output.files)).toEqual(await expectedLines(input));
  }, 120_000);
});
