import { join } from 'node:path';
import type { ChunkDetail as DataChunkDetail } from '../../../local/console/data/chunk-detail';
import { chunkTimesFromLog } from '../../../local/console/data/log-lines';
import { localResultManifests, readMapRun } from '../../../local/console/data/map-run';
import type { MapRunView as DataMapRun } from '../../../local/console/data/map-run-model';
import type { MetricsView as DataMetrics } from '../../../local/console/data/metrics-model';
import type { RecordsPage as DataRecords } from '../../../local/console/data/records';
import { STATUS_COLOURS } from '../../../local/console/web/views/grid-layout';
import type {
  ChunkDetail,
  ChunkStatus,
  MapRunView,
  MetricsView,
  RecordsPage,
} from '../../../local/console/web/views/types';
import { folderStore, RUN_A } from './fixture-store';

// The views keep their own copy of the route shapes (no Node types in the browser bundle); these
// assignments fail `tsc` when the data modules' results stop fitting them.
const asView = {
  mapRun: (value: DataMapRun): MapRunView => value,
  chunk: (value: DataChunkDetail): ChunkDetail => value,
  records: (value: DataRecords): RecordsPage => value,
  metrics: (value: DataMetrics): MetricsView => value,
};

describe('the shapes the views read', () => {
  it('are what the data modules send, down to every chunk status having a colour', async () => {
    const store = folderStore(join(RUN_A.dir, 'artifacts'));
    const view = asView.mapRun(
      await readMapRun(RUN_A.runId, {
        store,
        resultManifests: await localResultManifests(store, RUN_A.runId),
        times: await chunkTimesFromLog(join(RUN_A.dir, 'run-dir', 'functions.log.jsonl')),
        finished: true,
      }),
    );
    const statuses = Object.keys(view.rounds[0]?.statuses ?? {}) as ChunkStatus[];
    expect(statuses.sort()).toEqual(Object.keys(STATUS_COLOURS).sort());
    expect(Object.keys(view.chunks[0] ?? {}).sort()).toEqual(
      [
        'round',
        'index',
        'chunkId',
        'status',
        'records',
        'bytes',
        'mode',
        'delivered',
        'requeued',
        'attempts',
        'failedEntries',
        'throttledEntries',
        'takenOverClaims',
        'startedAt',
        'endedAt',
        'durationMs',
      ].sort(),
    );
  });
});
