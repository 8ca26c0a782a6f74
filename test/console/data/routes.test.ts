import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  chunkRoute,
  errorResponse,
  mapRunRoute,
  metricsRoute,
  recordsRoute,
} from '../../../local/console/data/routes';
import { RUN_A, runADataDir } from './fixture-store';

let data: Awaited<ReturnType<typeof runADataDir>>;
beforeAll(async () => {
  data = await runADataDir();
});
afterAll(() => data.cleanup());

const context = () => ({ dataDir: data.dataDir });
const refused = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return errorResponse(error);
  }
  throw new Error('expected a refusal');
};

describe('the console data routes of a local run', () => {
  it('answer the Map Run, a chunk and a page of records', async () => {
    const view = await mapRunRoute(context(), { id: RUN_A.runId });
    expect(view.chunks).toHaveLength(5);
    const chunk = await chunkRoute(context(), { id: RUN_A.runId, round: '1', index: '0' });
    expect(chunk.chunkId).toBe('r1-c000000');
    const page = await recordsRoute(
      context(),
      { id: RUN_A.runId, kind: 'rejects' },
      { q: 'json', limit: '1' },
    );
    expect(page).toMatchObject({ matches: 2, page: [{ position: 1 }] });
  });

  it('download the whole file with its name', async () => {
    const response = await recordsRoute(
      context(),
      { id: RUN_A.runId, kind: 'dead-letters' },
      { download: '1' },
    );
    expect(response).toBeInstanceOf(Response);
    const res = response as Response;
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${RUN_A.runId}-dead-letters.jsonl"`,
    );
    const file = join(RUN_A.dir, 'artifacts', 'runs', RUN_A.runId, 'dead-letter', 'records.jsonl');
    expect(await res.text()).toBe(await readFile(file, 'utf8'));
  });

  it('refuse a path out of the run with 400, a missing chunk with 404, and give one line', async () => {
    expect(
      await refused(recordsRoute(context(), { id: '..', kind: 'rejects' }, { download: '1' })),
    ).toMatchObject({
      status: 400,
    });
    expect(await refused(recordsRoute(context(), { id: RUN_A.runId, kind: '../plan' }, {}))).toMatchObject({
      status: 400,
    });
    expect(await refused(chunkRoute(context(), { id: RUN_A.runId, round: '0', index: '9' }))).toEqual({
      status: 404,
      body: { error: `run ${RUN_A.runId} has no chunk 9 in round 0` },
    });
    // A finished run's metrics come from local CloudWatch's stored datapoints (no 404 any more); a
    // path out of the data folder is still refused.
    expect(await refused(metricsRoute(context(), { id: '..' }))).toMatchObject({ status: 400 });
  });

  it('leave an error that is not the request’s to the server', () => {
    expect(errorResponse(new Error('disk on fire'))).toBeUndefined();
  });
});
