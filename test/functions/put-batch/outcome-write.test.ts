import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { putChunk } from '../../../functions/put-batch/put-chunk';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { s3Client } from '../../../functions/shared/aws-clients';
import { parseStoredChunk } from '../../../functions/shared/chunk-claim';
import { resolveRetryPolicy } from '../../../functions/shared/firehose';
import { createFirehoseClient } from '../../../functions/shared/firehose/client';
import { descriptor, recordingLogger } from '../fixtures';
import { getText, type LocalAws, putText, startLocalAws } from '../local-aws';

/**
 * Once Firehose accepted part of a chunk, the attempt knows exactly what to re-queue and record: a
 * transient S3 failure of those two small writes, or a 409 race on the outcome's compare-and-swap,
 * must not leave the claim open (the chunk would be resent next round, its records counted twice).
 */

const TEXT = `${Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: i })).join('\n')}\n`;
const ONE_ATTEMPT = resolveRetryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 20_000 });

let aws: LocalAws;
let etag: string;
beforeAll(async () => {
  aws = await startLocalAws();
  etag = await putText(s3Client(), aws.names.sourceBucket, 'outcome-write/in.jsonl', TEXT);
});
afterAll(async () => {
  await aws?.stop();
});
afterEach(() => {
  aws.services.setFaults({ entryFailureRate: 0 });
});

type WriteKind = 'requeue' | 'outcome';

/** An S3 client whose first write of each listed kind fails as S3 may fail it, before reaching S3. */
function failingFirstWrites(kinds: WriteKind[], error: () => Error): { s3: S3Client; failed: WriteKind[] } {
  const s3 = new S3Client({ forcePathStyle: true });
  const failed: WriteKind[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; IfMatch?: string; Body?: unknown };
      if (context.commandName === 'PutObjectCommand') {
        const outcomeWrite = Boolean(input.IfMatch) && !String(input.Body).includes('"claim"');
        const kind = input.Key?.includes('/requeue') ? 'requeue' : outcomeWrite ? 'outcome' : undefined;
        if (kind && kinds.includes(kind) && !failed.includes(kind)) {
          failed.push(kind);
          throw error();
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'failFirstWrites' },
  );
  return { s3, failed };
}

async function putOnce(runId: string, s3: S3Client) {
  const { streamName } = await aws.stream(runId);
  const firehose = createFirehoseClient();
  let batches = 0;
  firehose.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === PutRecordBatchCommand.name) batches += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countBatches' },
  );
  const chunk = descriptor({
    bucket: aws.names.sourceBucket,
    key: 'outcome-write/in.jsonl',
    etag,
    start: 0,
    end: Buffer.byteLength(TEXT),
    records: 8,
    firehoseRecords: 8,
    payloadBytes: Buffer.byteLength(TEXT),
  });
  let at = 1_000_000;
  const outcome = await putChunk(
    { runId, round: 0, chunk },
    {
      s3,
      firehose,
      streamName,
      artifactBucket: aws.names.artifactBucket,
      retry: ONE_ATTEMPT,
      logger: recordingLogger(),
      claimTakeoverAfterMs: 55_000,
      now: () => at,
      sleep: async (ms: number) => {
        at += ms;
      },
    },
  );
  const key = artifactKeys.outcome(runId, 0, chunk.chunkId);
  const stored = parseStoredChunk(await getText(s3Client(), aws.names.artifactBucket, key));
  return { outcome, stored, batches };
}

const transient = () =>
  Object.assign(new Error('We encountered an internal error. Please try again.'), {
    name: 'InternalError',
    $metadata: { httpStatusCode: 500 },
  });

describe('the writes after Firehose accepted', () => {
  it('are retried after a transient S3 error, so the outcome and the re-queue are recorded', async () => {
    // Half the entries fail: the attempt writes a re-queue object, then the outcome.
    aws.services.setFaults({ entryFailureRate: 0.5, seed: 7 });
    const { s3, failed } = failingFirstWrites(['requeue', 'outcome'], transient);

    const { outcome, stored, batches } = await putOnce('outcome-write-transient', s3);
    s3.destroy();

    expect(failed).toEqual(['requeue', 'outcome']);
    expect(batches).toBe(1);
    expect(outcome.delivered).toBeGreaterThan(0);
    expect(outcome.requeued).toBeGreaterThan(0);
    expect(outcome.delivered + outcome.requeued).toBe(8);
    expect(outcome.requeue?.records).toBe(outcome.requeued);
    expect(stored).toEqual({ kind: 'outcome', outcome });
  });

  it('retry the outcome after a 409 ConditionalRequestConflict that left our claim in place', async () => {
    const conflict = () =>
      Object.assign(new Error('A conflicting operation occurred.'), {
        name: 'ConditionalRequestConflict',
        $metadata: { httpStatusCode: 409 },
      });
    const { s3, failed } = failingFirstWrites(['outcome'], conflict);

    const { outcome, stored, batches } = await putOnce('outcome-write-conflict', s3);
    s3.destroy();

    expect(failed).toEqual(['outcome']);
    expect(batches).toBe(1);
    expect(outcome).toMatchObject({ delivered: 8, possibleDuplicateRecords: 0 });
    expect(stored).toEqual({ kind: 'outcome', outcome });
  });
});
