import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type LambdaHandler, localDefinitionRefs } from '../local/runner/local-lambdas';
import { LOCAL_RESOURCE_NAMES } from '../local/runner/local-resources';
import { type LocalJobOptions, runLocalJob } from '../local/runner/run-job';
import { phaseTimes } from './events';
import { bindingLimit, cases, MiB, type QuotaCase, quotaCaseIds, UNTHROTTLED } from './quota-cases';
import { outputLines, startSecondWriter } from './quota-data';
import { type PlotPanel, rateSvg } from './quota-plot';
import { type RateSeries, readRateSeries } from './quota-series';
import { RESULTS_DIR } from './report';
import { callsCell, STREAM_CALLS_NOTE, type StreamCalls, streamCalls } from './stream-calls';
import { type BenchContext, type Cell, type SectionResult, type Target, target } from './types';
import { fmt, linesOf, round } from './util';

interface CaseResult {
  c: QuotaCase;
  series: RateSeries;
  row: Cell[];
  targets: Target[];
  data: Record<string, number | string | boolean>;
}

const ARNS = localDefinitionRefs(LOCAL_RESOURCE_NAMES);

/** Starts the second writer as Plan starts, and reads the per-second series as CheckMetrics starts. */
function observe(c: QuotaCase, started: number) {
  let series: RateSeries | undefined;
  let writer: ReturnType<typeof startSecondWriter> | undefined;
  let writerTotals: Awaited<ReturnType<ReturnType<typeof startSecondWriter>['stop']>> | undefined;
  const wrapHandler: LocalJobOptions['wrapHandler'] = (arn, handler): LambdaHandler => {
    if (arn === ARNS.planFunctionArn && c.secondWriter) {
      return async (event) => {
        writer ??= startSecondWriter(LOCAL_RESOURCE_NAMES.streamName, c.secondWriter as number);
        return handler(event);
      };
    }
    if (arn !== ARNS.checkMetricsFunctionArn) return handler;
    return async (event) => {
      writerTotals ??= await writer?.stop();
      series ??= await readRateSeries(LOCAL_RESOURCE_NAMES.streamName, started, Date.now());
      return handler(event);
    };
  };
  return {
    wrapHandler,
    series: () => series,
    /** The writer's totals; stops it first if the run ended before CheckMetrics started. */
    writer: async () => {
      writerTotals ??= await writer?.stop();
      return writerTotals;
    },
  };
}

