import { join } from 'node:path';
import type { FirehoseQuotas } from '@firehose-loader/local-services';
import type { RunSummary } from '../functions/shared/run';
import { runLocalJob } from '../local/runner/run-job';
import { type CpuSeconds, measureCpu } from './cpu';
import { mockFile } from './data';
import { type PhaseTimes, phaseTimes } from './events';
import { buildRequests, type Ceiling, measureCeiling } from './firehose-ceiling';
import { callsCell, type StreamCalls, streamCalls } from './stream-calls';
import { type BenchContext, type Cell, type SectionResult, type Target, target } from './types';
import { fmt, linesOf, round } from './util';

const CONCURRENCY = 40;
// High enough that the local Firehose never throttles: this measures the loader, not the quota.
const UNTHROTTLED: FirehoseQuotas = {
  recordsPerSecond: 10_000_000,
  requestsPerSecond: 1_000_000,
  bytesPerSecond: 10 * 1024 ** 3,
};
const PHASES = [
  'Plan',
  'LoadChunks.ReadItems',
  'LoadChunks',
  'LoadChunks.WriteResults',
  'AdvanceRound',
  'CheckMetrics',
];
export const THROUGHPUT_FLOOR = 0.3;
// If the full-size run fails, the comparison is repeated at this size so there is still a figure.
const FALLBACK_RECORDS = 200_000;

interface Measured {
  count: number;
  ceiling: Ceiling;
  summary: RunSummary;
  /** The job's Firehose calls as the stream saw them (stream-calls.ts). */
  counted: StreamCalls;
  phases: PhaseTimes;
  exact: boolean;
  digests: { input: string; output: string };
  cpu: { ceiling: CpuSeconds; workflow: CpuSeconds };
}

const describeError = (error: unknown) =>
  error instanceof Error
    ? `${error.name}: ${error.message} (${(error.stack ?? '').split('\n').slice(1, 3).join(' ').replace(/\s+/g, ' ').trim()})`
    : String(error);

/** The ceiling and the workflow over the same `count` records, one after the other. */
async function measureAt(ctx: BenchContext, count: number): Promise<Measured> {
  const file = await mockFile(ctx, count, 'jsonl');
  ctx.log(`  ceiling: ${fmt(count)} records in ready-made requests, concurrency ${CONCURRENCY}`);
  const requests = await buildRequests(file);
  const measuredCeiling = await measureCpu(() =>
    measureCeiling(join(ctx.tmp, `ceiling-${count}`), requests, CONCURRENCY, UNTHROTTLED),
  );
  const ceiling = measuredCeiling.result;
  requests.length = 0;
  ctx.log(
    `  ceiling: ${fmt(Math.round(ceiling.recordsPerSecond))} records/s; workflow: runLocalJob over ${fmt(count)} records`,
  );
  const dataDir = join(ctx.tmp, `throughput-${count}`);
  const runStart = Date.now();
  const run = await measureCpu(() =>
    runLocalJob({
      dataDir,
      inputFile: file,
      format: 'jsonl',
      maxConcurrency: CONCURRENCY,
      quotas: UNTHROTTLED,
      fastTimers: false,
      progress: { write: () => undefined, interactive: false },
    }),
  );
  const summary = run.result;
  const counted = await streamCalls(dataDir, summary, { fromMs: runStart });
  const phases = await phaseTimes(summary.runDir);
  const input = (await linesOf([file])).digest;
  const output = (await linesOf(summary.output.files)).digest;
  const cpu = { ceiling: measuredCeiling.cpu, workflow: run.cpu };
  return {
    count,
    ceiling,
    summary,
    counted,
    phases,
    exact: input === output,
    digests: { input, output },
    cpu,
  };
}

function rowsOf(m: Measured): { rows: Cell[][]; ratio: number; mapRatio: number; breakdown: string } {
  const { ceiling, summary, phases } = m;
  const wholeRate = (summary.records.delivered / summary.durationMs) * 1000;
  const mapMs = phases.byState.LoadChunks ?? 0;
  const mapRate = mapMs > 0 ? (summary.records.delivered / mapMs) * 1000 : 0;
  const ratio = wholeRate / ceiling.recordsPerSecond;
  const mapRatio = mapRate / ceiling.recordsPerSecond;
  const known = PHASES.reduce((sum, name) => sum + (phases.byState[name] ?? 0), 0);
  const share = (ms: number) => `${round(ms / 1000, 2)} s (${((ms / summary.durationMs) * 100).toFixed(1)}%)`;
  const outside = summary.durationMs - phases.executionMs;
  const breakdown = [
    ...PHASES.map((name) => `${name} ${share(phases.byState[name] ?? 0)}`),
    `other states ${share(phases.executionMs - known)}`,
    `outside the state machine (services start, staging the input in local S3, handler threads start, flush, output listing) ${share(outside)}`,
  ].join('; ');
  const n = fmt(summary.records.delivered);
  const rows = [
    [
      `local Firehose ceiling (${fmt(ceiling.calls)} ready-made requests)`,
      fmt(ceiling.records),
      round(ceiling.ms / 1000, 2),
      fmt(Math.round(ceiling.recordsPerSecond)),
      '1.00',
    ],
    [
      'whole workflow (runLocalJob)',
      n,
      round(summary.durationMs / 1000, 2),
      fmt(Math.round(wholeRate)),
      ratio.toFixed(2),
    ],
    [
      '  of which the Map state (LoadChunks)',
      n,
      round(mapMs / 1000, 2),
      fmt(Math.round(mapRate)),
      mapRatio.toFixed(2),
    ],
  ];
  return { rows, ratio, mapRatio, breakdown };
}

