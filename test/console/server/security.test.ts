import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeRun, rawRequest, type TestConsole, testConsole } from './console-server';

let console_: TestConsole;
const RUN = 'run-20260101-000000-test';

beforeAll(async () => {
  console_ = await testConsole();
  await fakeRun(console_.dataDir, RUN);
  await writeFile(join(console_.dataDir, 'secret.txt'), 'TOP-SECRET');
});
afterAll(() => console_.close());

const post = (path: string, headers: Record<string, string>, body = '{"records":"10"}') =>
  rawRequest(console_.port, {
    method: 'POST',
    path,
    headers: { host: `127.0.0.1:${console_.port}`, 'content-type': 'application/json', ...headers },
    body,
  });
const get = (path: string, host = `127.0.0.1:${console_.port}`) =>
  rawRequest(console_.port, { path, headers: { host } });
const runsStarted = async () => (await readdir(join(console_.dataDir, 'runs'))).filter((id) => id !== RUN);

describe('the console refuses what another page or process must not do', () => {
  test('a POST without the session token is refused and starts nothing', async () => {
    const answer = await post('/api/runs', {});
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('session token');
    expect(await post('/api/runs', { 'x-console-token': 'not-the-token' })).toMatchObject({ status: 403 });
    expect(await post(`/api/runs/${RUN}/rerun-failed`, {})).toMatchObject({ status: 403 });
    expect(await post(`/api/runs/${RUN}/resume`, {})).toMatchObject({ status: 403 });
    expect(await runsStarted()).toEqual([]);
  });

  test('a POST to stop a run without the token is refused, and a run this console did not start cannot be stopped', async () => {
    const refused = await post(`/api/runs/${RUN}/stop`, {}, '{}');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('session token');
    const withToken = await post(`/api/runs/${RUN}/stop`, { 'x-console-token': console_.token }, '{}');
    expect(withToken.status).toBe(409);
    expect(JSON.parse(withToken.body).error).toBe(
      `run ${RUN} cannot be stopped here (SUCCEEDED): it is not running`,
    );
    expect(console_.logs.join('\n')).not.toContain('stopping');
  });

  test('a cross-origin POST is refused even with the token', async () => {
    const answer = await post('/api/runs', {
      origin: 'http://evil.example',
      'x-console-token': console_.token,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('http://evil.example');
    const sameHostOtherPort = await post('/api/runs', {
      origin: 'http://127.0.0.1:1',
      'x-console-token': console_.token,
    });
    expect(sameHostOtherPort.status).toBe(403);
    expect(await runsStarted()).toEqual([]);
  });

  test('a request under another host name (DNS rebinding) is refused, a read one too', async () => {
    expect(await get('/api/runs', `evil.example:${console_.port}`)).toMatchObject({ status: 403 });
    expect(await get('/', `evil.example:${console_.port}`)).toMatchObject({ status: 403 });
    expect(await get('/api/runs')).toMatchObject({ status: 200 });
  });

  test('file views open the files of a run and nothing else (no path traversal)', async () => {
    expect(await get(`/api/runs/${RUN}/files/summary.json`)).toMatchObject({ status: 200 });
    for (const path of [
      `/api/runs/${RUN}/files/..%2F..%2Fsecret.txt`,
      `/api/runs/${RUN}/files/%2e%2e%2f%2e%2e%2fsecret.txt`,
      `/api/runs/${RUN}/files/%2e%2e`,
      `/api/runs/${RUN}/files/..%2F${RUN}%2Fsummary.json`,
      '/api/runs/..%2F..%2F..%2Fetc/files/summary.json',
      '/api/runs/run-..%2F..%2Fetc/files/summary.json',
      `/api/runs/${RUN}/../../../etc/passwd`,
      '/api/runs/run-19990101-000000-none/files/summary.json',
      '/api/runs/..%2F..%2F',
      '/api/runs/..%2F..%2Fetc/events',
    ]) {
      const answer = await get(path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.body).not.toMatch(/root:|TOP-SECRET/);
    }
  });

  test('the page carries the token, and a POST with it from the page origin is accepted', async () => {
    const page = await get('/');
    expect(page.body).toContain(`content="${console_.token}"`);
    const refused = await post(
      '/api/runs',
      { origin: `http://127.0.0.1:${console_.port}`, 'x-console-token': console_.token },
      '{"concurrency":"0"}',
    );
    // Past the guard: the form's own check answers, with the CLI's line for the field.
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).errors.concurrency).toContain(
      '--concurrency must be a whole number from 1 to 10,000, got "0"',
    );
  });
});
