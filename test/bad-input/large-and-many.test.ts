import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RECORD_BYTES } from '../../functions/shared/limits';
import { readRecords } from '../../functions/shared/records/reader';
import { expectAccounted, runInput } from './run-input';

/** Big records and many tiny ones, generated at test time in a temp directory. */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bad-input-large-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A JSON string record whose payload (content plus its `\n`) is exactly `payloadBytes` long. */
const stringRecord = (payloadBytes: number, fill: string) => `"${fill.repeat(payloadBytes - 3)}"`;

describe('records at the Firehose size limit', () => {
  it('delivers a record of exactly 1,024,000 payload bytes byte-exact and rejects one byte more with its position', async () => {
    const fits = stringRecord(MAX_RECORD_BYTES, 'a');
    const tooBig = stringRecord(MAX_RECORD_BYTES + 1, 'b');
    const file = join(dir, 'limit.jsonl');
    const head = '{"id":1}\n';
    await writeFile(file, `${head}${fits}\n${tooBig}\n{"id":4}\n`);
    const { summary, rejects } = await runInput(dir, file, 'jsonl');
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(summary.records).toMatchObject({ input: 4, delivered: 3, rejected: 1 });
    const output = Buffer.concat(await Promise.all(summary.output.files.map((f) => readFile(f))));
    expect(output.equals(Buffer.from(`${head}${fits}\n{"id":4}\n`))).toBe(true);
    const offset = head.length + fits.length + 1;
    expect(rejects).toEqual([
      {
        record: 2,
        offset,
        line: 3,
        reason: `record 2 at byte ${offset} (line 3): payload of 1024001 bytes exceeds the Firehose record limit of 1024000 bytes`,
        excerpt: `"${'b'.repeat(119)}`,
      },
    ]);
  });
});

describe('a 10 MB line without a newline', () => {
  const LINE_BYTES = 10 * 1024 * 1024;
  const PIECE = Buffer.alloc(64 * 1024, 0x78);

  async function writeBigLine(file: string): Promise<void> {
    const out = createWriteStream(file);
    out.write('first good line\n');
    for (let written = 0; written < LINE_BYTES; written += PIECE.length) {
      if (!out.write(PIECE)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }

  it('rejects it in lines format with its size and position, and delivers the line before it', async () => {
    const file = join(dir, 'big-line.txt');
    await writeBigLine(file);
    const { summary, delivered, rejects } = await runInput(dir, file, 'lines');
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(delivered).toEqual(['first good line']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ record: 1, offset: 16, line: 2 });
    expect(rejects[0].reason).toBe(
      `record 1 at byte 16 (line 2): payload of ${LINE_BYTES + 1} bytes exceeds the Firehose record limit of 1024000 bytes`,
    );
  });

  it('reads it with memory bounded by the record limit, not the line', async () => {
    // One reused piece, so the only memory that can grow is what the reader keeps; sampled as it reads.
    // The line is 10 times the 10 MB file's so heap noise from the rest of the suite (no forced GC
    // here) cannot decide the result: holding the line would cost 100 MB, the bound is 20 MB.
    const STREAMED_BYTES = 10 * LINE_BYTES;
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    let peak = 0;
    async function* stream() {
      for (let sent = 0; sent < STREAMED_BYTES; sent += PIECE.length) {
        peak = Math.max(peak, used() - before);
        yield PIECE;
      }
    }
    const items = [];
    for await (const item of readRecords(stream(), { format: 'lines' })) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'reject', offset: 0, line: 1 });
    expect(peak).toBeLessThan(STREAMED_BYTES / 5);
  });
});

describe('many tiny records', () => {
  const COUNT = 200_000;

  it.each([
    ['without packing', false],
    ['with packing', true],
  ])('delivers 200,000 one-byte records %s in the minimum number of calls', async (_label, pack) => {
    const file = join(dir, `tiny-${pack}.jsonl`);
    await writeFile(file, '1\n'.repeat(COUNT));
    const { summary, delivered } = await runInput(dir, file, 'jsonl', { pack, maxConcurrency: 40 });
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(summary.records).toMatchObject({ input: COUNT, delivered: COUNT, rejected: 0, deadLettered: 0 });
    expect(delivered).toHaveLength(COUNT);
    expect(delivered.every((line) => line === '1')).toBe(true);
    expect(summary.firehose.putRecordBatchCalls).toBe(summary.firehose.minimumPutRecordBatchCalls);
    expect(summary.firehose.putRecordCalls).toBe(0);
    // 500 records per call unpacked; packed, all 400,000 bytes fit in far fewer Firehose records.
    expect(summary.firehose.minimumPutRecordBatchCalls).toBe(pack ? 1 : COUNT / 500);
  });
});