/** Runs one case and measures it against its quota. */
async function runCase(ctx: BenchContext, c: QuotaCase): Promise<CaseResult> {
  const file = await c.input(ctx);
  ctx.log(
    `  ${c.id}: runLocalJob, local stream quota ${JSON.stringify(c.quotas)}, nothing stated to the job`,
  );
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const watch = observe(c, started);
  const dataDir = join(ctx.tmp, `quota-${c.id}`);
  const summary = await runLocalJob({
    dataDir,
    inputFile: file,
    format: 'jsonl',
    quotas: c.quotas,
    ...(c.individualRecords ? { individualRecords: c.individualRecords } : {}),
    ...(c.maxConcurrency ? { maxConcurrency: c.maxConcurrency } : {}),
    fastTimers: false,
    wrapHandler: watch.wrapHandler,
    progress: { write: () => undefined, interactive: false },
  });
  const load = `${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
  const phases = await phaseTimes(summary.runDir);
  const f = summary.firehose;
  const writer = await watch.writer();
  // The stream's count, the second writer's requests taken out (its client makes one request a send).
  const counted = await streamCalls(dataDir, summary, { fromMs: started, otherWriterCalls: writer?.calls });
  const bytesLimit = c.quotas.bytesPerSecond - (c.secondWriter ?? 0);
  const individual = summary.plan.individualChunks > 0;
  const minimumCalls = individual ? summary.records.input : f.minimumPutRecordBatchCalls;
  const calls = counted.calls;
  const boundSeconds = Math.max(
    f.payloadBytes / bytesLimit,
    f.acceptedFirehoseRecords / c.quotas.recordsPerSecond,
    minimumCalls / c.quotas.requestsPerSecond,
  );
  const jobSeconds = phases.loadWindowMs / 1000;
  const startupSeconds = (summary.durationMs - phases.loadWindowMs) / 1000;
  const expected = await linesOf([file]);
  const { job, writerLines } = await outputLines(summary.output.files);
  const lossless =
    job.digest === expected.digest &&
    summary.records.delivered === summary.records.input &&
    summary.status === 'SUCCEEDED';
  const series = watch.series() ?? { seconds: [], bytes: [], records: [], requests: [], throttled: [] };
  const m = {
    summary,
    calls,
    counted,
    minimumCalls,
    boundSeconds,
    jobSeconds,
    startupSeconds,
    lossless,
    load,
  };
  const writerData: Record<string, number> = writer
    ? {
        secondWriterCalls: writer.calls,
        secondWriterAcceptedBytes: writer.acceptedBytes,
        secondWriterThrottledEntries: writer.throttled,
        secondWriterUnsent: writer.unsent,
        secondWriterLinesDelivered: writerLines,
      }
    : {};
  const figures = caseFigures(c, m);
  const outputMatchesInput = job.digest === expected.digest;
  return { ...figures, c, series, data: { ...figures.data, outputMatchesInput, ...writerData } };
}

interface Measured {
  summary: Awaited<ReturnType<typeof runLocalJob>>;
  /** As the stream saw them (stream-calls.ts); the target uses these. */
  calls: number;
  counted: StreamCalls;
  minimumCalls: number;
  boundSeconds: number;
  jobSeconds: number;
  startupSeconds: number;
  lossless: boolean;
  load: string;
}

/** A case's targets, its table row and its raw figures. */
function caseFigures(c: QuotaCase, m: Measured): Pick<CaseResult, 'row' | 'targets' | 'data'> {
  const { summary, calls, minimumCalls, boundSeconds, jobSeconds, lossless } = m;
  const f = summary.firehose;
  const timeRatio = jobSeconds / boundSeconds;
  const callRatio = calls / minimumCalls;
  const throttledShare = f.throttledEntries / Math.max(1, summary.records.input);
  const targets = [
    target(`${c.id}: job time ÷ quota-bound time`, round(timeRatio), '<=', 1.1),
    target(`${c.id}: calls ÷ minimum`, round(callRatio), '<=', 1.05),
    target(`${c.id}: throttled entries ÷ records`, round(throttledShare, 4), '<=', 0.01),
    target(
      `${c.id}: nothing lost (delivered = input, output lines = input lines)`,
      lossless ? 1 : 0,
      '>=',
      1,
    ),
  ];
  const row: Cell[] = [
    c.title,
    fmt(summary.records.input),
    round(boundSeconds, 1),
    round(jobSeconds, 1),
    round(timeRatio, 3),
    round(m.startupSeconds, 1),
    `${callsCell(m.counted)} / ${fmt(minimumCalls)} = ${round(callRatio, 3)}`,
    `${fmt(f.throttledEntries)} (${(throttledShare * 100).toFixed(2)}%)`,
    summary.plan.rounds,
    lossless ? 'yes' : 'NO',
    m.load,
  ];
  const data = {
    records: summary.records.input,
    delivered: summary.records.delivered,
    status: summary.status,
    payloadBytes: f.payloadBytes,
    quotaBoundSeconds: round(boundSeconds, 2),
    jobSeconds: round(jobSeconds, 2),
    startupSeconds: round(m.startupSeconds, 2),
    wholeRunSeconds: round(summary.durationMs / 1000, 2),
    calls,
    summaryCalls: m.counted.summaryCalls,
    minimumCalls,
    refusedRequests: f.refusedRequests,
    throttledEntries: f.throttledEntries,
    rounds: summary.plan.rounds,
    loadAverage: m.load,
  };
  return { row, targets, data };
}

/** What this machine pushes with no quota at all, on the bytes-bound input: shows the quota binds. */
async function unthrottled(ctx: BenchContext, file: string) {
  const loadBefore = loadavg()[0];
  const summary = await runLocalJob({
    dataDir: join(ctx.tmp, 'quota-unthrottled'),
    inputFile: file,
    format: 'jsonl',
    quotas: UNTHROTTLED,
    fastTimers: false,
    progress: { write: () => undefined, interactive: false },
  });
  const window = (await phaseTimes(summary.runDir)).loadWindowMs / 1000;
  const load = `${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
  return { mibPerSecond: summary.firehose.payloadBytes / MiB / window, seconds: window, load };
}

/** Whether the machine, as loaded in this run, could go clearly faster than a 5 MiB/s quota. */
function referenceNote(reference: Awaited<ReturnType<typeof unthrottled>>): string {
  const pushed = `Without a quota this machine pushed the 5 MiB/s case's input at ${round(reference.mibPerSecond, 2)} MiB/s (loading window ${round(reference.seconds, 1)} s, 1-min load average ${reference.load} on 2 cores)`;
  return reference.mibPerSecond >= 5 * 1.1
    ? `${pushed}, so the 5 MiB/s quota, not the CPU, sets the pace.`
    : `${pushed}: not clearly above 5 MiB/s, so in this run the 5 MiB/s cases (bytes-5mib, irregular, shared) are bound by the loaded machine as much as by the quota, and their time ratios say little about pacing.`;
}

function panelOf(r: CaseResult): PlotPanel {
  const { series, c } = r;
  const limit = bindingLimit(c);
  const values = series[c.binds];
  const first = series.seconds[0] ?? 0;
  return {
    title: `${c.title}: ${c.binds}/s ÷ quota${c.secondWriter ? ' (both writers)' : ''}`,
    points: series.seconds.map((s, i) => ({ t: s - first, ratio: (values[i] ?? 0) / limit })),
    marks: [
      { at: 1, label: 'quota' },
      ...(c.secondWriter
        ? [{ at: 1 - c.secondWriter / c.quotas.bytesPerSecond, label: "the job's half" }]
        : []),
    ],
  };
}

export const QUOTA_PLOT = 'quota-rates.svg';

export async function quota(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const results: CaseResult[] = [];
  const chosen = cases(ctx.quick).filter((c) => !ctx.caseId || c.id === ctx.caseId);
  if (chosen.length === 0)
    throw new Error(`no quota case ${ctx.caseId}; cases: ${quotaCaseIds().join(', ')}`);
  for (const c of chosen) results.push(await runCase(ctx, c));
  const notes: string[] = [];
  let reference: Awaited<ReturnType<typeof unthrottled>> | undefined;
  if (!ctx.quick && !ctx.caseId) {
    ctx.log('  the bytes-bound input again with no quota: what this machine pushes');
    reference = await unthrottled(ctx, await cases(false)[0].input(ctx));
    notes.push(referenceNote(reference));
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(
    join(RESULTS_DIR, QUOTA_PLOT),
    rateSvg('Achieved rate ÷ quota, per second (local CloudWatch, 1-second sums)', results.map(panelOf)),
  );
  notes.push(
    "Nothing is stated to the job: runLocalJob sets only the local stream's quota, Plan reads it from the local CloudWatch (BytesPerSecondLimit, RecordsPerSecondLimit, PutRequestsPerSecondLimit) and every chunk waits its turn in a schedule built from its own bytes, records and calls; the children share an AIMD rate. Job time is the loading window (first LoadChunks state entered to the last one left, re-queue rounds included); start-up (services, staging, Plan) and the metrics check are the rest of the whole run, shown separately. The quota-bound time is max(payload bytes ÷ bytes quota, records ÷ records quota, minimum calls ÷ requests quota); in the shared case the bytes quota is the half the second writer leaves.",
    `${STREAM_CALLS_NOTE} In the shared case the second writer's requests (it counts them; its SDK retries are off, so each is one request) are taken out of the stream's count. The minimum is the plan's fewest PutRecordBatch calls (one PutRecord per record in the requests-bound case).`,
    `Plot: [bench/results/${QUOTA_PLOT}](bench/results/${QUOTA_PLOT}) (per-second IncomingBytes/IncomingRecords/IncomingPutRequests from the local CloudWatch, ÷ the binding quota).`,
  );
  return {
    id: 'quota',
    title: 'Quota: full speed at whatever quota the stream has, with nothing configured',
    headers: [
      'case',
      'records',
      'quota-bound s',
      'job s',
      'job ÷ bound',
      'start-up + check s',
      'calls (as the stream saw them) / minimum',
      'throttled entries',
      'rounds',
      'nothing lost',
      'load (1-min avg)',
    ],
    rows: results.map((r) => r.row),
    targets: results.flatMap((r) => r.targets),
    notes,
    data: {
      cases: Object.fromEntries(results.map((r) => [r.c.id, r.data])),
      ...(reference ? { unthrottledMiBPerSecond: round(reference.mibPerSecond, 2) } : {}),
    },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
