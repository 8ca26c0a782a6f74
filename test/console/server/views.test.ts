import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeRun, rawRequest, type TestConsole, testConsole } from './console-server';

let console_: TestConsole;
const RUN = 'run-20260101-000000-view';

beforeAll(async () => {
  console_ = await testConsole();
  await fakeRun(console_.dataDir, RUN);
  await writeFile(join(console_.dataDir, 'secret.txt'), 'TOP-SECRET');
});
afterAll(() => console_.close());

const get = (path: string) =>
  rawRequest(console_.port, { path, headers: { host: `127.0.0.1:${console_.port}` } });

describe('the run views are wired into the local console', () => {
  test('the Map Run and records routes answer with the data modules’ views, not a placeholder', async () => {
    const mapRun = await get(`/api/runs/${RUN}/map-run`);
    expect(mapRun.status).toBe(200);
    expect(JSON.parse(mapRun.body)).toEqual({ runId: RUN, rounds: [], chunks: [] });
    const rejects = await get(`/api/runs/${RUN}/records/rejects`);
    expect(rejects.status).toBe(200);
    expect(JSON.parse(rejects.body)).toMatchObject({ kind: 'rejects', exists: false, rows: 0 });
  });

  test('a refusal is its status and one line, and no route leaves the run', async () => {
    expect(await get(`/api/runs/${RUN}/records/nope`)).toEqual({
      status: 400,
      body: JSON.stringify({ error: '"nope" is not a records file: rejects or dead-letters' }),
    });
    expect(JSON.parse((await get(`/api/runs/${RUN}/chunks/0/0`)).body)).toEqual({
      error: `run ${RUN} has no chunk 0 in round 0`,
    });
    for (const path of [
      `/api/runs/${RUN}/records/..%2F..%2Fsecret.txt`,
      `/api/runs/${RUN}/chunks/..%2F..%2F/0`,
      '/api/runs/run-19990101-000000-none/map-run',
      '/api/runs/..%2F..%2Fsecret.txt/metrics',
    ]) {
      const answer = await get(path);
      expect({ path, status: answer.status >= 400 && answer.status < 500 }).toEqual({ path, status: true });
      expect(answer.body).not.toContain('TOP-SECRET');
    }
  });
});
