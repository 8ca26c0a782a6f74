import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { generateRecords } from '../../../functions/shared/mock-data/generate';
import { MockFormat, writeMockData } from '../../../functions/shared/mock-data/write';

/** Collects everything written to it. */
function collector() {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks) };
}

describe('writeMockData', () => {
  it('writes a JSON array with one record per line that parses back to the generated records', async () => {
    const out = collector();
    const result = await writeMockData(out.stream, { count: 25, seed: 5, format: MockFormat.json });

    const text = out.text();
    expect(JSON.parse(text)).toEqual([...generateRecords(25, 5)]);
    expect(text.split('\n')).toHaveLength(25 + 3); // '[', 25 records, ']', and the final newline
    expect(result).toEqual({ records: 25, bytes: Buffer.byteLength(text) });
  });

  it('writes JSON Lines: one parseable record per line, each ending in a newline', async () => {
    const out = collector();
    const result = await writeMockData(out.stream, { count: 40, seed: 5, format: MockFormat.jsonl });

    const text = out.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([...generateRecords(40, 5)]);
    expect(result).toEqual({ records: 40, bytes: Buffer.byteLength(text) });
  });

  it('writes an empty array for zero records', async () => {
    const out = collector();
    await writeMockData(out.stream, { count: 0, format: MockFormat.json });
    expect(JSON.parse(out.text())).toEqual([]);
  });

  it('writes byte-identical output for the same seed', async () => {
    const a = collector();
    const b = collector();
    await writeMockData(a.stream, { count: 500, seed: 99, format: MockFormat.json });
    await writeMockData(b.stream, { count: 500, seed: 99, format: MockFormat.json });
    expect(a.bytes().equals(b.bytes())).toBe(true);
  });

  it('creates and closes a file when given a path, and leaves a stream passed in open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-data-'));
    try {
      const file = join(dir, 'sample_records.json');
      const result = await writeMockData(file, { format: MockFormat.json });
      const parsed: unknown[] = JSON.parse(readFileSync(file, 'utf8'));
      expect(parsed).toHaveLength(2_550);
      expect(result.records).toBe(2_550);

      const out = collector();
      await writeMockData(out.stream, { count: 1, format: MockFormat.jsonl });
      expect(out.stream.writableEnded).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams 20,000 records to a slow consumer while never holding more than a bounded amount in its buffer', async () => {
    // 20,000 records are over 2 MB, more than ten times the bound below: enough to show it holds.
    const count = 20_000;
    let received = 0;
    let maxBuffered = 0;
    const highWaterMark = 16 * 1024;
    const slow = new Writable({
      highWaterMark,
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        setImmediate(done); // a consumer that is never ready right away
      },
    });

    const result = await writeMockData(slow, { count, seed: 1, format: MockFormat.jsonl });

    expect(result.records).toBe(count);
    expect(result.bytes).toBe(received);
    expect(received).toBeGreaterThan(count * 100);
    // The writer waits for 'drain': at most one piece (~64 KiB) beyond the high-water mark is queued.
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + 128 * 1024);
  });

  it('rejects an unknown format before writing anything', async () => {
    const out = collector();
    // @ts-expect-error: a format from an untyped caller (CLI option)
    await expect(writeMockData(out.stream, { count: 1, format: 'csv' })).rejects.toThrow(
      /expected json or jsonl, got csv/,
    );
    expect(out.text()).toBe('');
  });
});
