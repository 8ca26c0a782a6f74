import { advanceRound } from '../../../functions/advance-round/advance';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { s3Client } from '../../../functions/shared/aws-clients';
import { putJson } from '../../../functions/shared/s3-io';
import { foundQuota, outcome } from '../fixtures';
import { type LocalAws, startLocalAws } from '../local-aws';
import { advanceDeps, readManifest, roundZero } from './round-zero';

const QUOTA = foundQuota({
  bytesPerSecond: 1_000,
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
});

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const deps = () => advanceDeps(aws, 'pace');

describe('AdvanceRound carries the quota and the rate that worked into the next round', () => {
  it('schedules the re-queue round from its own chunks and starts it at the rate the round ended at', async () => {
    const { state, manifest } = await roundZero(aws, 'run-pace-carry', 1);
    const first = manifest[0];
    // The only chunk reporting a rate (so the last in plan order) was sent at 0.6 of the quota.
    await putJson(
      s3Client(),
      { bucket: aws.names.artifactBucket, key: artifactKeys.outcome('run-pace-carry', 0, first.chunkId) },
      outcome({
        chunkId: first.chunkId,
        records: 4,
        delivered: 4,
        acceptedFirehoseRecords: 4,
        paceRate: 0.6,
      }),
    );

    const next = await advanceRound({ ...state, quota: QUOTA, pace: { rate: 0.9 } }, deps());

    expect(next.quota).toEqual(QUOTA);
    expect(next.pace).toEqual({ rate: 0.6 });
    const written = await readManifest(aws, next.round.manifestKey);
    // At 1,000 bytes/s the second chunk starts when the first one's bytes have had their time.
    expect(written.map((chunk) => chunk.paceOffsetMs)).toEqual([0, written[0].payloadBytes]);
  });
});
