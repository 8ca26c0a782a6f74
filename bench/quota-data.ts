import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mulberry32 } from '@firehose-loader/local-services';
import type { BenchContext } from './types';
import { LineMultiset } from './util';

/** Inputs of the quota section that the mock web-traffic generator does not make. */

async function writeLines(path: string, count: number, line: (index: number) => string): Promise<string> {
  const out = createWriteStream(path);
  for (let index = 0; index < count; index++) {
    if (!out.write(`${line(index)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/** Tiny JSON records of 20-60 bytes: the records quota binds long before the bytes quota. */
export async function tinyRecordsFile(ctx: BenchContext, count: number): Promise<string> {
  const random = mulberry32(7);
  const path = join(ctx.tmp, `tiny-${count}.jsonl`);
  await writeLines(path, count, (i) => JSON.stringify({ i, v: 'x'.repeat(Math.floor(random() * 40)) }));
  ctx.log(`  generated ${path}: ${(await stat(path)).size} bytes`);
  return path;
}

// Just under the 1,000 KiB Firehose record limit with its newline; four make a ~3.9 MiB chunk.
const BIG_RECORD_BYTES = 1_000_000;
const SMALL_PER_GROUP = 4_500;
const BIG_PER_GROUP = 4;

/**
 * Irregular chunks: 4,500 small records (~200 B, nine 500-record chunks), then four ~1,000,000-byte
 * records (one ~3.9 MiB chunk), repeated: a near-4 MiB chunk about every tenth chunk.
 */
export async function irregularFile(ctx: BenchContext, groups: number): Promise<string> {
  const random = mulberry32(11);
  const path = join(ctx.tmp, `irregular-${groups}.jsonl`);
  const perGroup = SMALL_PER_GROUP + BIG_PER_GROUP;
  const big = (i: number) => {
    const head = JSON.stringify({ i, kind: 'big', blob: '' });
    return `${head.slice(0, -2)}${'b'.repeat(BIG_RECORD_BYTES - head.length - 1)}"}`;
  };
  await writeLines(path, groups * perGroup, (i) =>
    i % perGroup < SMALL_PER_GROUP
      ? JSON.stringify({ i, kind: 'small', v: 's'.repeat(150 + Math.floor(random() * 100)) })
      : big(i),
  );
  ctx.log(`  generated ${path}: ${(await stat(path)).size} bytes`);
  return path;
}

/** Marks the second writer's records, so the output check can tell them from the job's. */
export const SECOND_WRITER_MARK = '"secondWriter":true';

// Over 60 lines: the writer's loop, its re-sending of throttled entries and its stop share one state.
/**
 * Another producer on the same stream, sending `bytesPerSecond` in 500-record PutRecordBatch calls
 * every 100 ms; what Firehose throttles it sends again in the next tick, so it keeps its share.
 */
export function startSecondWriter(streamName: string, bytesPerSecond: number) {
  // One request per send, no SDK retries: the bench takes exactly the writer's requests out of the
  // stream's count (what it throttled, it sends again in the next tick anyway).
  const client = new FirehoseClient({ maxAttempts: 1 });
  const tickMs = 100;
  const perTick = Math.round((bytesPerSecond * tickMs) / 1000);
  const recordBytes = Math.ceil(perTick / 500);
  let sequence = 0;
  let backlog: Uint8Array[] = [];
  /** `calls`: PutRecordBatch requests made, refused ones included. */
  const counts = { sentBytes: 0, acceptedBytes: 0, accepted: 0, throttled: 0, calls: 0 };
  const record = () => {
    const head = `{${SECOND_WRITER_MARK},"n":${sequence++},"pad":"`;
    return Buffer.from(`${head}${'w'.repeat(Math.max(0, recordBytes - head.length - 3))}"}\n`);
  };
  let stopped = false;
  const loop = (async () => {
    let next = performance.now();
    while (!stopped) {
      const batch = backlog.slice(0, 500);
      backlog = backlog.slice(batch.length);
      let bytes = batch.reduce((sum, r) => sum + r.length, 0);
      while (batch.length < 500 && bytes < perTick) {
        const r = record();
        batch.push(r);
        bytes += r.length;
      }
      try {
        counts.calls += 1;
        counts.sentBytes += bytes;
        const out = await client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: streamName,
            Records: batch.map((Data) => ({ Data })),
          }),
        );
        (out.RequestResponses ?? []).forEach((response, index) => {
          const data = batch[index] as Uint8Array;
          if (response.ErrorCode) {
            counts.throttled += 1;
            backlog.push(data);
          } else {
            counts.accepted += 1;
            counts.acceptedBytes += data.length;
          }
        });
      } catch {
        counts.throttled += batch.length;
        backlog.push(...batch);
      }
      next += tickMs;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return {
    counts,
    /** Stops sending; what is still throttled is left unsent and counted. */
    async stop() {
      stopped = true;
      await loop;
      client.destroy();
      return { ...counts, unsent: backlog.length };
    },
  };
}

/** Output lines of the job (the second writer's left out), and how many of the writer's arrived. */
export async function outputLines(files: string[]): Promise<{ job: LineMultiset; writerLines: number }> {
  const job = new LineMultiset();
  let writerLines = 0;
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.includes(SECOND_WRITER_MARK)) writerLines += 1;
      else job.add(line);
    }
  }
  return { job, writerLines };
}
