import { s3Client } from '../../../functions/shared/aws-clients';
import type { MapRunResultEntry, ResultWriterManifest } from '../../../functions/shared/run';
import type { MapRunOutput } from '../../../functions/shared/run-state';
import { getJson } from '../../../functions/shared/s3-io';
import { type LoweredMap, writeMapResults } from '../../../local/runner/distributed-map';
import {
  LOCAL_ITEMS_KEY,
  LOCAL_RESULTS_KEY,
  RESULT_WRITER_FAILED,
} from '../../../local/runner/distributed-map/state-keys';
import { getText, type LocalAws, startLocalAws } from '../../functions/local-aws';

let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

const MAP: LoweredMap = {
  name: 'LoadChunks',
  readItemsState: 'LoadChunks.ReadItems',
  writeResultsState: 'LoadChunks.WriteResults',
  inputType: 'JSONL',
  resultPathKey: 'mapRun',
};

const failedChild = { childFailed: true, Error: 'Lambda.Unknown', Cause: '{"errorMessage":"boom"}' };

async function write(results: unknown[], mapRunId: string, bucket: string | null = aws.names.artifactBucket) {
  const state = {
    runId: 'run-1',
    [LOCAL_ITEMS_KEY]: results.map((_, i) => ({ i })),
    [LOCAL_RESULTS_KEY]: results,
  };
  return writeMapResults(
    s3Client(),
    MAP,
    { Bucket: bucket ?? undefined, Prefix: 'map-results/', State: state },
    mapRunId,
  );
}

const read = <T>(key: string) => getJson<T>(s3Client(), { bucket: aws.names.artifactBucket, key });

describe('writeMapResults (the local ResultWriter) writes what AWS writes', () => {
  it('returns the state without the runner keys, with {MapRunArn, ResultWriterDetails} at the ResultPath', async () => {
    const state = await write([{ chunkId: 'a' }], 'run-1-1');

    const mapRun = state.mapRun as MapRunOutput;
    expect(Object.keys(state).sort()).toEqual(['mapRun', 'runId']);
    expect(mapRun.ResultWriterDetails).toEqual({
      Bucket: aws.names.artifactBucket,
      Key: 'map-results/run-1-1/manifest.json',
    });
    expect(mapRun.MapRunArn).toMatch(
      /^arn:aws:states:[^:]+:\d{12}:mapRun:firehose-loader\/LoadChunks:run-1-1$/,
    );
  });

  it('writes a manifest listing each status file with its size in bytes, and an empty list for a status without children', async () => {
    const outputs = [{ chunkId: 'a', note: 'déjà vu' }, failedChild, { chunkId: 'c' }];
    const state = await write(outputs, 'run-2-1');

    const manifest = await read<ResultWriterManifest>('map-results/run-2-1/manifest.json');
    expect(manifest).toEqual({
      DestinationBucket: aws.names.artifactBucket,
      MapRunArn: (state.mapRun as MapRunOutput).MapRunArn,
      ResultFiles: {
        FAILED: [{ Key: 'map-results/run-2-1/FAILED_0.json', Size: expect.any(Number) }],
        PENDING: [],
        SUCCEEDED: [{ Key: 'map-results/run-2-1/SUCCEEDED_0.json', Size: expect.any(Number) }],
      },
    });
    for (const file of [...manifest.ResultFiles.SUCCEEDED, ...manifest.ResultFiles.FAILED]) {
      const body = await getText(s3Client(), aws.names.artifactBucket, file.Key);
      expect(file.Size).toBe(Buffer.byteLength(body));
    }
    // 'é' and 'à' take two bytes each: Size counts bytes, not characters.
    const succeeded = await getText(
      s3Client(),
      aws.names.artifactBucket,
      manifest.ResultFiles.SUCCEEDED[0].Key,
    );
    expect(manifest.ResultFiles.SUCCEEDED[0].Size).toBeGreaterThan(succeeded.length);
  });

  it("writes each succeeded child's output as a JSON string among the execution metadata, in child order", async () => {
    const outputs = [{ chunkId: 'a', delivered: 1 }, failedChild, { chunkId: 'c', delivered: 3 }];
    await write(outputs, 'run-3-1');

    const entries = await read<MapRunResultEntry[]>('map-results/run-3-1/SUCCEEDED_0.json');
    expect(entries.map((e) => JSON.parse(e.Output ?? 'null'))).toEqual([outputs[0], outputs[2]]);
    for (const entry of entries) {
      expect(entry).toEqual({
        ExecutionArn: expect.stringMatching(new RegExp(`:${entry.Name}$`)),
        Name: expect.any(String),
        InputDetails: { Included: false },
        Output: expect.any(String),
        OutputDetails: { Included: true },
        StartDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        StopDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        Status: 'SUCCEEDED',
      });
    }
    expect(new Set(entries.map((e) => e.Name)).size).toBe(2);
  });

  it('writes a failed child with its Error and Cause and no Output', async () => {
    await write([{ chunkId: 'a' }, failedChild], 'run-4-1');

    const [entry] = await read<MapRunResultEntry[]>('map-results/run-4-1/FAILED_0.json');
    expect(entry).toMatchObject({ Status: 'FAILED', Error: 'Lambda.Unknown', Cause: failedChild.Cause });
    expect(entry.Output).toBeUndefined();
  });

  it('writes no FAILED file when every child succeeded', async () => {
    await write([{ chunkId: 'a' }], 'run-5-1');

    const manifest = await read<ResultWriterManifest>('map-results/run-5-1/manifest.json');
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    await expect(read('map-results/run-5-1/FAILED_0.json')).rejects.toThrow();
  });

  it('fails as States.ResultWriterFailed when it cannot write, so the Map state’s Retry applies', async () => {
    await expect(write([{ chunkId: 'a' }], 'run-6-1', 'no-such-bucket')).rejects.toMatchObject({
      name: RESULT_WRITER_FAILED,
    });
  });

  it('puts the results at the ResultPath, unwritten, when the Map has no ResultWriter bucket', async () => {
    const state = await write([{ chunkId: 'a' }, failedChild], 'run-7-1', null);

    expect(state.mapRun).toEqual([{ chunkId: 'a' }, failedChild]);
  });
});
