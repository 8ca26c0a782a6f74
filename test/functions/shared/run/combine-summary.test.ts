import { failureLine } from '../../../../bin/commands/failure-line';
import type { RunSummary } from '../../../../functions/shared/run';
import { buildSummary, combineRerun } from '../../../../functions/shared/run';

/** A summary with only the numbers these tests read. */
function summary(
  runId: string,
  over: {
    delivered: number;
    deadLettered: number;
    input?: number;
    calls: number;
    ms: number;
    verdict?: string;
  },
): RunSummary {
  const base = buildSummary({
    runId,
    status: over.deadLettered ? 'FAILED' : 'SUCCEEDED',
    streamName: 's',
    outputFiles: [`/out/${runId}`],
    outputBytes: over.delivered * 10,
    deadLetterFiles: over.deadLettered ? [`/dl/${runId}`] : [],
    deadLetterManifest: null,
    rejectsFile: null,
    runDir: `/data/runs/${runId}`,
    durationMs: over.ms,
  });
  return {
    ...base,
    ...(over.deadLettered
      ? { error: { name: 'RecordsDeadLettered', message: `${over.deadLettered} records …` } }
      : {}),
    records: {
      ...base.records,
      input: over.input ?? over.delivered + over.deadLettered,
      delivered: over.delivered,
      deadLettered: over.deadLettered,
    },
    firehose: { ...base.firehose, putRecordBatchCalls: over.calls, payloadBytes: 1_000 },
    plan: { ...base.plan, rounds: 1 },
    metrics: {
      incomingRecords: over.delivered,
      incomingBytes: over.delivered * 10,
      verdict: over.verdict ?? 'confirmed',
    },
  };
}

describe('the summary of a load after rerun-failed', () => {
  it('is true for the whole load after two reruns, with each execution as a part', () => {
    const first = summary('run-a', { delivered: 70, deadLettered: 30, calls: 5, ms: 1_000 });
    const afterOne = combineRerun(
      first,
      summary('run-b', { delivered: 20, deadLettered: 10, calls: 2, ms: 500, verdict: 'lagging' }),
    );
    const afterTwo = combineRerun(
      afterOne,
      summary('run-c', { delivered: 10, deadLettered: 0, calls: 1, ms: 250 }),
    );

    expect(afterOne.status).toBe('FAILED');
    expect(afterTwo.status).toBe('SUCCEEDED');
    expect(afterTwo.error).toBeUndefined();
    expect(afterTwo.runId).toBe('run-a');
    expect(afterTwo.records).toMatchObject({ input: 100, delivered: 100, deadLettered: 0, rejected: 0 });
    expect(afterTwo.firehose.putRecordBatchCalls).toBe(8);
    expect(afterTwo.firehose.payloadBytes).toBe(1_000);
    expect(afterTwo.metrics).toEqual({ incomingRecords: 100, incomingBytes: 1_000, verdict: 'lagging' });
    expect(afterTwo.plan.rounds).toBe(3);
    expect(afterTwo.durationMs).toBe(1_750);
    expect(afterTwo.output.files).toEqual(['/out/run-a', '/out/run-b', '/out/run-c']);
    expect(afterTwo.deadLetter.files).toEqual([]);
    expect(afterTwo.reruns).toEqual(['run-b', 'run-c']);
    expect(afterTwo.executions?.map((p) => [p.runId, p.role, p.records.delivered, p.durationMs])).toEqual([
      ['run-a', 'run', 70, 1_000],
      ['run-b', 'rerun', 20, 500],
      ['run-c', 'rerun', 10, 250],
    ]);
  });

  it('gives a dead-lettered run one line with the rerun command, --data-dir only when not the default', () => {
    const failed = summary('run-a', { delivered: 70, deadLettered: 30, calls: 5, ms: 1_000 });
    expect(failureLine(failed, '/data')).toBe(
      '30 records were not delivered after every re-queue round (dead letters); send them again with: ' +
        'npm run cli -- rerun-failed run-a',
    );
    expect(failureLine(failed, '.local')).toMatch(/rerun-failed run-a --data-dir \/data$/);
  });
});
