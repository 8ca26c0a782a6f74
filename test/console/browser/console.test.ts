import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type TestConsole, testConsole } from '../server/console-server';
import { launchChromium } from './chromium';

// Runs take what the machine gives them: the tests wait on states, never on a time budget.
const RUN_MS = 10 * 60_000;
jest.setTimeout(25 * 60_000);

let console_: TestConsole;
let browser: Browser;
let page: Page;
// With CONSOLE_SCREENSHOTS=docs the run pages are saved for the README.
const shots = process.env.CONSOLE_SCREENSHOTS;

interface Run {
  runId: string;
  status: string;
  canRerun: boolean;
  records: { input: number; delivered: number; deadLettered: number; rejected: number; pending: number };
  launch?: { kind: string; of?: string };
}

const api = async <T>(path: string): Promise<T> =>
  (await fetch(new URL(path, console_.url))).json() as Promise<T>;
const runIdOf = (url: string) => /#\/runs\/(run-[A-Za-z0-9-]+)$/.exec(url)?.[1] ?? '';
const runsOnDisk = async () => readdir(join(console_.dataDir, 'runs')).catch(() => [] as string[]);

async function startFromForm(fields: Record<string, string>): Promise<string> {
  await page.goto(`${console_.url}#/new`);
  for (const [name, value] of Object.entries(fields)) await page.fill(`#field-${name}`, value);
  await page.click('#start-run');
  await page.waitForURL(/#\/runs\/run-/, { timeout: 30_000 });
  return runIdOf(page.url());
}

async function waitForStatus(status: string): Promise<void> {
  await page
    .locator('.run-head .status', { hasText: new RegExp(`^${status}$`) })
    .waitFor({ timeout: RUN_MS });
}

beforeAll(async () => {
  console_ = await testConsole();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
});

afterAll(async () => {
  await browser?.close();
  await console_?.close();
});

describe('the console in Chromium', () => {
  test('a 2,550-record run started from the form reaches SUCCEEDED, live, and shows in the runs list', async () => {
    const runId = await startFromForm({ records: '2550' });
    await waitForStatus('SUCCEEDED');
    await page.locator('svg.graph .state[data-state="Loaded"][data-outcome="succeeded"]').waitFor();
    expect(await page.locator('#summary td[data-key="Delivered"]').textContent()).toBe('2,550');
    const run = await api<Run>(`/api/runs/${runId}`);
    expect(run.records).toEqual({ input: 2550, delivered: 2550, deadLettered: 0, rejected: 0, pending: 0 });
    await page.click('nav.tabs button[data-tab="events"]');
    expect(await page.locator('table.events tbody tr').count()).toBeGreaterThan(10);

    await page.goto(console_.url);
    await page.locator(`tr[data-run-id="${runId}"] .status`, { hasText: 'SUCCEEDED' }).waitFor();
    // The console logs what it did, never a record.
    const inputs = await readdir(join(console_.dataDir, 'inputs'));
    const records = JSON.parse(await readFile(join(console_.dataDir, 'inputs', inputs[0] ?? ''), 'utf8'));
    const logs = console_.logs.join('\n');
    expect(logs).toContain(`started run ${runId}`);
    expect(logs).not.toContain(JSON.stringify(records[0]));
  });

  test('a run with faults and no re-queue rounds dead-letters; "rerun failed" delivers them and the totals add up', async () => {
    const runId = await startFromForm({
      records: '1000',
      individual: '0',
      faultRate: '0.8',
      requeueRounds: '0',
    });
    if (shots) {
      // Only for the README picture: the page caught mid-run. No assertion depends on catching it.
      const sending = page.locator('svg.graph .state[data-state="LoadChunks"][data-outcome="running"]');
      if (
        await sending.waitFor({ timeout: RUN_MS }).then(
          () => true,
          () => false,
        )
      ) {
        await page.waitForTimeout(3000);
        await page.screenshot({ path: join(shots, 'console-live.png'), fullPage: true });
      }
    }
    await waitForStatus('FAILED');
    const failed = await api<Run>(`/api/runs/${runId}`);
    const { input, delivered, deadLettered, rejected } = failed.records;
    expect(deadLettered).toBeGreaterThan(0);
    expect(delivered + deadLettered + rejected).toBe(input);
    await page.locator('svg.graph .state[data-state="RecordsDeadLettered"][data-outcome="failed"]').waitFor();
    if (shots) await page.screenshot({ path: join(shots, 'console-dead-letters.png'), fullPage: true });
    await seeFailedChunksInTheGrid(runId);
    await seeDeadLetterRows(deadLettered);

    await page.click('#rerun-failed');
    await page.waitForURL((url) => runIdOf(url.toString()) !== runId, { timeout: 30_000 });
    const rerunId = runIdOf(page.url());
    await waitForStatus('SUCCEEDED');
    const rerun = await api<Run>(`/api/runs/${rerunId}`);
    expect(rerun.launch).toEqual({ kind: 'rerun-failed', of: runId });
    expect(rerun.records).toMatchObject({ input: deadLettered, delivered: deadLettered, deadLettered: 0 });
    const whole = await api<Run>(`/api/runs/${runId}`);
    expect(whole.status).toBe('SUCCEEDED');
    expect(whole.records).toEqual({
      input,
      delivered: input - rejected,
      deadLettered: 0,
      rejected,
      pending: 0,
    });
    expect(whole.canRerun).toBe(false);
    // The first run's dead letters are still listed, and the tab says a rerun delivered them.
    await page.goto(`${console_.url}#/runs/${runId}`);
    await page.click('nav.tabs button[data-tab="dead-letters"]');
    await page.locator('[data-empty="dead-letters"]', { hasText: 'delivered by a rerun' }).waitFor();
    await page.locator('[data-records="dead-letters"] table tbody tr').first().waitFor();
  });

  test('Stop interrupts a running run as Ctrl-C does; Resume finishes it and the totals add up', async () => {
    // One call at a time, each answered after 1.5 s: 16 chunks are still sending when the first is
    // done, whatever the machine's speed (as test/cli/local/interrupt.test.ts).
    const runId = await startFromForm({
      records: '8000',
      individual: '0',
      concurrency: '1',
      latencyMs: '1500',
    });
    await page
      .locator('#progress-text', { hasText: /chunks [1-9][\d,]* of 16/ })
      .waitFor({ timeout: RUN_MS });
    expect(await page.locator('#stop').getAttribute('title')).toContain('Ctrl-C');
    await page.click('#stop');
    await waitForStatus('INTERRUPTED');
    expect(await page.locator('#stop').count()).toBe(0);
    const stopped = await api<Run>(`/api/runs/${runId}`);
    const r = stopped.records;
    expect(r.input).toBe(8000);
    expect(r.pending).toBeGreaterThan(0);
    expect(r.delivered + r.deadLettered + r.rejected + r.pending).toBe(r.input);
    expect(console_.logs).toContain(`stopping run ${runId} (Ctrl-C)`);

    await page.click('#resume');
    await waitForStatus('SUCCEEDED');
    expect(runIdOf(page.url())).toBe(runId);
    const done = await api<Run>(`/api/runs/${runId}`);
    const { input, delivered, deadLettered, rejected, pending } = done.records;
    expect({ input, pending }).toEqual({ input: 8000, pending: 0 });
    expect(delivered + deadLettered + rejected).toBe(input);
    expect(await page.locator('#summary td[data-key="Records in"]').textContent()).toBe('8,000');
    // A chunk in flight when it stopped may have reached Firehose twice: the page counts them.
    expect(await page.locator('#summary td[data-key="Possible duplicates"]').textContent()).toMatch(
      /^[\d,]+$/,
    );
  });

  test('bad input gets the CLI line next to its field and starts nothing', async () => {
    const before = await runsOnDisk();
    await page.goto(`${console_.url}#/new`);
    await page.fill('#field-input', '/no/such/records.json');
    await page.fill('#field-concurrency', '4');
    await page.click('#start-run');
    await page
      .locator('#error-input', { hasText: 'ConfigError: --input /no/such/records.json: does not exist' })
      .waitFor();
    await page.fill('#field-input', '');
    await page.fill('#field-concurrency', '0');
    await page.click('#start-run');
    await page
      .locator('#error-concurrency', {
        hasText: '--concurrency must be a whole number from 1 to 10,000, got "0"',
      })
      .waitFor();
    await page.fill('#field-concurrency', '');
    await page.fill('#field-faultRate', '1.5');
    await page.click('#start-run');
    await page
      .locator('#error-faultRate', { hasText: '--fault-rate must be a probability from 0 to 1, got "1.5"' })
      .waitFor();
    expect(page.url()).toMatch(/#\/new$/);
    expect(await runsOnDisk()).toEqual(before);
  });

  test('a POST without the token is refused, from the console page itself and from a page on another origin', async () => {
    const before = await runsOnDisk();
    await page.goto(console_.url);
    const status = await page.evaluate(
      async () => (await fetch('/api/runs', { method: 'POST', body: '{}' })).status,
    );
    expect(status).toBe(403);

    // A page elsewhere tries what a browser lets any page do: a form post and a no-cors fetch.
    const target = `${console_.url}api/runs`;
    const evil = await serveOnce(`<form id="f" method="POST" action="${target}" enctype="text/plain">
      <input name='{"records":"5","x":"' value='"}'></form>
      <script>fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors', body: '{"records":"5"}'})
        .finally(() => document.getElementById('f').submit());</script>`);
    try {
      const answer = page.waitForResponse((response) => response.url() === target);
      await page.goto(evil.url);
      expect((await answer).status()).toBe(403);
    } finally {
      evil.server.close();
    }
    expect(await runsOnDisk()).toEqual(before);
  });
});

// Only for the README picture (CONSOLE_SCREENSHOTS=docs): a Map Run of some tens of chunks in two
// rounds, with retried and failed chunks. It takes minutes, so the normal test run skips it.
(shots ? test : test.skip)('the Map Run of a larger run with faults, for the README', async () => {
  const runId = await startFromForm({
    records: '20000',
    individual: '0',
    faultRate: '0.45',
    requestErrorRate: '0.05',
    requeueRounds: '1',
  });
  await page.locator('.run-head .status', { hasText: /^(SUCCEEDED|FAILED)$/ }).waitFor({ timeout: RUN_MS });
  await page.click('nav.tabs button[data-tab="map-run"]');
  await page.locator('canvas.cv-canvas[data-round="1"]').waitFor();
  const view = await api<{ chunks: GridChunk[] }>(`/api/runs/${runId}/map-run`);
  const round0 = view.chunks.filter((chunk) => chunk.round === 0);
  expect(round0.length).toBeGreaterThanOrEqual(20);
  // Open the first chunk that did not simply succeed, where the grid draws it.
  const at = Math.max(
    0,
    round0.findIndex((chunk) => chunk.status !== 'delivered'),
  );
  const canvas = page.locator('canvas.cv-canvas[data-round="0"]');
  const columns = Number(await canvas.getAttribute('data-columns'));
  const pitch = Number(await canvas.getAttribute('data-pitch'));
  await canvas.click({
    position: { x: (at % columns) * pitch + 4, y: Math.floor(at / columns) * pitch + 4 },
  });
  await page.locator('.cv-panel', { hasText: `${round0[at]?.chunkId} · round 0` }).waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(shots ?? '', 'console-map-run.png'), fullPage: true });
});

