import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AimdPace, DEFAULT_AIMD, type SharedCut } from '../../../functions/put-batch/aimd';
import { parseBoard, s3RateBoard } from '../../../functions/put-batch/rate-board';
import { SharedRate } from '../../../functions/put-batch/shared-rate';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { s3Client } from '../../../functions/shared/aws-clients';
import { recordingLogger } from '../fixtures';
import { type LocalAws, startLocalAws } from '../local-aws';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const cut = (rate: number, atMs = 2_000): SharedCut => ({
  atMs,
  rate,
  anchorWallMs: 3_000,
  anchorOffsetMs: 1_500,
  throttledRate: 0.9,
  cutRate: rate,
  recoverTo: 0.85,
  episode: { throttledRate: 0.9, recoverTo: 0.85, atMs },
});
const refOf = (runId: string) => ({
  bucket: aws.names.artifactBucket,
  key: artifactKeys.paceBoard(runId, 0, '2026-12-01T02:07:53.123Z'),
});

describe('the pace board in S3', () => {
  it('is absent before the first cut, then holds what was written, with its ETag', async () => {
    const board = s3RateBoard(s3Client(), refOf('board-basic'));
    expect(await board.read()).toBeUndefined();

    const etag = await board.write({ cut: cut(0.6), seq: 1 }, undefined);

    expect(etag).toEqual(expect.any(String));
    expect(await board.read()).toEqual({ cut: cut(0.6), seq: 1, etag });
  });

  it('lets exactly one of several first cuts racing for the board win (If-None-Match)', async () => {
    const ref = refOf('board-race-first');
    const rates = [0.6, 0.65, 0.7, 0.75];
    const boards = rates.map(() => s3RateBoard(s3Client(), ref));

    const results = await Promise.all(
      boards.map((board, i) => board.write({ cut: cut(rates[i] ?? 1), seq: 1 }, undefined)),
    );

    const winner = results.findIndex((etag) => etag !== undefined);
    expect(results.filter((etag) => etag !== undefined)).toHaveLength(1);
    expect(await boards[0]?.read()).toMatchObject({
      seq: 1,
      cut: { rate: rates[winner] },
      etag: results[winner],
    });
  });

  it('refuses a write over a cut the writer did not know (If-Match on a stale ETag)', async () => {
    const ref = refOf('board-race-next');
    const board = s3RateBoard(s3Client(), ref);
    const first = await board.write({ cut: cut(0.6), seq: 1 }, undefined);
    const second = await board.write({ cut: cut(0.5, 3_000), seq: 2 }, first);

    const stale = await board.write({ cut: cut(0.4, 3_100), seq: 2 }, first);

    expect(second).toEqual(expect.any(String));
    expect(stale).toBeUndefined();
    expect(await board.read()).toMatchObject({ seq: 2, cut: { rate: 0.5 }, etag: second });
  });

  it('reports a 403 as an error, not as a board not yet written: PutBatch may list the bucket, so S3 answers a missing board 404', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    s3.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      },
      { step: 'initialize', name: 'forbiddenReads' },
    );
    await expect(s3RateBoard(s3, refOf('board-forbidden')).read()).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    s3.destroy();
  });

  it('takes only a 404 NoSuchKey for a board not yet written', async () => {
    const ref = refOf('board-missing');
    await expect(
      s3Client().send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key })),
    ).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(await s3RateBoard(s3Client(), ref).read()).toBeUndefined();
  });

  it('abandons a read or a write that S3 does not answer within its own time limit', async () => {
    // An S3 that takes every request and never answers, except to the request's abort signal.
    const stalled = new S3Client({
      forcePathStyle: true,
      maxAttempts: 1,
      requestHandler: {
        handle: (_request: unknown, options?: { abortSignal?: AbortSignal }) =>
          new Promise((_, reject) => {
            options?.abortSignal?.addEventListener('abort', () =>
              reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
            );
          }),
      },
    });
    const board = s3RateBoard(stalled, refOf('board-stalled'), { readMs: 5, writeMs: 5 });
    await expect(board.read()).rejects.toMatchObject({ name: expect.stringMatching(/Abort|Timeout/) });
    await expect(board.write({ cut: cut(0.6), seq: 1 }, undefined)).rejects.toMatchObject({
      name: expect.stringMatching(/Abort|Timeout/),
    });
    stalled.destroy();
  });

  it('abandons a board whose body stalls after its headers came, and destroys the body', async () => {
    let destroyedWith: unknown;
    const body = {
      transformToString: () => new Promise<string>(() => undefined),
      destroy: (error?: unknown) => {
        destroyedWith = error;
      },
    };
    // Headers answered, bytes never: only the body read is left for the time limit to stop.
    const headersOnly = { send: async () => ({ Body: body, ETag: '"e"' }) } as unknown as S3Client;
    const board = s3RateBoard(headersOnly, refOf('board-stalled-body'), { readMs: 5, writeMs: 5 });
    await expect(board.read()).rejects.toMatchObject({ name: expect.stringMatching(/Abort|Timeout/) });
    expect(destroyedWith).toMatchObject({ name: expect.stringMatching(/Abort|Timeout/) });
  });

  it('throws MalformedRateBoardError for an object it did not write, naming the key', async () => {
    const ref = refOf('board-malformed');
    await s3Client().send(
      new PutObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        Body: JSON.stringify({ seq: 1, cut: { rate: 'x' } }),
      }),
    );
    await expect(s3RateBoard(s3Client(), ref).read()).rejects.toMatchObject({
      name: 'MalformedRateBoardError',
      message: expect.stringContaining(ref.key),
    });
  });
});

