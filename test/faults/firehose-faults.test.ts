import { type CellResult, createWorkspace, FAULT_SEED, printReport, runCell, type Workspace } from './matrix';

/**
 * The fault matrix against local Firehose: failed entries, failed requests and throttling. In every cell
 * each input record is in the delivered output or the dead letters, the summary's arithmetic holds, and
 * nothing is delivered twice.
 */

let workspace: Workspace;

beforeAll(async () => {
  workspace = await createWorkspace('firehose');
});

afterAll(async () => {
  printReport('Firehose faults');
  await workspace?.remove();
});

function expectEveryRecordOnce({ summary, audit }: CellResult): void {
  expect({ status: summary.status, error: summary.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(audit.lost).toBe(0);
  expect(audit.foreign).toBe(0);
  expect(audit.duplicates).toBe(0);
  expect(summary.records.input).toBe(workspace.records);
  expect(summary.records.input).toBe(
    summary.records.delivered + summary.records.deadLettered + summary.records.rejected,
  );
  expect(summary.records.delivered).toBe(summary.records.input);
  expect(audit.deliveredLines).toBe(summary.records.input);
  expect(summary.metrics.verdict).toBe('confirmed');
}

describe('the workflow under failed Firehose entries', () => {
  it.each([
    [0, 1],
    [10, 2],
    [30, 2],
    [50, 3],
  ])('delivers every record exactly once with %i%% of entries failing', async (percent, minRounds) => {
    const result = await runCell(`${percent}% entries failing`, workspace, {
      faults: { entryFailureRate: percent / 100, seed: FAULT_SEED },
    });
    expectEveryRecordOnce(result);
    const { summary } = result;
    expect(summary.plan.rounds).toBeGreaterThanOrEqual(minRounds);
    if (percent === 0) {
      expect(summary.firehose.putRecordBatchCalls).toBe(summary.firehose.minimumPutRecordBatchCalls);
      expect(summary.firehose.failedPutCount).toBe(0);
      expect(summary.records.requeued).toBe(0);
    } else {
      // Entries still failed after the sender's retries went to a later round, and were counted.
      expect(summary.firehose.failedPutCount).toBeGreaterThan(0);
      expect(summary.records.requeued).toBeGreaterThan(0);
    }
  });
});

describe('the workflow under failed Firehose requests and throttling', () => {
  it('delivers every record exactly once when 30% of PutRecordBatch requests fail with 503', async () => {
    const result = await runCell('30% requests failing (503)', workspace, {
      faults: { requestErrorRate: 0.3, requestErrorStatus: 503, seed: FAULT_SEED },
    });
    expectEveryRecordOnce(result);
  });

  it('delivers every record exactly once when 30% of requests fail with 500 and 10% of entries fail', async () => {
    const result = await runCell('30% requests (500) + 10% entries', workspace, {
      faults: { requestErrorRate: 0.3, requestErrorStatus: 500, entryFailureRate: 0.1, seed: FAULT_SEED },
    });
    expectEveryRecordOnce(result);
    expect(result.summary.firehose.failedPutCount).toBeGreaterThan(0);
  });

  it('delivers every record exactly once through a stream throttled to 2,000 records per second', async () => {
    const result = await runCell('throttled to 2,000 records/s', workspace, {
      // The quota clock moves 50 ms per request, not with real time, so throttling does not depend on
      // the machine's speed: 100 records of quota come back per request. Sending 3,000 records without
      // a throttled entry would take at least 6 requests of 500 against at most 2,000 + 6 × 100 = 2,600
      // records of quota, so some entries are throttled however the requests interleave.
      quotas: { recordsPerSecond: 2000, msPerRequest: 50 },
      // This cell is about retries under throttling: told the quota, PutBatch would pace itself instead.
      paceToQuota: false,
      // Throttling needs time to clear: a retry policy that waits up to ~1 s in all.
      retry: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 400, budgetMs: 3000 },
      requeueRounds: 8,
    });
    expectEveryRecordOnce(result);
    expect(result.summary.firehose.throttledEntries).toBeGreaterThan(0);
  });
});
