import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccounted, FIXTURES, runInput } from './run-input';

/** Bad inputs through the whole local workflow: each gives a clear error or a reject with its reason. */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bad-input-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fixture = (name: string) => join(FIXTURES, name);

describe('malformed records among good ones', () => {
  it('rejects a malformed JSON line with its reason, offset and line, and delivers every good line', async () => {
    const { summary, delivered, rejects } = await runInput(dir, fixture('malformed-line.jsonl'), 'jsonl');
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(summary.records).toMatchObject({ input: 4, delivered: 3, rejected: 1, deadLettered: 0 });
    expect(delivered).toEqual([
      '{"id":1,"ok":true}',
      '{"id":3,"ok":true}',
      '{"id":4,"note":"after the bad line"}',
    ]);
    expect(rejects).toEqual([
      expect.objectContaining({ record: 1, offset: 19, line: 2, excerpt: '{"id":2,"ok":' }),
    ]);
    expect(rejects[0].reason).toMatch(/^record 1 at byte 19 \(line 2\): not valid JSON/);
  });

  it('rejects lines that are not valid UTF-8 and keeps valid multi-byte text byte-exact', async () => {
    const { summary, delivered, rejects } = await runInput(dir, fixture('invalid-utf8.jsonl'), 'jsonl');
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(summary.records).toMatchObject({ input: 5, delivered: 3, rejected: 2 });
    expect(delivered).toEqual(['{"id":1}', '{"id":3,"name":"café"}', '{"id":5}']);
    expect(rejects.map((r) => [r.record, r.offset, r.line, r.reason])).toEqual([
      [1, 9, 2, 'record 1 at byte 9 (line 2): not valid UTF-8'],
      [3, 57, 4, 'record 3 at byte 57 (line 4): not valid UTF-8'],
    ]);
  });
});

describe('encodings, line endings and empty input', () => {
  it('skips a UTF-8 BOM before JSON Lines and before a JSON array', async () => {
    const lines = await runInput(dir, fixture('bom.jsonl'), 'jsonl');
    expect(lines.summary.status).toBe('SUCCEEDED');
    expect(lines.delivered).toEqual(['{"id":1}', '{"id":2}']);
    const array = await runInput(dir, fixture('bom-array.txt'), 'auto');
    expect(array.summary.status).toBe('SUCCEEDED');
    expect(array.delivered).toEqual(['{"id":1}', '{"id":2}']);
  });

  it('succeeds with 0 records for an empty file', async () => {
    const { summary, delivered, rejects } = await runInput(dir, fixture('empty.jsonl'), 'auto');
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records).toMatchObject({ input: 0, delivered: 0, rejected: 0, deadLettered: 0 });
    expect(summary.firehose.putRecordBatchCalls).toBe(0);
    expect(delivered).toEqual([]);
    expect(rejects).toEqual([]);
  });

  it('ignores blank and whitespace-only lines without rejecting them', async () => {
    const { summary, delivered } = await runInput(dir, fixture('blank-lines.jsonl'), 'jsonl');
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records).toMatchObject({ input: 2, delivered: 2, rejected: 0 });
    expect(delivered).toEqual(['{"id":1}', '{"id":2}']);
  });

  it('delivers CRLF-terminated JSON Lines without the carriage returns', async () => {
    const { summary, delivered } = await runInput(dir, fixture('crlf.jsonl'), 'jsonl');
    expect(summary.status).toBe('SUCCEEDED');
    expect(delivered).toEqual(['{"id":1}', '{"id":2,"s":"a b"}', '{"id":3}']);
  });
});

describe('JSON values that are not objects', () => {
  it('delivers numbers, strings, booleans and null of a JSON array as their compact JSON', async () => {
    const { summary, delivered } = await runInput(dir, fixture('non-objects.txt'), 'json');
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(delivered).toEqual(['1', '"two"', 'null', 'true', 'false', '2.5e3', '-0', '{"a":1}', '"x y"']);
  });

  it('delivers nested arrays as one record each, whitespace removed', async () => {
    const { summary, delivered } = await runInput(dir, fixture('nested-arrays.txt'), 'json');
    expect(summary.status).toBe('SUCCEEDED');
    expect(delivered).toEqual(['[1,[2,[3,[]]]]', '{"a":[[{"b":[]}]]}', '[[[[[[["deep"]]]]]]]']);
  });
});