/**
 * An S3 client whose next PUT sends one byte of its body and holds the rest until `release`: local S3
 * then has checked the write's condition on arrival and checks it again at commit (409 on a change).
 */
function holdingClient() {
  const held = { next: false, release: (): void => undefined, statuses: [] as number[] };
  // Every PUT's HTTP status, in order.
  const s3 = new S3Client({ forcePathStyle: true });
  s3.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method: string; body: unknown };
      if (held.next && request.method === 'PUT' && typeof request.body === 'string') {
        held.next = false;
        const text = request.body;
        const body = new PassThrough();
        body.write(text.slice(0, 1));
        held.release = () => body.end(text.slice(1));
        request.body = body;
      }
      // Inside the deserializer: S3's answer is still a raw HTTP response here.
      const out = await next(args);
      if (request.method === 'PUT')
        held.statuses.push((out.response as { statusCode?: number }).statusCode ?? 0);
      return out;
    },
    { step: 'deserialize', name: 'holdPutBody' },
  );
  return { s3, held };
}

async function untilUploadInProgress(): Promise<void> {
  const temp = path.join(aws.dataDir, 's3-meta', '.tmp');
  while ((await readdir(temp)).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('an environment publishing to the pace board in S3', () => {
  it('retries a write refused with 409 ConditionalRequestConflict when the board shows nothing newer, over the ETag it read', async () => {
    const ref = refOf('board-409');
    const { s3, held } = holdingClient();
    const pace = new AimdPace(0, { ...DEFAULT_AIMD, initialRate: 1, maxRate: 1 });
    const shared = new SharedRate(s3RateBoard(s3, ref), pace, recordingLogger(), {
      readEveryMs: 250,
      logKeys: {},
      now: () => 6_000,
    });
    pace.record({ entries: 500, throttled: 250 }, 0, 2_000);
    await shared.publish();
    const first = pace.lastCut;

    // Its next cut's write is on its way when the board is written again with nothing newer (the same
    // sequence number: a late repeat of a write already made): local S3 answers the held write 409.
    pace.record({ entries: 500, throttled: 250 }, 0, 6_000);
    held.next = true;
    const publishing = shared.publish();
    await untilUploadInProgress();
    await s3Client().send(
      new PutObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        Body: JSON.stringify({ seq: 1, cut: first }),
      }),
    );
    held.release();
    await publishing;

    // The first cut's write, the held one refused with 409, and the retry.
    expect(held.statuses).toEqual([200, 409, 200]);
    expect(await s3RateBoard(s3Client(), ref).read()).toMatchObject({ seq: 2, cut: pace.lastCut });
    s3.destroy();
  });
});

describe('a stored board entry is checked before any environment adopts it', () => {
  const good = { cut: cut(0.6), seq: 3 };
  it.each([
    ['not JSON', '{'],
    ['no seq', JSON.stringify({ cut: cut(0.6) })],
    ['a seq of 0', JSON.stringify({ ...good, seq: 0 })],
    ['a rate of 0 (every schedule would stall)', JSON.stringify({ ...good, cut: { ...cut(0.6), rate: 0 } })],
    ['a missing anchor', JSON.stringify({ ...good, cut: { ...cut(0.6), anchorWallMs: undefined } })],
    [
      'an episode without its time',
      JSON.stringify({ ...good, cut: { ...cut(0.6), episode: { throttledRate: 1, recoverTo: 1 } } }),
    ],
  ])('refuses %s', (_, text) => {
    expect(() => parseBoard(text, 'k')).toThrow(expect.objectContaining({ name: 'MalformedRateBoardError' }));
  });

  it('keeps only the fields of a cut, with or without an episode', () => {
    expect(parseBoard(JSON.stringify({ ...good, extra: 1, cut: { ...cut(0.6), more: 2 } }), 'k')).toEqual(
      good,
    );
    const { episode: _, ...plain } = cut(0.6);
    expect(parseBoard(JSON.stringify({ cut: plain, seq: 1 }), 'k')).toEqual({ cut: plain, seq: 1 });
  });
});

describe('the pace board key', () => {
  it('lies under the run and round (the prefix PutBatch may read and write), one per Map run', () => {
    const key = artifactKeys.paceBoard('run-1', 2, '2026-12-01T02:07:53.123Z');
    expect(key).toBe('runs/run-1/round-02/pace/2026-12-01T020753.123Z.json');
    expect(artifactKeys.paceBoard('run-1', 2, '2026-12-01T02:07:53.124Z')).not.toBe(key);
  });

  it('has no character S3 says may need special handling, whatever the start time looks like', () => {
    expect(artifactKeys.paceBoard('r', 0, 'not a date: /?')).toMatch(
      /^runs\/r\/round-00\/pace\/[A-Za-z0-9.-]+\.json$/,
    );
  });
});
