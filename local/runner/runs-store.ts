import { createHash } from 'node:crypto';
import { readdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ConfigError } from '../../functions/shared/errors';
import type { RunSummary } from '../../functions/shared/run';
import { LOCAL_RESOURCE_NAMES, type LocalResourceNames } from './local-resources';

/**
 * What the local runs keep on disk, and removing it. A run's bytes are in four places under the data
 * folder: `runs/<runId>/` (event log, handler logs, summary, links to the output), the staged copy of
 * its input in the local source bucket, its artefacts (plan, manifests, outcomes, re-queue and
 * dead-letter files, Map results) in the artifact bucket, and the objects local Firehose delivered to
 * the destination bucket for it. Objects are removed as local S3 stores them (s3-store.ts: the file and
 * its metadata file), while no local services run on the folder.
 */

export interface RunOnDisk {
  runId: string;
  /** From the summary; undefined when the run has none (still running, or stopped before the end). */
  status?: RunSummary['status'];
  records?: number;
  /** Bytes removing the run frees (hard links counted once). */
  bytes: number;
  /** When anything of the run was last written. */
  modifiedMs: number;
}

const RUN_ID = /^run-[A-Za-z0-9-]+$/;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A run's objects as [bucket, file] pairs: what `rm` deletes from local S3. */
async function runObjects(servicesDir: string, runId: string, names: LocalResourceNames) {
  const s3 = join(servicesDir, 's3');
  const objects: [string, string][] = [];
  const add = async (bucket: string, prefix: string) => {
    for (const file of await filesUnder(join(s3, bucket, prefix))) objects.push([bucket, file]);
  };
  await add(names.sourceBucket, join('inputs', runId));
  await add(names.artifactBucket, join('runs', runId));
  const mapResults = await readdir(join(s3, names.artifactBucket, 'map-results')).catch(() => []);
  for (const name of mapResults.filter((n) => n.startsWith(`${runId}-`))) {
    await add(names.artifactBucket, join('map-results', name));
  }
  return objects;
}

/** The destination objects a run delivered: its output/ folder holds them as `YYYY_MM_DD_HH_name`. */
async function deliveredObjects(dataDir: string, runId: string, names: LocalResourceNames) {
  const outputs = await readdir(join(dataDir, 'runs', runId, 'output')).catch(() => []);
  const bucketDir = join(dataDir, 'services', 's3', names.destinationBucket);
  return outputs
    .map((name) => name.split('_'))
    .filter((parts) => parts.length >= 5)
    .map((parts): [string, string] => [
      names.destinationBucket,
      join(bucketDir, ...parts.slice(0, 4), parts.slice(4).join('_')),
    ]);
}

async function runFiles(dataDir: string, runId: string, names: LocalResourceNames) {
  const servicesDir = join(dataDir, 'services');
  const objects = [
    ...(await runObjects(servicesDir, runId, names)),
    ...(await deliveredObjects(dataDir, runId, names)),
  ];
  const own = await filesUnder(join(dataDir, 'runs', runId));
  return { objects, files: [...own, ...objects.map(([, file]) => file)] };
}

async function measure(files: string[]): Promise<{ bytes: number; modifiedMs: number }> {
  const seen = new Set<string>();
  let bytes = 0;
  let modifiedMs = 0;
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    modifiedMs = Math.max(modifiedMs, info.mtimeMs);
    const id = `${info.dev}:${info.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    bytes += info.size;
  }
  return { bytes, modifiedMs };
}

/** Every run under `<dataDir>/runs`, oldest first (run ids start with their start time). */
export async function listRuns(dataDir: string, names = LOCAL_RESOURCE_NAMES): Promise<RunOnDisk[]> {
  const ids = (await readdir(join(dataDir, 'runs')).catch(() => [])).filter((id) => RUN_ID.test(id)).sort();
  const runs: RunOnDisk[] = [];
  for (const runId of ids) {
    const summary = await readFile(join(dataDir, 'runs', runId, 'summary.json'), 'utf8').then(
      (text) => JSON.parse(text) as RunSummary,
      () => undefined,
    );
    const { files } = await runFiles(dataDir, runId, names);
    runs.push({
      runId,
      status: summary?.status,
      records: summary?.records.input,
      ...(await measure(files)),
    });
  }
  return runs;
}

/** Everything of one run, gone; returns the bytes freed. */
export async function removeRun(dataDir: string, runId: string, names = LOCAL_RESOURCE_NAMES) {
  if (!RUN_ID.test(runId)) throw new ConfigError(`"${runId}" is not a run id (run-YYYYMMDD-HHMMSS-xxxx)`);
  const runDir = join(dataDir, 'runs', runId);
  if (!(await stat(runDir).catch(() => undefined))) {
    throw new ConfigError(`no local run ${runId} in ${join(dataDir, 'runs')}`);
  }
  const { objects, files } = await runFiles(dataDir, runId, names);
  const { bytes } = await measure(files);
  const servicesDir = join(dataDir, 'services');
  for (const [bucket, file] of objects) {
    const key = relative(join(servicesDir, 's3', bucket), file)
      .split(sep)
      .join('/');
    const metaFile = join(servicesDir, 's3-meta', bucket, 'objects', `${sha256(key)}.json`);
    await unlink(metaFile).catch(ignoreMissing);
    await unlink(file).catch(ignoreMissing);
    await removeEmptyParents(file, join(servicesDir, 's3', bucket));
  }
  for (const file of await filesUnder(runDir)) await unlink(file).catch(ignoreMissing);
  await removeEmptyDirs(runDir);
  return bytes;
}

// A run with no summary that wrote something this recently may still be running: prune leaves it.
const IN_PROGRESS_MS = 60_000;

/** Removes all but the `keep` newest runs; returns what went, and what was left as maybe running. */
export async function pruneRuns(
  dataDir: string,
  keep: number,
  names = LOCAL_RESOURCE_NAMES,
  now = Date.now(),
) {
  const runs = await listRuns(dataDir, names);
  const old = runs.slice(0, Math.max(0, runs.length - keep));
  const removed: RunOnDisk[] = [];
  const running: RunOnDisk[] = [];
  for (const run of old) {
    if (run.status === undefined && now - run.modifiedMs < IN_PROGRESS_MS) {
      running.push(run);
      continue;
    }
    await removeRun(dataDir, run.runId, names);
    removed.push(run);
  }
  return { removed, running };
}

/** The data folder's size, and the part of it that no run owns (generated inputs, service state). */
export async function dataDirBytes(dataDir: string): Promise<number> {
  return (await measure(await filesUnder(dataDir))).bytes;
}

async function removeEmptyParents(file: string, stopAt: string): Promise<void> {
  let dir = join(file, '..');
  while (dir.startsWith(`${stopAt}${sep}`)) {
    if (
      !(await rmdir(dir).then(
        () => true,
        () => false,
      ))
    )
      return;
    dir = join(dir, '..');
  }
}

async function removeEmptyDirs(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeEmptyDirs(join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function ignoreMissing(error: unknown): void {
  if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'))
    throw error;
}