const dataOf = (m: Measured) => ({
  records: m.count,
  ceiling: { ...m.ceiling },
  run: {
    status: m.summary.status,
    durationMs: m.summary.durationMs,
    delivered: m.summary.records.delivered,
    input: m.summary.records.input,
    putRecordBatchCalls: m.summary.firehose.putRecordBatchCalls,
    streamCalls: m.counted.calls,
    minimumPutRecordBatchCalls: m.summary.firehose.minimumPutRecordBatchCalls,
    rounds: m.summary.plan.rounds,
    phasesMs: m.phases.byState,
    executionMs: m.phases.executionMs,
    outputMatchesInput: m.exact,
  },
  cpuSeconds: m.cpu,
});

const seconds = (value: number | null) => (value === null ? 'unknown' : `${round(value, 1)} s`);

/** Both sides keep both cores busy, so CPU seconds per PutRecordBatch call say what the loader adds. */
function cpuNote(m: Measured): string {
  const { ceiling, workflow } = m.cpu;
  const total = (cpu: CpuSeconds) => cpu.self + (cpu.children ?? 0);
  const perCall = (cpu: CpuSeconds, calls: number) => `${round((total(cpu) / calls) * 1000, 2)} ms`;
  const calls = m.counted.calls;
  return `CPU (this process, all threads / the local services process): ceiling ${seconds(ceiling.self)} / ${seconds(ceiling.children)}, ${perCall(ceiling, m.ceiling.calls)} per PutRecordBatch call; whole workflow ${seconds(workflow.self)} / ${seconds(workflow.children)}, ${perCall(workflow, calls)} per Firehose call (calls as the stream saw them). The services process is sampled every 0.2 s from /proc, so its last moments may be missed.`;
}

// Over 60 lines on purpose: one benchmark section read top to bottom (set up, measure, report table).
export async function throughput(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const count = ctx.quick ? 100_000 : 1_000_000;
  const targets: Target[] = [];
  const notes: string[] = [];
  let measured: Measured;
  let failure: string | undefined;
  try {
    measured = await measureAt(ctx, count);
    targets.push(target(`${fmt(count)}-record run completes`, 1, '>=', 1));
  } catch (error) {
    failure = describeError(error);
    ctx.log(
      `  the ${fmt(count)}-record run failed: ${failure}; measuring ${fmt(FALLBACK_RECORDS)} records instead`,
    );
    targets.push(target(`${fmt(count)}-record run completes`, 0, '>=', 1));
    notes.push(
      `**The ${fmt(count)}-record run failed**: ${failure}. The figures below are from a second, ${fmt(FALLBACK_RECORDS)}-record run (ceiling re-measured at that size), so there is still a ratio.`,
    );
    measured = await measureAt(ctx, FALLBACK_RECORDS);
  }
  const { rows, ratio, mapRatio, breakdown } = rowsOf(measured);
  const s = measured.summary;
  targets.push(
    // A regression floor, not a goal: the earlier 0.5 target is withdrawn (issue 12). On this 2-core
    // machine the ratio is bound by CPU, and on AWS the stream's quota decides the speed.
    target(
      `workflow records/s ÷ ceiling records/s (${fmt(measured.count)} records), regression floor`,
      round(ratio),
      '>=',
      THROUGHPUT_FLOOR,
    ),
    target(
      'delivered = input, output lines = input lines (multiset)',
      measured.exact && s.records.delivered === s.records.input ? 1 : 0,
      '>=',
      1,
    ),
  );
  notes.push(
    `Both at concurrency ${CONCURRENCY}, on local services with quotas of ${fmt(UNTHROTTLED.recordsPerSecond)} records/s, ${fmt(UNTHROTTLED.requestsPerSecond)} requests/s and ${fmt(UNTHROTTLED.bytesPerSecond)} bytes/s (no throttling); the ceiling sends the same records, pre-built into 500-record PutRecordBatch requests, from the same process. The workflow rate is delivered records over runLocalJob's whole duration; the Map-only ratio is ${mapRatio.toFixed(2)}.`,
    `Where the run's ${round(s.durationMs / 1000, 2)} s go (events.jsonl): ${breakdown}.`,
    cpuNote(measured),
    `Run ${s.status}: ${fmt(s.records.delivered)} delivered of ${fmt(s.records.input)}, ${callsCell(measured.counted)} Firehose calls as the stream saw them (minimum ${fmt(s.firehose.minimumPutRecordBatchCalls)}), ${s.plan.rounds} round(s); output lines ${measured.exact ? 'match' : 'DO NOT match'} the input lines (multiset digest ${measured.digests.output} vs ${measured.digests.input}).`,
  );
  return {
    id: 'throughput',
    title: `Throughput: ${fmt(measured.count)} records through the whole workflow vs. the local Firehose ceiling`,
    headers: ['measurement', 'records', 'seconds', 'records/s', 'ratio to ceiling'],
    rows,
    targets,
    notes,
    data: {
      requestedRecords: count,
      concurrency: CONCURRENCY,
      failure: failure ?? null,
      ...dataOf(measured),
      ratio: round(ratio),
      mapRatio: round(mapRatio),
    },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
