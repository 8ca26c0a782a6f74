import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson, readJsonLines } from '../../functions/shared/s3-io';
import {
  ITEM_READER_FAILED,
  LOCAL_ITEMS_KEY,
  LOCAL_RESULTS_KEY,
  type LoweredMap,
  RESULT_WRITER_FAILED,
} from './lower-distributed-map';

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

/**
 * The local stand-in for a ResultWriter: writes SUCCEEDED_0.json, FAILED_0.json and manifest.json under
 * `<Prefix>/<mapRunId>/` like a Map Run does, then returns the state without the runner's own keys and
 * with `{ResultWriterDetails}` at the Map's ResultPath.
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
  const files = [
    { key: `${base}/SUCCEEDED_0.json`, status: 'SUCCEEDED', items: results.filter((r) => !r?.childFailed) },
    { key: `${base}/FAILED_0.json`, status: 'FAILED', items: results.filter((r) => r?.childFailed) },
  ];
  const manifestKey = `${base}/manifest.json`;
  await named(RESULT_WRITER_FAILED, async () => {
    for (const file of files) await putJson(s3, { bucket: Bucket, key: file.key }, file.items);
    await putJson(
      s3,
      { bucket: Bucket, key: manifestKey },
      {
        DestinationBucket: Bucket,
        MapRunArn: `local:${map.name}:${mapRunId}`,
        ResultFiles: Object.fromEntries(files.map((f) => [f.status, [{ Key: f.key, Size: f.items.length }]])),
      },
    );
  });
  const details = { ResultWriterDetails: { Bucket, Key: manifestKey } };
  return map.resultPathKey ? { ...state, [map.resultPathKey]: details } : state;
}
