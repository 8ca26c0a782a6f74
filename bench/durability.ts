import { join } from 'node:path';
import type { FirehoseQuotas } from '@firehose-loader/local-services';
import { mockFile } from './data';
import { buildRequests, type Ceiling, measureCeiling } from './firehose-ceiling';
import { type BenchContext, type SectionResult, target } from './types';
import { fmt, median, round } from './util';

/**
 * What the durable local Firehose costs: PutRecordBatch answered only once its records are fsynced
 * in the stream's buffer file (the default), against the same file written without fsync (survives a
 * kill -9, not a power cut). One sender shows the added latency per call; eight show what the group
 * commit (concurrent requests share one fsync) recovers.
 */

const UNTHROTTLED: FirehoseQuotas = {
  recordsPerSecond: 1_000_000_000,
  requestsPerSecond: 1_000_000_000,
  bytesPerSecond: 1_000_000_000_000,
};
const CONCURRENCIES = [1, 8] as const;

// Over 60 lines on purpose: one benchmark section read top to bottom (set up, measure, report table).
export async function durability(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const count = ctx.quick ? 20_000 : 100_000;
  const repeats = ctx.quick ? 1 : 3;
  const requests = await buildRequests(await mockFile(ctx, count, 'jsonl'));
  const bytes = requests.flat().reduce((sum, record) => sum + record.length, 0);
  const results: Record<string, Ceiling[]> = {};
  // Alternated, so a change in the machine's load falls on both settings alike.
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const concurrency of CONCURRENCIES) {
      for (const sync of [false, true]) {
        const name = `${sync ? 'fsync' : 'nosync'}-${concurrency}`;
        ctx.log(`  ${fmt(count)} records, concurrency ${concurrency}, ${sync ? 'fsync' : 'no fsync'}`);
        const dir = join(ctx.tmp, `durability-${name}-${repeat}`);
        const ceiling = await measureCeiling(dir, requests, concurrency, UNTHROTTLED, {
          syncFirehoseBuffer: sync,
        });
        results[name] = [...(results[name] ?? []), ceiling];
      }
    }
  }
  const msPerCall = (name: string) => median((results[name] ?? []).map((c) => c.ms / c.calls));
  const perSecond = (name: string) => median((results[name] ?? []).map((c) => c.recordsPerSecond));
  const rows = CONCURRENCIES.flatMap((concurrency) => {
    const [off, on] = [`nosync-${concurrency}`, `fsync-${concurrency}`];
    return [
      [concurrency, 'written, no fsync', round(msPerCall(off), 2), fmt(Math.round(perSecond(off))), ''],
      [
        concurrency,
        'fsync before the answer (default)',
        round(msPerCall(on), 2),
        fmt(Math.round(perSecond(on))),
        `+${round(msPerCall(on) - msPerCall(off), 2)} ms/call`,
      ],
    ];
  });
  const failed = Object.values(results)
    .flat()
    .reduce((sum, c) => sum + c.failed, 0);
  return {
    id: 'durability',
    title: `Durable local Firehose: ${fmt(count)} records in ${fmt(requests.length)} PutRecordBatch calls, with and without fsync`,
    headers: ['senders', 'buffer file', 'ms per call', 'records/s', 'fsync cost'],
    rows,
    targets: [
      target(
        'records/s with fsync ÷ without, 8 senders',
        round(perSecond('fsync-8') / perSecond('nosync-8')),
        '>=',
        0.5,
      ),
      target('entries refused', failed, '<=', 0),
    ],
    notes: [
      `Each cell is the median of ${repeats} run(s) against a fresh services child process (as runLocalJob starts it) with no quota, ${fmt(bytes)} bytes of records, 500 per call; "ms per call" is the sending time over the calls (with 8 senders, 1/throughput, not latency). Without fsync the buffer file still survives a kill -9 of every process; the fsync is what makes an acknowledged record survive a power cut, as on AWS.`,
    ],
    data: Object.fromEntries(
      Object.entries(results).map(([name, runs]) => [
        name,
        {
          msPerCall: round(msPerCall(name), 3),
          recordsPerSecond: round(perSecond(name), 1),
          runs: runs.length,
        },
      ]),
    ),
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
