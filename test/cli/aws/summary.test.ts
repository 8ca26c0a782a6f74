import { summaryFromHistory } from '../../../bin/commands/aws/aws-summary';
import { lastRunState, lastStepState } from '../../../bin/commands/aws/history-state';
import { progressLine } from '../../../bin/commands/aws/progress';
import { failureOf, formatSummary } from '../../../functions/shared/run';
import {
  ARTIFACT_BUCKET,
  DEAD_LETTER,
  deadLetteredHistory,
  EXECUTION_ARN,
  REFUSAL_CAUSE,
  RUN_ID,
  refusedHistory,
  runState,
  STARTED,
  succeededHistory,
} from './fixtures';

const execution = (status: string, extra: { error?: string; cause?: string } = {}) => ({
  executionArn: EXECUTION_ARN,
  name: RUN_ID,
  status: status as 'SUCCEEDED',
  startDate: STARTED,
  stopDate: new Date(STARTED.getTime() + 95_000),
  ...extra,
});

describe('the run summary from an execution history', () => {
  it('takes the last state a Plan, AdvanceRound or CheckMetrics step output, skipping Plan output after a refusal', () => {
    expect(lastStepState(succeededHistory())?.step).toBe('Execution');
    expect(lastRunState(succeededHistory())?.metrics?.verdict).toBe('confirmed');
    expect(lastStepState(deadLetteredHistory().slice(0, -1))?.step).toBe('MetricsStillLagging');
    expect(lastRunState(refusedHistory())).toBeUndefined();
  });

  it('counts a run that re-queued into a second round exactly as a local run would', () => {
    const summary = summaryFromHistory({
      execution: execution('SUCCEEDED'),
      history: succeededHistory(),
      streamName: 'firehose-loader',
      artifactBucket: ARTIFACT_BUCKET,
      output: { files: ['s3://dest/records/2025/03/01/12/f-1'], bytes: 744_600 },
      now: STARTED,
    });
    expect(summary).toMatchObject({
      runId: RUN_ID,
      status: 'SUCCEEDED',
      records: { input: 2550, delivered: 2550, deadLettered: 0, rejected: 0, requeued: 50 },
      firehose: { streamName: 'firehose-loader', putRecordCalls: 100, minimumPutRecordBatchCalls: 5 },
      plan: { chunks: 6, rounds: 2 },
      metrics: { incomingRecords: 2550, verdict: 'confirmed' },
      output: { files: ['s3://dest/records/2025/03/01/12/f-1'], bytes: 744_600 },
      rejects: { file: `s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/rejects.jsonl` },
      runDir: `s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/`,
      durationMs: 95_000,
    });
    expect(summary.error).toBeUndefined();
    expect(formatSummary(summary)).toContain('2,550 in = 2,550 delivered + 0 dead-lettered + 0 rejected');
  });

  it('gives a dead-lettered run the Fail cause as its error and finds the dead letters without the artifact bucket', () => {
    const summary = summaryFromHistory({
      execution: execution('FAILED', { error: 'RecordsDeadLettered', cause: DEAD_LETTER.message }),
      history: deadLetteredHistory(),
      streamName: 'firehose-loader',
      now: STARTED,
    });
    expect(summary.status).toBe('FAILED');
    expect(summary.error).toEqual({ name: 'RecordsDeadLettered', message: DEAD_LETTER.message });
    expect(summary.records).toMatchObject({ input: 2550, delivered: 2543, deadLettered: 7 });
    expect(summary.deadLetter).toEqual({
      files: [`s3://${ARTIFACT_BUCKET}/${DEAD_LETTER.recordsKey}`],
      manifest: `s3://${ARTIFACT_BUCKET}/${DEAD_LETTER.manifestKey}`,
    });
    expect(summary.metrics.verdict).toBe('lagging');
  });

  it("finds the dead letters from their location in the run state, whatever the Fail cause's wording", () => {
    const reworded = { ...DEAD_LETTER, message: 'some records were not delivered' };
    const summary = summaryFromHistory({
      execution: execution('FAILED', { error: 'RecordsDeadLettered', cause: reworded.message }),
      history: deadLetteredHistory(reworded),
      streamName: 'firehose-loader',
      now: STARTED,
    });
    expect(summary.deadLetter).toEqual({
      files: [`s3://${ARTIFACT_BUCKET}/${DEAD_LETTER.recordsKey}`],
      manifest: `s3://${ARTIFACT_BUCKET}/${DEAD_LETTER.manifestKey}`,
    });
    expect(summary.runDir).toBe(`s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/`);
  });

  it('points at the console when the artifact bucket is unknown, and keeps only the message of a Lambda error', () => {
    const summary = summaryFromHistory({
      execution: execution('FAILED', { error: 'InvalidInputError', cause: REFUSAL_CAUSE }),
      history: refusedHistory(),
      streamName: 's',
      now: STARTED,
    });
    expect(summary.runDir).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\//);
    expect(summary.error).toEqual({
      name: 'InvalidInputError',
      message: 'input field "format" must be one of auto, json, jsonl, lines, got "csv"',
    });
    expect(summary.records.input).toBe(0);
    expect(summary.plan.rounds).toBe(0);
  });

  it('names an execution that timed out or was aborted without an error', () => {
    const summary = (status: string) =>
      summaryFromHistory({ execution: execution(status), history: [], streamName: 's', now: STARTED }).error;
    expect(summary('TIMED_OUT')).toEqual({ name: 'TIMED_OUT', message: 'the execution timed out' });
    expect(summary('ABORTED')).toEqual({ name: 'ABORTED', message: 'the execution was aborted' });
  });

  it('keeps a Fail cause that is a sentence and a Lambda cause reduced to type and message', () => {
    expect(failureOf('RecordsDeadLettered', '7 records could not…')).toEqual({
      name: 'RecordsDeadLettered',
      message: '7 records could not…',
    });
    expect(
      failureOf('Lambda.Unknown', '{"errorType":"SourceChangedError","errorMessage":"etag differs"}'),
    ).toEqual({
      name: 'SourceChangedError',
      message: 'etag differs',
    });
  });
});

