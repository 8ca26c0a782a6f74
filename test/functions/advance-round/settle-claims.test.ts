import { settleClaims } from '../../../functions/advance-round/settle-claims';
import { s3Client } from '../../../functions/shared/aws-clients';
import { nextClaim, parseStoredChunk } from '../../../functions/shared/chunk-claim';
import { putIf } from '../../../functions/shared/claim-store';
import { outcome } from '../fixtures';
import { getText, type LocalAws, startLocalAws } from '../local-aws';

/** AdvanceRound hands a chunk left with only a claim on, by compare-and-swap against a late owner. */

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

const T0 = Date.parse('2026-11-30T12:00:00Z');
const chunk = { chunkId: 'r0-c000007', round: 0, records: 40 };

describe('settling the claims a round left', () => {
  it('marks a claim handed on, and does it only once when the step runs again', async () => {
    const ref = { bucket: aws.names.artifactBucket, key: 'runs/settle/round-00/outcomes/r0-c000007.json' };
    const claim = nextClaim(chunk, 'owner', T0);
    const etag = (await putIf(s3Client(), ref, { claim }, { ifNoneMatch: '*' })) as string;

    const first = await settleClaims(s3Client(), [{ ref, claim, etag }], () => T0 + 1000);

    expect(first.outcomes).toEqual([]);
    expect(first.claims.get(chunk.chunkId)).toMatchObject({ requeuedAt: new Date(T0 + 1000).toISOString() });
    const stored = parseStoredChunk(await getText(s3Client(), ref.bucket, ref.key));
    expect(stored).toEqual({ kind: 'claim', claim: first.claims.get(chunk.chunkId) });
    const again = stored.kind === 'claim' ? stored.claim : claim;
    const second = await settleClaims(s3Client(), [{ ref, claim: again, etag: 'unused' }], () => T0 + 9000);
    expect(second.claims.get(chunk.chunkId)?.requeuedAt).toBe(new Date(T0 + 1000).toISOString());
  });

  it('counts the outcome of an owner that finished between the read and the swap, instead of re-queueing', async () => {
    const ref = { bucket: aws.names.artifactBucket, key: 'runs/settle/round-00/outcomes/late-owner.json' };
    const claim = nextClaim(chunk, 'owner', T0);
    const etag = (await putIf(s3Client(), ref, { claim }, { ifNoneMatch: '*' })) as string;
    // AdvanceRound has read the claim (etag); the owner now replaces it with its outcome.
    const done = outcome({ chunkId: chunk.chunkId, delivered: 40, records: 40 });
    expect(await putIf(s3Client(), ref, done, { ifMatch: etag })).toBeDefined();

    const settled = await settleClaims(s3Client(), [{ ref, claim, etag }]);

    expect(settled.outcomes).toEqual([done]);
    expect(settled.claims.size).toBe(0);
    expect(parseStoredChunk(await getText(s3Client(), ref.bucket, ref.key))).toEqual({
      kind: 'outcome',
      outcome: done,
    });
  });
});
