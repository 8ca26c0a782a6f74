import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { artifactKeys } from '../../functions/shared/artifacts';
import { nextClaim } from '../../functions/shared/chunk-claim';
import type { PutBatchInput } from '../../functions/shared/run-state';
import { type LambdaHandler, localDefinitionRefs } from '../../local/runner/local-lambdas';
import { LOCAL_RESOURCE_NAMES } from '../../local/runner/local-resources';
import type { LocalJobOptions } from '../../local/runner/run-job';
import { type CellResult, createWorkspace, printReport, runCell, type Workspace } from './matrix';

/**
 * PutBatch invocations that crash after Firehose accepted their batch. Whatever a crash makes the
 * workflow send twice must show up: counted here from the output, and reported by the run itself as
 * a CloudWatch mismatch (IncomingRecords above what the outcomes say was accepted).
 */

const PUT_BATCH_ARN = localDefinitionRefs(LOCAL_RESOURCE_NAMES).putBatchFunctionArn;
const CRASHES = 2;

class SimulatedCrash extends Error {
  constructor(errorType: string) {
    super('simulated crash after Firehose accepted the batch');
    this.name = errorType;
  }
}

interface CrashPlan {
  /** The errorType Step Functions sees: Lambda.ServiceException is retried in place, Lambda.Unknown is not. */
  errorType: string;
  /**
   * Crash before the outcome object is written: the wrapper puts back the claim the real handler held,
   * which is what the outcome key holds when an attempt dies after Firehose accepted its batch.
   */
  beforeOutcome: boolean;
}

/** Wraps PutBatch so its first CRASHES invocations crash after the real handler ran; counts what they delivered. */
function crashingPutBatch(plan: CrashPlan) {
  const crashed: { chunkId: string; delivered: number }[] = [];
  let invocations = 0;
  const wrapHandler: LocalJobOptions['wrapHandler'] = (arn, handler): LambdaHandler => {
    if (arn !== PUT_BATCH_ARN) return handler;
    return async (event: never) => {
      const crash = invocations++ < CRASHES;
      const result = (await handler(event)) as { chunkId: string; delivered: number };
      if (!crash) return result;
      crashed.push({ chunkId: result.chunkId, delivered: result.delivered });
      if (plan.beforeOutcome) {
        const input = event as PutBatchInput;
        const s3 = new S3Client({ forcePathStyle: true });
        const chunk = { chunkId: input.chunk.chunkId, round: input.round, records: input.chunk.records };
        await s3.send(
          new PutObjectCommand({
            Bucket: LOCAL_RESOURCE_NAMES.artifactBucket,
            Key: artifactKeys.outcome(input.runId, input.round, input.chunk.chunkId),
            Body: JSON.stringify({ claim: nextClaim(chunk, 'crashed attempt', Date.now()) }),
          }),
        );
        s3.destroy();
      }
      throw new SimulatedCrash(plan.errorType);
    };
  };
  return { wrapHandler, crashed };
}

interface RoundFinished {
  round: number;
  chunks: number;
  fromMapResults: number;
  fromOutcomeObjects: number;
  failedChunks: number;
}

/** What AdvanceRound logged for each round: where it found the outcomes it counted. */
async function roundsFinished(runDir: string): Promise<RoundFinished[]> {
  const log = await readFile(join(runDir, 'functions.log.jsonl'), 'utf8');
  return log
    .split('\n')
    .filter((line) => line.includes('"round finished"'))
    .map((line) => JSON.parse(line) as RoundFinished);
}

let workspace: Workspace;

beforeAll(async () => {
  workspace = await createWorkspace('crash');
});

afterAll(async () => {
  printReport('PutBatch crashes after Firehose accepted the batch');
  await workspace?.remove();
});

function expectNothingLost({ summary, audit }: CellResult): void {
  expect({ status: summary.status, error: summary.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  expect(audit.lost).toBe(0);
  expect(audit.foreign).toBe(0);
  expect(summary.records.input).toBe(workspace.records);
  expect(summary.records.input).toBe(
    summary.records.delivered + summary.records.deadLettered + summary.records.rejected,
  );
}

describe('PutBatch crashing after Firehose accepted its batch', () => {
  it('does not resend a chunk when Step Functions retries an invocation that crashed after writing its outcome', async () => {
    const crash = crashingPutBatch({ errorType: 'Lambda.ServiceException', beforeOutcome: false });
    const result = await runCell('crash, retried by Step Functions', workspace, {
      wrapHandler: crash.wrapHandler,
    });
    expectNothingLost(result);
    expect(crash.crashed).toHaveLength(CRASHES);
    // The retried invocation finds the outcome object of the crashed one and sends nothing again.
    expect(result.audit.duplicates).toBe(0);
    expect(result.audit.deliveredLines).toBe(workspace.records);
    expect(result.summary.records.delivered).toBe(workspace.records);
    expect(result.summary.metrics.verdict).toBe('confirmed');
  });

  it('delivers each record once when the crash comes after the outcome was written, because the outcome counts', async () => {
    const crash = crashingPutBatch({ errorType: 'Lambda.Unknown', beforeOutcome: false });
    const result = await runCell('crash (Lambda.Unknown) after outcome written', workspace, {
      wrapHandler: crash.wrapHandler,
    });
    expectNothingLost(result);
    expect(crash.crashed).toHaveLength(CRASHES);
    expect(result.audit.duplicates).toBe(0);
    expect(result.summary.plan.failedChunks).toBe(0);
    expect(result.summary.metrics.verdict).toBe('confirmed');
    // The crashed children are FAILED in the Map results: their outcomes came from the outcome objects,
    // every other chunk's from its child's Output, and each chunk was counted once.
    const [round] = await roundsFinished(result.summary.runDir);
    expect(round).toMatchObject({ round: 0, fromOutcomeObjects: CRASHES, failedChunks: 0 });
    expect(round.fromMapResults).toBe(round.chunks - CRASHES);
    expect(result.summary.records.delivered).toBe(workspace.records);
  });

  it('counts the chunks re-queued whole after a crash before their outcome was written as possible duplicates, and reports them', async () => {
    const crash = crashingPutBatch({ errorType: 'Lambda.Unknown', beforeOutcome: true });
    const result = await runCell('crash (Lambda.Unknown) before outcome written', workspace, {
      wrapHandler: crash.wrapHandler,
    });
    expectNothingLost(result);
    const expected = crash.crashed.reduce((sum, c) => sum + c.delivered, 0);
    expect(crash.crashed).toHaveLength(CRASHES);
    expect(expected).toBeGreaterThan(0);
    expect(result.audit.duplicates).toBe(expected);
    expect(result.summary.plan.failedChunks).toBe(CRASHES);
    // Neither the Map results nor the outcome objects have them: they are the round's failed chunks.
    const [round] = await roundsFinished(result.summary.runDir);
    expect(round).toMatchObject({ round: 0, fromOutcomeObjects: 0, failedChunks: CRASHES });
    expect(round.fromMapResults).toBe(round.chunks - CRASHES);
    expect(result.summary.plan.rounds).toBe(2);
    expect(result.summary.records.delivered).toBe(workspace.records);
    // The claims left behind tell AdvanceRound those chunks may have been sent: the run reports them.
    expect(result.summary.records.possibleDuplicates).toBe(expected);
    expect(result.summary.metrics.verdict).toBe('mismatch');
    expect(
      (result.summary.metrics.incomingRecords ?? 0) - result.summary.firehose.acceptedFirehoseRecords,
    ).toBe(expected);
  });
});
