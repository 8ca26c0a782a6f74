import { buildSummary, formatSummary } from '../../../../functions/shared/run';
import { emptyTotals, type RunState } from '../../../../functions/shared/run-state';

const state = {
  plan: {
    records: 95,
    rejected: 5,
    chunks: 2,
    batchChunks: 1,
    individualChunks: 1,
    payloadBytes: 1_000,
    billedBytes: 512_000,
    billedBytesUnpacked: 512_000,
    billedBytesPacked: 5_120,
    minimumBatchCalls: 1,
  },
  round: { number: 1 },
  totals: { ...emptyTotals(), delivered: 90, deadLettered: 5, putRecordBatchCalls: 2 },
  metrics: { verdict: 'confirmed', incomingRecords: 90, incomingBytes: 900 },
} as unknown as RunState;

const inputs = {
  runId: 'run-1',
  status: 'FAILED' as const,
  streamName: 'stream',
  outputFiles: ['/out/a'],
  outputBytes: 900,
  deadLetterFiles: ['/dl/records.jsonl'],
  deadLetterManifest: '/dl/manifest.jsonl',
  rejectsFile: '/rejects.jsonl',
  runDir: '/runs/run-1',
  durationMs: 1_500,
};

describe('the run summary', () => {
  it('counts input as good records plus rejects, so input = delivered + dead-lettered + rejected', () => {
    const summary = buildSummary({ ...inputs, state });
    expect(summary.records).toEqual({
      input: 100,
      delivered: 90,
      deadLettered: 5,
      rejected: 5,
      pending: 0,
      requeued: 0,
      possibleDuplicates: 0,
    });
    expect(summary.plan.rounds).toBe(2);
    expect(summary.metrics).toEqual({ incomingRecords: 90, incomingBytes: 900, verdict: 'confirmed' });
  });

  it("reports CloudWatch's figures less what the job's other runs had accepted in the same minutes, and says so", () => {
    // A rerun started a minute after the run: the window also holds the run's 30 records (300 bytes).
    const shared = {
      ...state,
      metrics: {
        ...state.metrics,
        incomingRecords: 120,
        incomingBytes: 1_200,
        otherRunsRecords: 30,
        otherRunsBytes: 300,
      },
    } as RunState;
    const summary = buildSummary({ ...inputs, state: shared });
    expect(summary.metrics).toEqual({
      incomingRecords: 90,
      incomingBytes: 900,
      verdict: 'confirmed',
      otherRunsRecords: 30,
    });
    expect(formatSummary(summary)).toMatch(
      /^CloudWatch +90 records, 900 bytes: confirmed \(besides 30 of this job's other runs in the same minutes\)$/m,
    );
    expect(formatSummary(buildSummary({ ...inputs, state }))).toMatch(
      /^CloudWatch +90 records, 900 bytes: confirmed$/m,
    );
  });

  it('is all zeros with the error when the run failed before planning', () => {
    const summary = buildSummary({ ...inputs, error: { name: 'InvalidInputError', message: 'bad' } });
    expect(summary.records).toEqual({
      input: 0,
      delivered: 0,
      deadLettered: 0,
      rejected: 0,
      pending: 0,
      requeued: 0,
      possibleDuplicates: 0,
    });
    expect(summary.metrics.verdict).toBe('not checked');
    expect(summary.error).toEqual({ name: 'InvalidInputError', message: 'bad' });
  });

  it('prints a table a person can read, with what packing saves', () => {
    const text = formatSummary(buildSummary({ ...inputs, state }));
    expect(text).toContain('100 in = 90 delivered + 5 dead-lettered + 5 rejected');
    expect(text).toContain('packing saves 99.0%');
    expect(text).toContain('/dl/records.jsonl');
    expect(text).toMatch(/possible duplicates +0$/m);
  });

  it('reports the records that may have been delivered twice, outside the input sum', () => {
    const duplicated = { ...state, totals: { ...state.totals, possibleDuplicateRecords: 12 } } as RunState;
    const summary = buildSummary({ ...inputs, state: duplicated });
    expect(summary.records).toMatchObject({ input: 100, delivered: 90, possibleDuplicates: 12 });
    expect(formatSummary(summary)).toContain('12 records may be delivered twice');
  });

  it('counts what a stopped run has yet to deliver as pending, and says how to resume it', () => {
    const stopped = { ...state, totals: { ...emptyTotals(), delivered: 40 } } as unknown as RunState;
    const summary = buildSummary({ ...inputs, status: 'INTERRUPTED', state: stopped });
    expect(summary.records).toMatchObject({
      input: 100,
      delivered: 40,
      deadLettered: 0,
      rejected: 5,
      pending: 55,
    });
    const text = formatSummary(summary);
    expect(text).toContain('100 in = 40 delivered + 0 dead-lettered + 5 rejected + 55 pending');
    expect(text).toContain('npx firehose-loader resume run-1 --data-dir /');
  });

  it('counts as delivered only what reached the disk: the rest is pending', () => {
    const summary = buildSummary({ ...inputs, state, notOnDisk: 30 });
    expect(summary.records).toMatchObject({
      input: 100,
      delivered: 60,
      deadLettered: 5,
      rejected: 5,
      pending: 30,
    });
  });

  it('lists the earlier parts of a resumed run', () => {
    const parts = [{ status: 'KILLED' as const, durationMs: null }];
    const text = formatSummary(buildSummary({ ...inputs, state, parts }));
    expect(text).toMatch(/^resumed after +KILLED$/m);
  });
});
