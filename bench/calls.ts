import { mulberry32 } from '@firehose-loader/local-services';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../functions/shared/limits';
import { ChunkPlanner } from '../functions/shared/plan/planner';
import { resolvePlanSettings } from '../functions/shared/plan/settings';
import { type BenchContext, type SectionResult, target } from './types';
import { fmt, round } from './util';

interface Distribution {
  name: string;
  sizes: number[];
}

const TINY = 80;

function distributions(quick: boolean): Distribution[] {
  const scale = quick ? 0.2 : 1;
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  const random = mulberry32(7);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const logUniform = (lo: number, hi: number) =>
    Math.round(Math.exp(Math.log(lo) + random() * Math.log(hi / lo)));
  return [
    { name: 'tiny (70-90 B)', sizes: Array.from({ length: n(200_000) }, () => between(70, 90)) },
    {
      name: 'mixed (log-uniform 40 B - 200 KB)',
      sizes: Array.from({ length: n(50_000) }, () => logUniform(40, 200_000)),
    },
    {
      name: 'near the limit (1,000,000 - 1,024,000 B)',
      sizes: Array.from({ length: n(4_000) }, () => between(1_000_000, MAX_RECORD_BYTES)),
    },
    {
      name: 'adversarial: 1,024,000 B and 80 B alternating',
      sizes: Array.from({ length: n(8_000) }, (_, i) => (i % 2 ? TINY : MAX_RECORD_BYTES)),
    },
    {
      name: 'adversarial: 499 tiny then one 1,024,000 B',
      sizes: Array.from({ length: n(100_000) }, (_, i) => (i % 500 === 499 ? MAX_RECORD_BYTES : TINY)),
    },
    {
      name: 'adversarial: 3 x 1,024,000 B then 150,000 B and 2 tiny',
      sizes: Array.from(
        { length: n(12_000) },
        (_, i) =>
          [MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, 150_000, TINY, TINY][i % 6] as number,
      ),
    },
  ];
}

/** The planner's PutRecordBatch calls (batch chunks) for these record sizes, records given one by one. */
function plannerCalls(sizes: number[]): number {
  const planner = new ChunkPlanner(resolvePlanSettings({}));
  // Views of one buffer: the planner reads only `payload.length`.
  const backing = Buffer.alloc(MAX_RECORD_BYTES);
  let offset = 0;
  let calls = 0;
  sizes.forEach((size, index) => {
    const chunks = planner.add({
      kind: 'record',
      index,
      offset,
      line: index + 1,
      payload: backing.subarray(0, size),
    });
    calls += chunks.filter((chunk) => chunk.mode === 'batch').length;
    offset += size;
  });
  calls += planner.finish(offset).filter((chunk) => chunk.mode === 'batch').length;
  return calls;
}

/** max(ceil(n / 500), ceil(bytes / 4 MiB)): no split into calls, contiguous or not, can do better. */
function lowerBound(sizes: number[]): number {
  const bytes = sizes.reduce((sum, size) => sum + size, 0);
  return Math.max(Math.ceil(sizes.length / MAX_BATCH_RECORDS), Math.ceil(bytes / MAX_BATCH_BYTES));
}

/**
 * The exact minimum number of calls when each call takes a contiguous run of records (the loader's
 * chunks are byte ranges of the file): best[i] = 1 + min best[j] over every j < i whose run j..i-1
 * fits in one call. Checks every such j (at most 500), so O(500 n), independent of the planner.
 */
function exactContiguousMinimum(sizes: number[]): number {
  const best = new Int32Array(sizes.length + 1);
  for (let i = 1; i <= sizes.length; i++) {
    let bytes = 0;
    let min = Number.MAX_SAFE_INTEGER;
    for (let j = i - 1; j >= 0 && i - j <= MAX_BATCH_RECORDS; j--) {
      bytes += sizes[j] as number;
      if (bytes > MAX_BATCH_BYTES) break;
      min = Math.min(min, (best[j] as number) + 1);
    }
    best[i] = min;
  }
  return best[sizes.length] as number;
}

export async function callEfficiency(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const rows: (string | number)[][] = [];
  const data: { [key: string]: number | string }[] = [];
  let worst = 0;
  for (const { name, sizes } of distributions(ctx.quick)) {
    const t = performance.now();
    const calls = plannerCalls(sizes);
    const planMs = performance.now() - t;
    const exact = exactContiguousMinimum(sizes);
    const bound = lowerBound(sizes);
    const ratio = calls / exact;
    worst = Math.max(worst, ratio);
    rows.push([
      name,
      fmt(sizes.length),
      fmt(calls),
      fmt(exact),
      fmt(bound),
      ratio.toFixed(3),
      (calls / bound).toFixed(3),
    ]);
    data.push({
      name,
      records: sizes.length,
      calls,
      exactMinimum: exact,
      lowerBound: bound,
      ratio: round(ratio, 4),
      planMs: round(planMs, 1),
    });
    ctx.log(`  ${name}: ${calls} calls, minimum ${exact}, bound ${bound}`);
  }
  return {
    id: 'calls',
    title: 'Call efficiency: PutRecordBatch calls ÷ the minimum for the input',
    headers: [
      'record sizes',
      'records',
      'planner calls',
      'exact minimum (DP)',
      'lower bound',
      'calls ÷ minimum',
      'calls ÷ lower bound',
    ],
    rows,
    targets: [target('worst calls ÷ exact minimum', round(worst, 4), '<=', 1)],
    notes: [
      'The planner (ChunkPlanner, default settings: 500 records, 4 MiB, no packing) is fed record sizes directly. The exact minimum is a dynamic programme over contiguous runs (chunks are byte ranges of the file); the lower bound max(ceil(n/500), ceil(bytes/4 MiB)) also allows non-contiguous calls, so calls ÷ lower bound above 1 is what keeping file order costs, not planner waste.',
    ],
    data,
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
