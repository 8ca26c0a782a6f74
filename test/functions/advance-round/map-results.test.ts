import { S3Client } from '@aws-sdk/client-s3';
import { advanceRound } from '../../../functions/advance-round/advance';
import { load as loadAdvanceRoundConfig } from '../../../functions/advance-round/config';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { cloudWatchClient, s3Client } from '../../../functions/shared/aws-clients';
import type { ChunkDescriptor } from '../../../functions/shared/chunk';
import type { MapRunResultEntry, ResultWriterManifest } from '../../../functions/shared/run';
import type { ChunkOutcome, MapRunOutput, RunState } from '../../../functions/shared/run-state';
import { getJson, putJson } from '../../../functions/shared/s3-io';
import { type LoweredMap, writeMapResults } from '../../../local/runner/distributed-map';
import { LOCAL_RESULTS_KEY } from '../../../local/runner/distributed-map/state-keys';
import { outcome, recordingLogger } from '../fixtures';
import { type LocalAws, startLocalAws } from '../local-aws';
import { ROUND_ZERO_TOTALS, roundZero } from './round-zero';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

/** An S3 client that records the key of every chunk outcome object it GETs, and every LIST. */
function countingS3(): { s3: S3Client; outcomeGets: string[]; lists: string[] } {
  const s3 = new S3Client({ forcePathStyle: true });
  const outcomeGets: string[] = [];
  const lists: string[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string };
      const key = input.Key ?? '';
      if (context.commandName === 'GetObjectCommand' && key.includes('/outcomes/')) outcomeGets.push(key);
      if (context.commandName === 'ListObjectsV2Command') lists.push(input.Prefix ?? '');
      return next(args);
    },
    { step: 'initialize', name: 'countOutcomeReads' },
  );
  return { s3, outcomeGets, lists };
}

function advance(state: RunState, s3: S3Client) {
  const logger = recordingLogger();
  const config = loadAdvanceRoundConfig({
    ARTIFACT_BUCKET: aws.names.artifactBucket,
    DELIVERY_STREAM_NAME: 'adv-map-results',
  });
  const next = advanceRound(state, { s3, cloudWatch: cloudWatchClient(), config, logger });
  const finished = () => logger.lines.find((line) => line.message === 'round finished')?.attributes;
  return { next, finished };
}

const LOAD_CHUNKS: LoweredMap = {
  name: 'LoadChunks',
  readItemsState: 'LoadChunks.ReadItems',
  writeResultsState: 'LoadChunks.WriteResults',
  inputType: 'JSONL',
  resultPathKey: 'mapRun',
};

type Child = ChunkOutcome | { failed: true } | Record<string, unknown>;

/** The round's Map results as the local ResultWriter writes them, one child per entry, in order. */
async function mapResults(runId: string, children: Child[]): Promise<MapRunOutput> {
  const results = children.map((child) =>
    'failed' in child ? { childFailed: true, Error: 'Lambda.Unknown', Cause: 'crashed' } : child,
  );
  const state = await writeMapResults(
    s3Client(),
    LOAD_CHUNKS,
    { Bucket: aws.names.artifactBucket, Prefix: 'map-results', State: { [LOCAL_RESULTS_KEY]: results } },
    `${runId}-1`,
  );
  return state.mapRun as MapRunOutput;
}

const outcomeKey = (runId: string, chunk: ChunkDescriptor) => artifactKeys.outcome(runId, 0, chunk.chunkId);
const storedOutcome = (runId: string, chunk: ChunkDescriptor) =>
  getJson<ChunkOutcome>(s3Client(), { bucket: aws.names.artifactBucket, key: outcomeKey(runId, chunk) });

