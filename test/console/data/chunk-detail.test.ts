import { join } from 'node:path';
import { readChunkDetail } from '../../../local/console/data/chunk-detail';
import { folderStore, RUN_A } from './fixture-store';

const sources = {
  store: folderStore(join(RUN_A.dir, 'artifacts')),
  logFile: join(RUN_A.dir, 'run-dir', 'functions.log.jsonl'),
  finished: true,
};

describe("a chunk's detail", () => {
  it('has its descriptor, its outcome and its log lines, oldest first', async () => {
    const detail = await readChunkDetail(RUN_A.runId, '0', '1', sources);
    expect(detail).toMatchObject({
      chunkId: 'r0-c000001',
      status: 'delivered',
      descriptor: { start: 29072, end: 87879, records: 200 },
      outcome: { delivered: 200, failedPutCount: 86 },
      claim: null,
      keys: { outcome: `runs/${RUN_A.runId}/round-00/outcomes/r0-c000001.json`, requeue: null },
    });
    expect(detail.log?.lines.map((line) => line.message)).toEqual(['Firehose call done', 'chunk put']);
  });

  it('has the claim of an attempt that wrote no outcome', async () => {
    const detail = await readChunkDetail(RUN_A.runId, 0, 2, sources);
    expect(detail).toMatchObject({ status: 'failed', outcome: null, claim: { owner: 'attempt-7f3a' } });
  });

  it('says where re-queued entries went and whether the chunk was dead-lettered', async () => {
    const detail = await readChunkDetail(RUN_A.runId, 1, 0, sources);
    expect(detail).toMatchObject({
      deadLettered: true,
      status: 'deadLettered',
      keys: { requeue: `runs/${RUN_A.runId}/round-01/requeue/r1-c000000.jsonl` },
    });
  });

  it('keeps only the lines of its own chunk and skips one that is not a JSON document', async () => {
    const detail = await readChunkDetail(RUN_A.runId, 0, 0, sources);
    expect(detail.log?.lines.map((line) => line.chunkId)).toEqual(['r0-c000000', 'r0-c000000']);
  });

  it('answers 404 for a chunk the round does not have, and 400 for a malformed round or index', async () => {
    await expect(readChunkDetail(RUN_A.runId, 0, 3, sources)).rejects.toMatchObject({ status: 404 });
    await expect(readChunkDetail(RUN_A.runId, 'x', 0, sources)).rejects.toMatchObject({ status: 400 });
    await expect(readChunkDetail(RUN_A.runId, 11, 0, sources)).rejects.toMatchObject({ status: 400 });
    await expect(readChunkDetail(RUN_A.runId, 0, '-1', sources)).rejects.toMatchObject({ status: 400 });
  });
});
