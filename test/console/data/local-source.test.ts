import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileArtifactStore } from '../../../local/console/data/local-source';
import { chunkTimesFromLog } from '../../../local/console/data/log-lines';
import { localResultManifests, readLocalMapRun, readMapRun } from '../../../local/console/data/map-run';
import { readLocalMetrics } from '../../../local/console/data/metrics';
import { folderStore, RUN_A, runADataDir } from './fixture-store';

// Run A's data folder with no local services running on it, and another bucket next to its own.
let dataDir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dataDir, cleanup } = await runADataDir());
  await mkdir(join(dataDir, 'services', 's3', 'firehose-loader-source'), { recursive: true });
  await writeFile(join(dataDir, 'services', 's3', 'firehose-loader-source', 'secret.json'), '{}');
});
afterAll(() => cleanup());

describe('a local run read from local S3’s files when no services run', () => {
  it('gives the same Map Run view as reading the objects', async () => {
    const fromFiles = await readLocalMapRun({ dataDir }, RUN_A.runId);
    const store = folderStore(join(RUN_A.dir, 'artifacts'));
    const expected = await readMapRun(RUN_A.runId, {
      store,
      resultManifests: await localResultManifests(store, RUN_A.runId),
      times: await chunkTimesFromLog(join(RUN_A.dir, 'run-dir', 'functions.log.jsonl')),
      finished: true,
    });
    expect(fromFiles).toEqual(expected);
  });

  it('never reads outside the bucket’s folder', async () => {
    const store = fileArtifactStore(dataDir, 'firehose-loader-artifacts');
    expect(await store.getText('../firehose-loader-source/secret.json')).toBeUndefined();
    expect(await store.has('../firehose-loader-source/secret.json')).toBe(false);
    expect(await store.getStream('runs/../../firehose-loader-source/secret.json')).toBeUndefined();
    const keys: string[] = [];
    for await (const key of store.listKeys('../')) keys.push(key);
    expect(keys).toEqual([]);
  });

  it('reads the metrics local CloudWatch stored (none in this fixture) once the run’s services have stopped', async () => {
    const view = await readLocalMetrics(undefined, { dataDir }, RUN_A.runId);
    expect(view.series.length).toBeGreaterThan(0);
    expect(view.series.every((series) => series.values.every((value) => value === null))).toBe(true);
  });
});
