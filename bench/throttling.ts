import { join } from 'node:path';
import { runLocalJob } from '../local/runner/run-job';
import { mockFile } from './data';
import { phaseTimes } from './events';
import { callsCell, STREAM_CALLS_NOTE, streamCalls } from './stream-calls';
import { type BenchContext, type SectionResult, target } from './types';
import { fmt, linesOf, round } from './util';

const QUOTA_RECORDS_PER_SECOND = 5_000;
const CONCURRENCY = 40;

// Over 60 lines on purpose: one benchmark section read top to bottom (set up, measure, report table).
export async function throttling(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const count = ctx.quick ? 20_000 : 50_000;
  const file = await mockFile(ctx, count, 'jsonl');
  ctx.log(
    `  runLocalJob over ${fmt(count)} records, quota ${fmt(QUOTA_RECORDS_PER_SECOND)} records/s (real timers)`,
  );
  const pacedStart = Date.now();
  const summary = await runLocalJob({
    dataDir: join(ctx.tmp, 'throttling'),
    inputFile: file,
    format: 'jsonl',
    maxConcurrency: CONCURRENCY,
    // Only the records quota is lowered; requests and bytes keep the local defaults (2,000/s, 5 MiB/s).
    quotas: { recordsPerSecond: QUOTA_RECORDS_PER_SECOND },
    fastTimers: false,
    progress: { write: () => undefined, interactive: false },
  });
  const phases = await phaseTimes(summary.runDir);
  const counted = await streamCalls(join(ctx.tmp, 'throttling'), summary, { fromMs: pacedStart });
  ctx.log('  again without telling PutBatch the quota (retries alone)');
  const unpacedStart = Date.now();
  const unpaced = await runLocalJob({
    dataDir: join(ctx.tmp, 'throttling-unpaced'),
    inputFile: file,
    format: 'jsonl',
    maxConcurrency: CONCURRENCY,
    quotas: { recordsPerSecond: QUOTA_RECORDS_PER_SECOND },
    paceToQuota: false,
    fastTimers: false,
    progress: { write: () => undefined, interactive: false },
  });
  const unpacedWindow = (await phaseTimes(unpaced.runDir)).loadWindowMs;
  const unpacedRate = unpacedWindow > 0 ? (unpaced.records.delivered / unpacedWindow) * 1000 : 0;
  const unpacedCounted = await streamCalls(join(ctx.tmp, 'throttling-unpaced'), unpaced, {
    fromMs: unpacedStart,
  });
  const unpacedCalls = unpacedCounted.calls;
  const expected = await linesOf([file]);
  const delivered = await linesOf(summary.output.files);
  const exact = expected.digest === delivered.digest;
  const lossless =
    exact && summary.records.delivered === summary.records.input && summary.records.input === count;

  const window = phases.loadWindowMs;
  const rate = window > 0 ? (summary.records.delivered / window) * 1000 : 0;
  // The token bucket starts full (one second of quota), which a short run gets for free.
  const steadyRate =
    window > 0 ? (Math.max(0, summary.records.delivered - QUOTA_RECORDS_PER_SECOND) / window) * 1000 : 0;
  const f = summary.firehose;
  const callsSent = counted.calls;
  const callsNeeded = f.minimumPutRecordBatchCalls;
  const waits = phases.byState.WaitBeforeRequeue ?? 0;
  const rows = [
    ['records delivered / input', `${fmt(summary.records.delivered)} / ${fmt(summary.records.input)}`],
    ['loading window (first LoadChunks* entered to last exited)', `${round(window / 1000, 2)} s`],
    [
      'achieved rate',
      `${fmt(Math.round(rate))} records/s = ${(rate / QUOTA_RECORDS_PER_SECOND).toFixed(2)} × quota`,
    ],
    [
      'achieved rate without the initial 1 s burst',
      `${fmt(Math.round(steadyRate))} records/s = ${(steadyRate / QUOTA_RECORDS_PER_SECOND).toFixed(2)} × quota`,
    ],
    [
      'PutRecordBatch calls sent (as the stream saw them) / needed (plan minimum)',
      `${callsCell(counted)} / ${fmt(callsNeeded)} = ${(callsSent / callsNeeded).toFixed(2)}`,
    ],
    [
      'throttled entries / refused calls / attempts',
      `${fmt(f.throttledEntries)} / ${fmt(f.refusedRequests)} / ${fmt(f.attempts)}`,
    ],
    ['rounds (re-queue waits)', `${summary.plan.rounds} (${round(waits / 1000, 1)} s waiting)`],
    ['whole run', `${round(summary.durationMs / 1000, 1)} s, ${summary.status}`],
    [
      'without the quota stated (retries alone): rate, calls sent / needed',
      `${(unpacedRate / QUOTA_RECORDS_PER_SECOND).toFixed(2)} × quota, ${callsCell(unpacedCounted)} / ${fmt(unpaced.firehose.minimumPutRecordBatchCalls)} = ${(unpacedCalls / unpaced.firehose.minimumPutRecordBatchCalls).toFixed(2)}, ${unpaced.plan.rounds} round(s), ${fmt(unpaced.records.delivered)} delivered, ${unpaced.status}`,
    ],
  ];
  return {
    id: 'throttling',
    title: `Throttling: ${fmt(count)} records against a ${fmt(QUOTA_RECORDS_PER_SECOND)} records/s quota`,
    headers: ['measurement', 'value'],
    rows,
    targets: [
      target('achieved rate ÷ quota', round(rate / QUOTA_RECORDS_PER_SECOND), '>=', 0.9),
      target('calls sent ÷ calls needed', round(callsSent / callsNeeded), '<=', 1.3),
      target(
        'nothing lost: delivered = input, output lines = input lines exactly once',
        lossless ? 1 : 0,
        '>=',
        1,
      ),
    ],
    notes: [
      `Real timers (fastTimers false), concurrency ${CONCURRENCY}, default retry policy. Nothing is stated to the job: Plan finds the local stream's quota in the local CloudWatch and each Map item waits its turn in the round's schedule before sending; the last row is a second run with pacing switched off (paceToQuota false, PACE_TO_QUOTA=false), where only the retries (a throttled attempt waits for the next one-second window) deal with the quota. The rate is delivered records over the loading window, re-queue waits included; the token bucket starts with one second of quota, so the burst-free figure is shown too. Output check: multiset digest of the delivered lines ${delivered.digest} vs the input's ${expected.digest} (${exact ? 'equal' : 'DIFFERENT'}).`,
      STREAM_CALLS_NOTE,
    ],
    data: {
      records: count,
      quotaRecordsPerSecond: QUOTA_RECORDS_PER_SECOND,
      concurrency: CONCURRENCY,
      status: summary.status,
      delivered: summary.records.delivered,
      deadLettered: summary.records.deadLettered,
      loadWindowMs: window,
      ratePerSecond: round(rate, 1),
      steadyRatePerSecond: round(steadyRate, 1),
      callsSent,
      summaryCalls: counted.summaryCalls,
      callsNeeded,
      throttledEntries: f.throttledEntries,
      refusedRequests: f.refusedRequests,
      attempts: f.attempts,
      rounds: summary.plan.rounds,
      requeueWaitMs: waits,
      durationMs: summary.durationMs,
      phasesMs: phases.byState,
      outputMatchesInput: exact,
      unpaced: {
        status: unpaced.status,
        delivered: unpaced.records.delivered,
        loadWindowMs: unpacedWindow,
        ratePerSecond: round(unpacedRate, 1),
        callsSent: unpacedCalls,
        summaryCalls: unpacedCounted.summaryCalls,
        callsNeeded: unpaced.firehose.minimumPutRecordBatchCalls,
        throttledEntries: unpaced.firehose.throttledEntries,
        refusedRequests: unpaced.firehose.refusedRequests,
        rounds: unpaced.plan.rounds,
      },
    },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