describe('progress while following', () => {
  const planned = { step: 'Plan', state: runState() };
  it('says planning, then the round with its Map Run counts, then the metrics check', () => {
    expect(progressLine({ mapRuns: 0 })).toBe('planning the source file…');
    expect(progressLine({ last: planned, mapRuns: 0 })).toBe(
      'round 0 starting: 6 chunks of 2,550 records; 0 of 2,550 records delivered',
    );
    expect(
      progressLine({
        last: planned,
        mapRuns: 1,
        latestMapRun: { succeeded: 3, failed: 1, running: 2, total: 6 },
      }),
    ).toBe('round 0: 4/6 chunks done (1 failed, 2 running); 0 of 2,550 records delivered before this round');
    const done = { step: 'AdvanceRound', state: runState({ next: 'done' }) };
    expect(progressLine({ last: done, mapRuns: 1 })).toBe(
      'checking CloudWatch metrics; 0 of 2,550 records delivered',
    );
  });

  it('tells a re-queue round that has not started its Map Run from the round before it', () => {
    const requeue = {
      step: 'AdvanceRound',
      state: runState({ number: 1, chunks: 1, records: 50, next: 'requeue' }),
    };
    const previous = { succeeded: 6, failed: 0, running: 0, total: 6 };
    expect(progressLine({ last: requeue, mapRuns: 1, latestMapRun: previous })).toMatch(
      /^round 1 starting: 1 chunks/,
    );
    expect(
      progressLine({
        last: requeue,
        mapRuns: 2,
        latestMapRun: { ...previous, total: 1, succeeded: 0, running: 1 },
      }),
    ).toMatch(/^round 1: 0\/1 chunks done/);
  });
});