describe('advanceRound totals a round from the Map results', () => {
  it('reads no chunk outcome object when every child succeeded, and totals the same as reading them all', async () => {
    const runId = 'run-map-all';
    const { state, manifest } = await roundZero(aws, runId, 1);
    const third = outcome({
      chunkId: manifest[2].chunkId,
      records: 4,
      delivered: 4,
      acceptedFirehoseRecords: 4,
    });
    await putJson(
      s3Client(),
      { bucket: aws.names.artifactBucket, key: outcomeKey(runId, manifest[2]) },
      third,
    );
    const children = [
      await storedOutcome(runId, manifest[0]),
      await storedOutcome(runId, manifest[1]),
      third,
    ];
    const mapRun = await mapResults(runId, children);
    const counting = countingS3();

    const fromMap = advance({ ...state, mapRun }, counting.s3);
    const next = await fromMap.next;
    const fromObjects = await advance(state, s3Client()).next;

    expect(counting.outcomeGets).toEqual([]);
    expect(counting.lists).toEqual([]);
    expect(fromMap.finished()).toMatchObject({ fromMapResults: 3, fromOutcomeObjects: 0 });
    expect(next.totals).toEqual(fromObjects.totals);
    expect(next.totals).toMatchObject({ delivered: 10, requeued: 2, failedChunks: 0 });
    expect(next.round).toMatchObject({ number: 1, chunks: 1, records: 2, next: 'requeue' });
  });

  it('counts a chunk whose child failed after writing its outcome once, from its outcome object', async () => {
    const runId = 'run-map-failed-after-outcome';
    const { state, manifest } = await roundZero(aws, runId, 1);
    // The second chunk's child wrote its outcome, then failed; the third failed before writing one.
    const mapRun = await mapResults(runId, [
      await storedOutcome(runId, manifest[0]),
      { failed: true },
      { failed: true },
    ]);
    const counting = countingS3();

    const { next, finished } = advance({ ...state, mapRun }, counting.s3);

    expect((await next).totals).toEqual(ROUND_ZERO_TOTALS);
    // Only the chunks without a succeeded result are looked up; the third has no object to read.
    expect(counting.outcomeGets).toEqual([outcomeKey(runId, manifest[1])]);
    expect(counting.lists).toEqual([artifactKeys.outcomesPrefix(runId, 0)]);
    expect(finished()).toMatchObject({ fromMapResults: 1, fromOutcomeObjects: 1, failedChunks: 1 });
    expect((await next).round).toMatchObject({ number: 1, chunks: 2, records: 6 });
  });

  it('reads the outcome object of a chunk whose Output is not a full outcome of this round', async () => {
    const runId = 'run-map-partial-output';
    const { state, manifest } = await roundZero(aws, runId, 1);
    const second = await storedOutcome(runId, manifest[1]);
    const mapRun = await mapResults(runId, [
      // An Output without the counts (not a full outcome).
      { chunkId: manifest[0].chunkId, delivered: 4, requeued: 0 },
      // A result of another round for the same chunk id (a stale Map result).
      { ...second, round: 1 },
      { failed: true },
    ]);
    const counting = countingS3();

    const { next } = advance({ ...state, mapRun }, counting.s3);

    expect((await next).totals).toEqual(ROUND_ZERO_TOTALS);
    expect([...counting.outcomeGets].sort()).toEqual([
      outcomeKey(runId, manifest[0]),
      outcomeKey(runId, manifest[1]),
    ]);
  });

  it('reads every chunk outcome object when the Map results manifest is missing', async () => {
    const runId = 'run-map-missing';
    const { state } = await roundZero(aws, runId, 1);
    const mapRun = {
      ResultWriterDetails: { Bucket: aws.names.artifactBucket, Key: 'map-results/gone/manifest.json' },
    };
    const counting = countingS3();

    const { next } = advance({ ...state, mapRun }, counting.s3);

    expect((await next).totals).toEqual(ROUND_ZERO_TOTALS);
    expect(counting.outcomeGets).toHaveLength(2);
  });

  it('does not read Map results outside the artifact bucket, which its role may not read', async () => {
    const runId = 'run-map-foreign-bucket';
    const { state } = await roundZero(aws, runId, 1);
    const mapRun = {
      ResultWriterDetails: { Bucket: aws.names.sourceBucket, Key: 'map-results/x/manifest.json' },
    };
    const counting = countingS3();

    const { next } = advance({ ...state, mapRun }, counting.s3);

    expect((await next).totals).toEqual(ROUND_ZERO_TOTALS);
    expect(counting.outcomeGets).toHaveLength(2);
  });

  it('reads result files in the format AWS writes them: Output is a JSON string among the execution metadata', async () => {
    const runId = 'run-map-aws-format';
    const { state, manifest } = await roundZero(aws, runId, 1);
    const bucket = aws.names.artifactBucket;
    const base = 'map-results/0b5c3f6e-aws';
    const arn = 'arn:aws:states:us-east-1:123456789012:express:firehose-loader/LoadChunks:0b5c3f6e';
    const entry = (chunk: ChunkDescriptor, index: number): MapRunResultEntry => ({
      ExecutionArn: `${arn}:child-${index}`,
      Name: `child-${index}`,
      Input: JSON.stringify({ runId, round: 0, item: index, chunk }),
      InputDetails: { Included: true },
      StartDate: '2026-11-26T08:00:00.000Z',
      StopDate: '2026-11-26T08:00:01.000Z',
      Status: 'SUCCEEDED',
    });
    const succeeded = [
      { ...entry(manifest[0], 0), Output: JSON.stringify(await storedOutcome(runId, manifest[0])) },
      { ...entry(manifest[1], 1), Output: JSON.stringify(await storedOutcome(runId, manifest[1])) },
    ].map((e) => ({ ...e, OutputDetails: { Included: true }, RedriveCount: 0 }));
    const failed = [{ ...entry(manifest[2], 2), Status: 'FAILED', Error: 'Lambda.Unknown', Cause: '{}' }];
    await putJson(s3Client(), { bucket, key: `${base}/SUCCEEDED_0.json` }, succeeded);
    await putJson(s3Client(), { bucket, key: `${base}/FAILED_0.json` }, failed);
    const manifestJson: ResultWriterManifest = {
      DestinationBucket: bucket,
      MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:firehose-loader/LoadChunks:0b5c3f6e',
      ResultFiles: {
        FAILED: [{ Key: `${base}/FAILED_0.json`, Size: JSON.stringify(failed).length }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${base}/SUCCEEDED_0.json`, Size: JSON.stringify(succeeded).length }],
      },
    };
    await putJson(s3Client(), { bucket, key: `${base}/manifest.json` }, manifestJson);
    const mapRun = {
      MapRunArn: manifestJson.MapRunArn,
      ResultWriterDetails: { Bucket: bucket, Key: `${base}/manifest.json` },
    };
    const counting = countingS3();

    const { next } = advance({ ...state, mapRun }, counting.s3);

    expect((await next).totals).toEqual(ROUND_ZERO_TOTALS);
    // The failed third chunk wrote no outcome: it is listed as missing, not fetched.
    expect(counting.outcomeGets).toEqual([]);
    expect(counting.lists).toEqual([artifactKeys.outcomesPrefix(runId, 0)]);
  });
});