interface GridChunk {
  round: number;
  index: number;
  chunkId: string;
  status: string;
}

/** The Map Run tab of a finished run with dead letters: its grid counts them, a cell opens its chunk. */
async function seeFailedChunksInTheGrid(runId: string): Promise<void> {
  await page.click('nav.tabs button[data-tab="map-run"]');
  const canvas = page.locator('canvas.cv-canvas[data-round="0"]');
  await canvas.waitFor();
  const view = await api<{ chunks: GridChunk[] }>(`/api/runs/${runId}/map-run`);
  const round0 = view.chunks.filter((chunk) => chunk.round === 0);
  const bad = (status: string) => status === 'deadLettered' || status === 'failed';
  const expected = round0.filter((chunk) => bad(chunk.status)).length;
  expect(expected).toBeGreaterThan(0);
  const statuses = JSON.parse((await canvas.getAttribute('data-statuses')) ?? '{}') as Record<string, number>;
  expect((statuses.deadLettered ?? 0) + (statuses.failed ?? 0)).toBe(expected);
  expect(Object.values(statuses).reduce((sum, count) => sum + count, 0)).toBe(round0.length);
  expect(await canvas.getAttribute('aria-label')).toMatch(/dead-lettered|failed/);

  // Click the first failed or dead-lettered cell where the grid says it is.
  const at = round0.findIndex((chunk) => bad(chunk.status));
  const chunk = round0[at] as GridChunk;
  const columns = Number(await canvas.getAttribute('data-columns'));
  const pitch = Number(await canvas.getAttribute('data-pitch'));
  await canvas.click({
    position: { x: (at % columns) * pitch + 4, y: Math.floor(at / columns) * pitch + 4 },
  });
  const panel = page.locator('.cv-panel', { hasText: `${chunk.chunkId} · round 0` });
  await panel.waitFor();
  await panel.getByText('Outcome (what PutBatch recorded)').waitFor();
  if (chunk.status === 'deadLettered')
    await panel.getByText('What was left of this chunk is in the dead-letter file.').waitFor();
}

/** The Dead letters tab: a row per dead-lettered record, as many as the summary counts. */
async function seeDeadLetterRows(deadLettered: number): Promise<void> {
  await page.click('nav.tabs button[data-tab="dead-letters"]');
  const table = page.locator('[data-records="dead-letters"]');
  await table.locator('table tbody tr').first().waitFor();
  await table.getByText(`of ${deadLettered.toLocaleString('en-US')}`).waitFor();
  expect(await table.locator('table tbody tr').count()).toBe(Math.min(100, deadLettered));
  await page.click('nav.tabs button[data-tab="graph"]');
}

/** A page on another origin (another port of loopback). */
async function serveOnce(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
