import type { PutBatchInput } from '../../functions/shared/run-state';
import { DuplicateChildren } from '../../local/runner/duplicate-children';
import { type LambdaHandler, localDefinitionRefs } from '../../local/runner/local-lambdas';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import type { LocalJobOptions } from '../../local/runner/run-job';
import { type CellResult, createWorkspace, FAULT_SEED, printReport, runCell, type Workspace } from './matrix';

/**
 * The fault matrix with every chunk's child execution started twice, as Step Functions may start an
 * Express child (at least once): both copies at the same time, or the second after the first ended.
 * The chunk's claim lets one copy send; no record is sent twice and the summary counts no duplicate.
 */

let workspace: Workspace;

beforeAll(async () => {
  workspace = await createWorkspace('duplicate-children');
});

afterAll(async () => {
  printReport('Every child execution started twice');
  await workspace?.remove();
});

const PUT_BATCH_ARN = localDefinitionRefs(LOCAL_RESOURCE_NAMES).putBatchFunctionArn;

/** Counts PutBatch invocations by chunk, to show that every chunk really ran twice. */
function countingPutBatch() {
  const byChunk = new Map<string, number>();
  const wrapHandler: LocalJobOptions['wrapHandler'] = (arn, handler): LambdaHandler => {
    if (arn !== PUT_BATCH_ARN) return handler;
    return (event: never) => {
      const { runId, round, chunk } = event as PutBatchInput;
      const key = `${runId}/${round}/${chunk.chunkId}`;
      byChunk.set(key, (byChunk.get(key) ?? 0) + 1);
      return handler(event);
    };
  };
  return { wrapHandler, byChunk };
}

function expectEveryRecordOnce({ summary, audit }: CellResult): void {
  expect({ status: summary.status, error: summary.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(audit.lost).toBe(0);
  expect(audit.foreign).toBe(0);
  expect(audit.duplicates).toBe(0);
  expect(audit.deliveredLines).toBe(workspace.records);
  expect(summary.records.delivered).toBe(workspace.records);
  expect(summary.records.possibleDuplicates).toBe(0);
  expect(summary.metrics.verdict).toBe('confirmed');
}

describe('the workflow when Step Functions starts each child execution twice', () => {
  it.each([DuplicateChildren.concurrent, DuplicateChildren.late])(
    'sends no record twice when the two starts are %s',
    async (mode) => {
      const invocations = countingPutBatch();
      const result = await runCell(`children started twice (${mode})`, workspace, {
        duplicateChildren: mode,
        wrapHandler: invocations.wrapHandler,
      });
      expectEveryRecordOnce(result);
      expect(invocations.byChunk.size).toBe(result.summary.plan.chunks);
      for (const count of invocations.byChunk.values()) expect(count).toBeGreaterThanOrEqual(2);
      // One PutRecordBatch per chunk: the second copy of each child sent nothing.
      expect(result.summary.firehose.putRecordBatchCalls).toBe(
        result.summary.firehose.minimumPutRecordBatchCalls,
      );
    },
  );

  it('sends no record twice when children start twice at once and 10% of entries fail into re-queue rounds', async () => {
    const result = await runCell('children started twice + 10% entries failing', workspace, {
      duplicateChildren: DuplicateChildren.concurrent,
      faults: { entryFailureRate: 0.1, seed: FAULT_SEED },
    });
    expectEveryRecordOnce(result);
    expect(result.summary.plan.rounds).toBeGreaterThanOrEqual(2);
  });
});
