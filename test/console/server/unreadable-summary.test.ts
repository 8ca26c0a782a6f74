import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeRun, type TestConsole, testConsole } from './console-server';

let console_: TestConsole;
const GOOD = 'run-20260101-000000-good';
const NO_RECORDS = 'run-20260101-000001-nore';
const TORN = 'run-20260101-000002-torn';

async function runWithSummary(runId: string, text: string): Promise<void> {
  const runDir = join(console_.dataDir, 'runs', runId);
  await mkdir(runDir, { recursive: true });
  await writeFile(join(runDir, 'summary.json'), text);
}

beforeAll(async () => {
  console_ = await testConsole();
  await fakeRun(console_.dataDir, GOOD);
  // A summary of another tool or version (no records), and one cut off mid-write.
  await runWithSummary(NO_RECORDS, JSON.stringify({ runId: NO_RECORDS, status: 'SUCCEEDED', durationMs: 5 }));
  await runWithSummary(TORN, '{"runId":"run-20260101-000002-torn","status":"SUCC');
});
afterAll(() => console_.close());

const get = async (path: string) => {
  const response = await fetch(new URL(path, console_.url));
  return { status: response.status, body: (await response.json()) as unknown };
};

interface Row {
  runId: string;
  status: string;
  error?: string;
}

/** The first `runs` event of the live list, as the page gets it. */
async function firstStreamedList(): Promise<Row[]> {
  const abort = new AbortController();
  const response = await fetch(new URL('/api/runs/stream', console_.url), { signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!/event: runs\ndata: .*\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    abort.abort();
  }
  return JSON.parse(/event: runs\ndata: (.*)\n/.exec(text)?.[1] ?? 'null') as Row[];
}

describe('a run whose summary.json cannot be read', () => {
  test('is listed as UNREADABLE with the reason, and the other runs are listed as usual', async () => {
    const list = await get('/api/runs');
    expect(list.status).toBe(200);
    const byId = new Map((list.body as Row[]).map((row) => [row.runId, row]));
    expect(byId.get(GOOD)).toMatchObject({ status: 'SUCCEEDED' });
    expect(byId.get(GOOD)?.error).toBeUndefined();
    expect(byId.get(NO_RECORDS)).toMatchObject({
      status: 'UNREADABLE',
      error: 'summary unreadable: summary.json has no records field',
    });
    expect(byId.get(TORN)?.status).toBe('UNREADABLE');
    expect(byId.get(TORN)?.error).toMatch(/^summary unreadable: summary\.json is not JSON \(.+\)$/);
  });

  test('the live runs list streams it with the reason instead of breaking off', async () => {
    const rows = await firstStreamedList();
    expect(rows.map((row) => [row.runId, row.status])).toEqual([
      [TORN, 'UNREADABLE'],
      [NO_RECORDS, 'UNREADABLE'],
      [GOOD, 'SUCCEEDED'],
    ]);
  });

  test('its run page says why, offers nothing to rerun or resume, and still serves the file', async () => {
    const run = await get(`/api/runs/${NO_RECORDS}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({
      status: 'UNREADABLE',
      error: 'summary unreadable: summary.json has no records field',
      canRerun: false,
      canResume: false,
      canStop: false,
      facts: { summaryProblem: 'summary.json has no records field' },
    });
    expect((run.body as { facts: { summary?: unknown } }).facts.summary).toBeUndefined();
    const file = await fetch(new URL(`/api/runs/${TORN}/files/summary.json`, console_.url));
    expect({ status: file.status, text: await file.text() }).toEqual({
      status: 200,
      text: '{"runId":"run-20260101-000002-torn","status":"SUCC',
    });
  });
});
