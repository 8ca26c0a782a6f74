import type { S3Client } from '@aws-sdk/client-s3';
import type { MapRunResultEntry, ResultWriterManifest } from '../../../functions/shared/run';
import type { MapRunOutput } from '../../../functions/shared/run-state';
import { getJson, putBytes, putJson, readJsonLines } from '../../../functions/shared/s3-io';
import type { LoweredMap } from './lower';
import { ITEM_READER_FAILED, LOCAL_ITEMS_KEY, LOCAL_RESULTS_KEY, RESULT_WRITER_FAILED } from './state-keys';

/** A reader or writer failure under the name the Map state reports on AWS, so its Retry rules apply. */
class MapIoError extends Error {
  constructor(name: string, cause: unknown) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause), { cause });
    this.name = name;
  }
}

async function named<T>(errorName: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new MapIoError(errorName, error);
  }
}

/** The local stand-in for a Distributed Map's ItemReader: the whole item list, read from S3. */
export function readMapItems(s3: S3Client, map: LoweredMap, parameters: unknown): Promise<unknown[]> {
  const { Bucket, Key } = parameters as { Bucket: string; Key: string };
  return named(ITEM_READER_FAILED, async () => {
    if (map.inputType === 'JSON') return getJson<unknown[]>(s3, { bucket: Bucket, key: Key });
    const items: unknown[] = [];
    for await (const item of readJsonLines(s3, { bucket: Bucket, key: Key })) items.push(item);
    return items;
  });
}

interface ChildResult {
  childFailed?: boolean;
  Error?: string;
  Cause?: string;
}

// Shaped like AWS's ARNs; execute-definition names the local execution the same way.
const LOCAL_ARN = 'arn:aws:states:local:000000000000';
const LOCAL_MACHINE = 'firehose-loader';

/**
 * One result-file entry per child, as AWS writes them with Transformation NONE (map-results.ts has the
 * format and its sources): `Output` is the child's output as a JSON *string*. What the local engine
 * cannot reproduce: each child's input after ItemSelector (the lowering applies it inside the engine
 * and never hands it over), so `Input` is left out with `InputDetails.Included: false`; and each child's
 * own start and stop times, so both are the time the results are written.
 */
function entryOf(
  result: ChildResult,
  index: number,
  mapRunArn: string,
  mapRunId: string,
  at: string,
): MapRunResultEntry {
  const name = `${mapRunId}-${String(index).padStart(6, '0')}`;
  const common = {
    ExecutionArn: `${mapRunArn.replace(':mapRun:', ':express:')}:${name}`,
    Name: name,
    InputDetails: { Included: false },
    StartDate: at,
    StopDate: at,
  };
  if (result?.childFailed) return { ...common, Error: result.Error, Cause: result.Cause, Status: 'FAILED' };
  return {
    ...common,
    Output: JSON.stringify(result),
    OutputDetails: { Included: true },
    Status: 'SUCCEEDED',
  };
}

/**
 * The local stand-in for a ResultWriter: writes SUCCEEDED_0.json and FAILED_0.json (only those with
 * entries, as AWS lists an empty status as `[]`) and manifest.json under `<Prefix>/<mapRunId>/`, then
 * returns the state without the runner's own keys and with `{MapRunArn, ResultWriterDetails}` at the
 * Map's ResultPath. Locally every child runs, so PENDING is always empty, and no file is split at
 * AWS's 5 GB.
 */
export async function writeMapResults(
  s3: S3Client,
  map: LoweredMap,
  parameters: unknown,
  mapRunId: string,
): Promise<Record<string, unknown>> {
  const { Bucket, Prefix, State } = parameters as {
    Bucket?: string;
    Prefix?: string;
    State: Record<string, unknown>;
  };
  const results = (State[LOCAL_RESULTS_KEY] ?? []) as ChildResult[];
  const { [LOCAL_ITEMS_KEY]: _items, [LOCAL_RESULTS_KEY]: _results, ...state } = State;
  if (!Bucket) return map.resultPathKey ? { ...state, [map.resultPathKey]: results } : state;
  const base = `${Prefix ? `${Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}`;
  const mapRunArn = `${LOCAL_ARN}:mapRun:${LOCAL_MACHINE}/${map.name}:${mapRunId}`;
  const at = new Date().toISOString();
  const entries = results.map((result, index) => entryOf(result, index, mapRunArn, mapRunId, at));
  const manifestKey = `${base}/manifest.json`;
  const ResultFiles: ResultWriterManifest['ResultFiles'] = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  await named(RESULT_WRITER_FAILED, async () => {
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const items = entries.filter((entry) => entry.Status === status);
      if (items.length === 0) continue;
      const Key = `${base}/${status}_0.json`;
      const body = JSON.stringify(items);
      await putBytes(s3, { bucket: Bucket, key: Key }, body);
      ResultFiles[status].push({ Key, Size: Buffer.byteLength(body) });
    }
    const manifest: ResultWriterManifest = { DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles };
    await putJson(s3, { bucket: Bucket, key: manifestKey }, manifest);
  });
  const output: MapRunOutput = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
  return map.resultPathKey ? { ...state, [map.resultPathKey]: output } : state;
}
