import { MAX_REQUEUE_ROUNDS } from '../../functions/plan/config';
import { MAX_EXECUTION_HISTORY_EVENTS, MAX_STATE_PAYLOAD_BYTES } from '../../functions/shared/limits';
import { ChunkPlanner, type PlannedChunk } from '../../functions/shared/plan/planner';
import { resolvePlanSettings } from '../../functions/shared/plan/settings';
import type { GoodRecord } from '../../functions/shared/records/reader';
import { emptyTotals, type RunState } from '../../functions/shared/run-state';
import { readDefinitionTemplate } from '../../statemachine/substitutions';

const TEN_MILLION = 10_000_000;

/** Plans 10 million synthetic records (80 to 400 bytes, seeded) without reading any file. */
function planTenMillion(): { chunks: PlannedChunk[]; planner: ChunkPlanner; largestChunk: PlannedChunk } {
  const planner = new ChunkPlanner(resolvePlanSettings({ individualRecords: 100 }));
  const chunks: PlannedChunk[] = [];
  let seed = 42;
  let offset = 0;
  const payload = Buffer.alloc(400, 0x61);
  for (let index = 0; index < TEN_MILLION; index++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const size = 80 + (seed % 321);
    const record: GoodRecord = {
      kind: 'record',
      index,
      offset,
      line: index + 1,
      payload: payload.subarray(0, size),
    };
    offset += size + 1;
    for (const chunk of planner.add(record)) chunks.push(chunk);
  }
  for (const chunk of planner.finish(offset)) chunks.push(chunk);
  const largestChunk = chunks.reduce((a, b) => (JSON.stringify(b).length > JSON.stringify(a).length ? b : a));
  return { chunks, planner, largestChunk };
}

/**
 * Events a Standard workflow records per state visit (Step Functions history event types):
 * Task: StateEntered, Scheduled, Started, Succeeded/Failed, StateExited, plus Scheduled/Started/Failed
 * per retry. Distributed Map: MapStateEntered, MapRunStarted, MapRunSucceeded, MapStateExited — its
 * items run as child executions with their own histories. Choice/Pass/Wait: Entered and Exited.
 */
const EVENTS = { task: 5, taskRetry: 3, map: 4, plain: 2, execution: 2 } as const;

describe('at 10 million records', () => {
  const { chunks, planner, largestChunk } = planTenMillion();
  const totals = planner.totals();

  it('plans every record into chunks that each fit one PutRecordBatch', () => {
    expect(totals.records).toBe(TEN_MILLION);
    expect(chunks.reduce((sum, chunk) => sum + chunk.records, 0)).toBe(TEN_MILLION);
    expect(chunks.length).toBeGreaterThan(19_000);
  });

  it('keeps each Distributed Map item (one chunk descriptor) far below the 256 KiB state limit', () => {
    const item = {
      runId: 'run-20261126-000000-abcd',
      round: 10,
      chunk: { ...largestChunk, bucket: 'b'.repeat(63), key: 'k'.repeat(1024) },
    };
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(MAX_STATE_PAYLOAD_BYTES / 100);
  });

  it('keeps the run state that travels between steps far below the 256 KiB state limit', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const state: RunState = {
      runId: 'run-20261126-000000-abcd',
      startedAt: new Date().toISOString(),
      settings: {
        source: { bucket: 'b'.repeat(63), key: 'k'.repeat(1024) },
        format: 'jsonl',
        individualRecords: big,
        pack: true,
        maxConcurrency: 10_000,
        requeueRounds: MAX_REQUEUE_ROUNDS,
        maxBatchRecords: 500,
        maxBatchBytes: 4_194_304,
      },
      plan: {
        ...totals,
        sourceBytes: big,
        etag: `"${'f'.repeat(32)}-10000"`,
        rejected: big,
        manifestKey: 'k'.repeat(200),
        rejectsKey: 'k'.repeat(200),
      },
      round: {
        number: MAX_REQUEUE_ROUNDS,
        manifestKey: 'k'.repeat(200),
        chunks: big,
        records: big,
        next: 'requeue',
        waitSeconds: 300,
      },
      totals: Object.fromEntries(
        Object.keys(emptyTotals()).map((key) => [key, big]),
      ) as unknown as RunState['totals'],
      deadLetter: {
        records: big,
        // The longest bucket name S3 allows (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
        bucket: 'b'.repeat(63),
        recordsKey: 'k'.repeat(200),
        manifestKey: 'k'.repeat(200),
        message: 'm'.repeat(1_000),
      },
      metrics: {
        verdict: 'mismatch',
        incomingRecords: big,
        incomingBytes: big,
        throttledRecords: big,
        failedPutCount: big,
      },
      mapRun: { ResultWriterDetails: { Bucket: 'b'.repeat(63), Key: 'k'.repeat(1024) } },
    };
    // Its size depends on counts, never on how many records or chunks there are.
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(MAX_STATE_PAYLOAD_BYTES / 20);
  });

  it('keeps the parent execution history far below 25,000 events in the worst case', () => {
    const definition = JSON.parse(readDefinitionTemplate()) as {
      States: Record<string, { Type: string; Retry?: { MaxAttempts: number }[] }>;
    };
    const retries = (name: string) =>
      (definition.States[name]?.Retry ?? []).reduce((sum, rule) => sum + rule.MaxAttempts, 0);
    const task = (name: string) => EVENTS.task + retries(name) * EVENTS.taskRetry;
    // Every round re-queues until the last; every Task exhausts every retry; metrics lag throughout.
    const perRound =
      EVENTS.map + task('AdvanceRound') + EVENTS.plain /* MoreRounds */ + EVENTS.plain /* Wait */;
    const worst =
      EVENTS.execution +
      task('Plan') +
      (MAX_REQUEUE_ROUNDS + 1) * perRound +
      task('CheckMetrics') +
      EVENTS.plain * 3; /* MetricsStillLagging, AllRecordsAccountedFor, the end state */
    expect(worst).toBeLessThan(MAX_EXECUTION_HISTORY_EVENTS / 20);
    // The chunk count does not appear above: 20,000 chunks are 20,000 child executions, not parent events.
    expect(chunks.length).toBeGreaterThan(worst);
  });
});
