import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, inPipe, tempDataDir } from './cli';

/** Issue 10: the local fault that starts every Distributed Map child twice, as AWS may, from the CLI. */
describe('run --duplicate-children', () => {
  const dir = tempDataDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts every chunk twice at once and still sends each chunk once', () => {
    const { stdout, status } = inPipe(
      `${CLI} run --records 1200 --individual 0 --duplicate-children concurrent --fast-timers --json --data-dir ${dir}`,
    );
    expect(status).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.records).toMatchObject({ input: 1200, delivered: 1200, possibleDuplicates: 0 });
    expect(summary.firehose.putRecordBatchCalls).toBe(summary.firehose.minimumPutRecordBatchCalls);
    expect(summary.firehose.acceptedFirehoseRecords).toBe(1200);
    expect(summary.metrics).toMatchObject({ verdict: 'confirmed', incomingRecords: 1200 });
    // Each of the 3 chunks really ran twice: its second copy entered PutBatch and found the claim.
    const entered = readFileSync(join(summary.runDir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type: string; state?: { name?: string } })
      .filter((event) => event.type === 'StateEntered' && event.state?.name?.startsWith('PutBatch'));
    expect(entered.map((event) => event.state?.name).sort()).toEqual([
      ...Array(3).fill('PutBatch'),
      ...Array(3).fill('PutBatch.Duplicate'),
    ]);
  });

  it('refuses a value it does not know in one line', () => {
    const { stderr, status } = inPipe(`${CLI} run --duplicate-children twice --data-dir ${dir}`);
    expect(status).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--duplicate-children');
  });
});
