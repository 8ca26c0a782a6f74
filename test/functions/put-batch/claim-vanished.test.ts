import { S3Client } from '@aws-sdk/client-s3';
import { acquireChunk } from '../../../functions/put-batch/claim';
import { s3Client } from '../../../functions/shared/aws-clients';
import { nextClaim } from '../../../functions/shared/chunk-claim';
import { putIf } from '../../../functions/shared/claim-store';
import { recordingLogger } from '../fixtures';
import { type LocalAws, startLocalAws } from '../local-aws';

/**
 * A claim write that meets the key (412) followed by a GET that does not find it (404: PutBatch holds
 * s3:ListBucket on the artifact bucket) means the key was deleted in between. The attempt backs off before trying again and
 * in the end fails with an error name the state machine retries.
 */

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const chunk = { chunkId: 'r0-c000003', round: 0, records: 10 };

/** Reads of the key answer as given (404 NoSuchKey: S3's answer for a missing key to a role with s3:ListBucket). */
function readsAnswering(name = 'NoSuchKey', status = 404): S3Client {
  const s3 = new S3Client({ forcePathStyle: true });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') {
        throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'readsAnswering' },
  );
  return s3;
}

const claimDeps = (s3: S3Client) => ({
  s3,
  logger: recordingLogger(),
  takeoverAfterMs: 55_000,
  waitBudgetMs: 20_000,
});

describe('a claim whose key exists for the write but not for the read', () => {
  it('backs off between tries and then throws TransientAwsError, which the state machine retries', async () => {
    const ref = { bucket: aws.names.artifactBucket, key: 'runs/vanished/round-00/outcomes/r0-c000003.json' };
    await putIf(s3Client(), ref, { claim: nextClaim(chunk, 'other', 0) }, { ifNoneMatch: '*' });
    const s3 = readsAnswering();
    let at = 1_000_000;
    const slept: number[] = [];

    await expect(
      acquireChunk(chunk, ref, {
        ...claimDeps(s3),
        now: () => at,
        sleep: async (ms) => {
          slept.push(ms);
          at += ms;
        },
      }),
    ).rejects.toMatchObject({ name: 'TransientAwsError', message: expect.stringContaining('s3:GetObject') });
    s3.destroy();

    expect(slept).toEqual([250, 500, 1_000]);
  });

  it('takes a 403 on the read for a denial (PutBatch may list the bucket), not for a deleted key: it fails at once', async () => {
    const ref = { bucket: aws.names.artifactBucket, key: 'runs/denied/round-00/outcomes/r0-c000003.json' };
    await putIf(s3Client(), ref, { claim: nextClaim(chunk, 'other', 0) }, { ifNoneMatch: '*' });
    const s3 = readsAnswering('AccessDenied', 403);
    const slept: number[] = [];

    await expect(
      acquireChunk(chunk, ref, {
        ...claimDeps(s3),
        now: () => 1_000_000,
        sleep: async (ms) => {
          slept.push(ms);
        },
      }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    s3.destroy();
    expect(slept).toEqual([]);
  });
});
