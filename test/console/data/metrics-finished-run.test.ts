import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataLock } from '@firehose-loader/local-services';
import type { RunSummary } from '../../../functions/shared/run';
import { readLocalMetrics } from '../../../local/console/data/metrics';
import { runLocalJob } from '../../../local/runner/run-job';

/**
 * Integration tier: a real local run, then its metrics read once its services have stopped, from the
 * datapoints local CloudWatch kept in the data folder.
 */
let dataDir: string;
let summary: RunSummary;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'console-metrics-finished-'));
  const input = join(dataDir, 'input.jsonl');
  await writeFile(input, `${Array.from({ length: 40 }, (_, n) => JSON.stringify({ n })).join('\n')}\n`);
  summary = await runLocalJob({
    dataDir,
    inputFile: input,
    individualRecords: 5,
    fastTimers: true,
    inProcessServices: true,
    progress: { write: () => undefined, interactive: false },
  });
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('the metrics of a finished local run', () => {
  it('are still there once its services have stopped, and add up to the run summary', async () => {
    expect(await readDataLock(join(dataDir, 'services'))).toBeUndefined();
    expect(summary.records).toMatchObject({ input: 40, delivered: 40 });
    const view = await readLocalMetrics(undefined, { dataDir }, summary.runId);
    const total = (id: string) =>
      view.series.find((s) => s.id === id)?.values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    expect(total('incomingRecords')).toBe(40);
    expect(total('incomingBytes')).toBe(summary.firehose.acceptedBytes);
    expect(total('incomingPutRequests')).toBe(
      summary.firehose.putRecordCalls + summary.firehose.putRecordBatchCalls,
    );
    // The stream's quota, from the limits local Firehose published during the run.
    expect(view.series.find((s) => s.id === 'incomingBytes')?.quotaPerSecond).toBe(5 * 1024 * 1024);
  });
});
