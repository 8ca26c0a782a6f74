import { join } from 'node:path';
import { EXCERPT_CHARS, openRecordsDownload, readRecordsPage } from '../../../local/console/data/records';
import { folderStore, RUN_A } from './fixture-store';

const store = folderStore(join(RUN_A.dir, 'artifacts'));

async function text(body: AsyncIterable<Uint8Array>) {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

describe('the rejects file as a table', () => {
  it('gives each reject its position, source record and line, reason and excerpt', async () => {
    const page = await readRecordsPage(store, RUN_A.runId, 'rejects', {});
    expect(page).toMatchObject({ exists: true, rows: 3, matches: 3, offset: 0, limit: 100 });
    expect(page.page[0]).toEqual({
      position: 1,
      record: 17,
      line: 19,
      offset: 4210,
      reason: 'not valid JSON: unexpected character at position 12',
      excerpt: '{"ip_address": oops}',
      chunkId: null,
    });
  });

  it('searches reason and record text case-insensitively, and pages the matches', async () => {
    const found = await readRecordsPage(store, RUN_A.runId, 'rejects', { q: 'NOT VALID json' });
    expect(found.page.map((row) => row.position)).toEqual([1, 3]);
    expect(found.matches).toBe(2);
    const second = await readRecordsPage(store, RUN_A.runId, 'rejects', {
      q: 'json',
      offset: '1',
      limit: '1',
    });
    expect(second.page.map((row) => row.position)).toEqual([3]);
    const byText = await readRecordsPage(store, RUN_A.runId, 'rejects', { q: 'search?q=tool' });
    expect(byText.page.map((row) => row.record)).toEqual([250]);
  });
});

describe('the dead-letter file as a table', () => {
  it('says for each record which chunk it came from and why', async () => {
    const page = await readRecordsPage(store, RUN_A.runId, 'dead-letters', {});
    expect(page.rows).toBe(5);
    expect(page.page.map((row) => row.chunkId)).toEqual([
      'r1-c000000',
      'r1-c000000',
      'r1-c000001',
      'r1-c000001',
      'r1-c000001',
    ]);
    expect(page.page[0]?.reason).toMatch(/still refused after the last round \(1\)/);
    expect(page.page[2]?.reason).toMatch(/without an outcome/);
    expect(page.page[1]?.excerpt).toBe('{"ip_address":"10.0.0.2","path":"/search?q=tool","status":503}');
  });

  it('cuts long records to an excerpt', async () => {
    const long = `{"blob":"${'a'.repeat(500)}"}`;
    const wide = folderStore(join(RUN_A.dir, 'artifacts'));
    const original = wide.getStream;
    wide.getStream = async (key) =>
      key.endsWith('records.jsonl')
        ? {
            body: (async function* () {
              yield Buffer.from(`${long}\n`);
            })(),
          }
        : original(key);
    const page = await readRecordsPage(wide, RUN_A.runId, 'dead-letters', {});
    expect(page.page[0]?.excerpt).toHaveLength(EXCERPT_CHARS + 1);
  });

  it('is empty, not an error, for a run that dead-lettered nothing', async () => {
    const page = await readRecordsPage(store, 'run-20261130-000000-none', 'dead-letters', {});
    expect(page).toMatchObject({ exists: false, rows: 0, page: [] });
  });
});

describe('records downloads', () => {
  it('give the whole file as the run wrote it', async () => {
    const download = await openRecordsDownload(store, RUN_A.runId, 'dead-letters');
    expect(download.fileName).toBe(`${RUN_A.runId}-dead-letters.jsonl`);
    expect(await text(download.body)).toBe(
      await store.getText(`runs/${RUN_A.runId}/dead-letter/records.jsonl`),
    );
  });

  it('answer 404 when the run has no such file', async () => {
    await expect(openRecordsDownload(store, 'run-20261130-000000-none', 'rejects')).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('records files resolve only files of the run', () => {
  it.each([
    ['../run-20261130-203708-sprn', 'rejects'],
    ['..', 'rejects'],
    ['run-x/../../etc', 'rejects'],
    ['run-x%2F..%2F..', 'rejects'],
    ['run-x\\..\\..', 'rejects'],
    ['', 'rejects'],
    [RUN_A.runId, '../../plan.json'],
    [RUN_A.runId, 'plan'],
    [RUN_A.runId, 'rejects.jsonl'],
  ])('refuses run id %j with kind %j', async (runId, kind) => {
    const read: string[] = [];
    const spy = {
      ...store,
      getStream: async (key: string) => {
        read.push(key);
        return store.getStream(key);
      },
    };
    await expect(readRecordsPage(spy, runId, kind, {})).rejects.toMatchObject({ status: 400 });
    await expect(openRecordsDownload(spy, runId, kind)).rejects.toMatchObject({ status: 400 });
    expect(read).toEqual([]);
  });

  it('refuses malformed paging', async () => {
    await expect(readRecordsPage(store, RUN_A.runId, 'rejects', { offset: '-1' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(readRecordsPage(store, RUN_A.runId, 'rejects', { limit: '501' })).rejects.toMatchObject({
      status: 400,
    });
  });
});
