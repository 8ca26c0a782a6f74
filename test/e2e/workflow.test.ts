import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { graphCommand } from '../../bin/commands/graph';
import type { LambdaHandler } from '../../local/runner/local-lambdas';
import { rerunFailed } from '../../local/runner/rerun-failed';
import { runLocalJob } from '../../local/runner/run-job';
import { expectAddsUp, expectedLines, linesOf, mockFile, tempDataDir } from './helpers';

const quiet = { write: () => undefined, interactive: false };
// Small budgets keep fault scenarios fast; the state machine's own retries run on fast timers.
const fastRetry = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 3_000 };

describe('the whole workflow, run locally on the real definition and handlers', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(async () => {
    await data.cleanup();
  });

  it('runs the scenario: 2,550 records, the first 100 by PutRecord, S3 output equal to the input records', async () => {
    const input = await mockFile(data.dir, 2_550, 'json');
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      individualRecords: 100,
      progress: quiet,
    });

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records).toEqual({
      input: 2_550,
      delivered: 2_550,
      deadLettered: 0,
      rejected: 0,
      pending: 0,
      requeued: 0,
      possibleDuplicates: 0,
    });
    expect(summary.firehose.putRecordCalls).toBe(100);
    expect(summary.firehose.putRecordBatchCalls).toBe(summary.firehose.minimumPutRecordBatchCalls);
    expect(summary.firehose.putRecordBatchCalls).toBe(Math.ceil(2_450 / 500));
    expect(summary.metrics).toEqual(
      expect.objectContaining({
        verdict: 'confirmed',
        incomingRecords: 2_550,
        incomingBytes: summary.firehose.payloadBytes,
      }),
    );
    const output = await linesOf(summary.output.files);
    expect(output).toEqual(await expectedLines(input));
    for (const line of output) expect(() => JSON.parse(line)).not.toThrow();
    // AdvanceRound found every chunk's outcome in the Map's result files, none by its own GET.
    const log = await readFile(join(summary.runDir, 'functions.log.jsonl'), 'utf8');
    const rounds = log
      .split('\n')
      .filter((line) => line.includes('"round finished"'))
      .map(
        (line) => JSON.parse(line) as { chunks: number; fromMapResults: number; fromOutcomeObjects: number },
      );
    expect(rounds).toEqual([
      expect.objectContaining({ chunks: 6, fromMapResults: 6, fromOutcomeObjects: 0 }),
    ]);
  });

  it('delivers every record exactly once under heavy faults: 30% entry failures, request errors and a tight quota', async () => {
    const input = await mockFile(data.dir, 3_000, 'jsonl', 11);
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      faults: { entryFailureRate: 0.3, requestErrorRate: 0.1, seed: 3 },
      quotas: { recordsPerSecond: 4_000 },
      retry: fastRetry,
      requeueRounds: 5,
      maxConcurrency: 4,
      fastTimers: true,
      progress: quiet,
    });

    expect(summary.status).toBe('SUCCEEDED');
    expectAddsUp(summary);
    expect(summary.records.delivered).toBe(3_000);
    expect(summary.firehose.failedPutCount).toBeGreaterThan(0);
    expect(summary.firehose.putRecordBatchCalls).toBeGreaterThan(summary.firehose.minimumPutRecordBatchCalls);
    expect(await linesOf(summary.output.files)).toEqual(await expectedLines(input));
  });

  it('ends FAILED with dead letters when Firehose keeps failing, and rerun-failed then delivers them', async () => {
    const input = await mockFile(data.dir, 1_200, 'jsonl', 5);
    const failed = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      faults: { entryFailureRate: 1, seed: 9 },
      retry: { ...fastRetry, maxAttempts: 2, budgetMs: 200 },
      requeueRounds: 1,
      fastTimers: true,
      progress: quiet,
    });

    expect(failed.status).toBe('FAILED');
    expect(failed.error?.name).toBe('RecordsDeadLettered');
    expect(failed.error?.message).toContain(`npm run cli -- rerun-failed ${failed.runId} for a local run`);
    expect(failed.records).toEqual(
      expect.objectContaining({ input: 1_200, delivered: 0, deadLettered: 1_200 }),
    );
    expect(await linesOf(failed.deadLetter.files)).toEqual(await expectedLines(input));

    const { rerun, updated } = await rerunFailed(failed.runId, {
      dataDir: data.dir,
      fastTimers: true,
      progress: quiet,
    });
    expect(rerun?.status).toBe('SUCCEEDED');
    expect(updated.status).toBe('SUCCEEDED');
    expect(updated.records).toEqual(
      expect.objectContaining({ input: 1_200, delivered: 1_200, deadLettered: 0 }),
    );
    expectAddsUp(updated);
    expect(await linesOf(updated.output.files)).toEqual(await expectedLines(input));
    const saved = JSON.parse(await readFile(join(failed.runDir, 'summary.json'), 'utf8'));
    expect(saved.status).toBe('SUCCEEDED');
  });

  it('puts bad records in the rejects file with their reasons and delivers the good ones around them', async () => {
    const input = join(data.dir, 'mixed.jsonl');
    await writeFile(input, '{"a":1}\n{"b":\nnot json\n{"c":3}\n\n[1,2]\n');
    const summary = await runLocalJob({ dataDir: data.dir, inputFile: input, progress: quiet });

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records).toEqual(expect.objectContaining({ input: 5, delivered: 3, rejected: 2 }));
    expect(await linesOf(summary.output.files)).toEqual(['[1,2]', '{"a":1}', '{"c":3}']);
    const rejects = (await readFile(summary.rejects.file as string, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r: { line: number }) => r.line)).toEqual([2, 3]);
    for (const reject of rejects) expect(reject.reason).toEqual(expect.any(String));
  });

  it('refuses invalid execution input with a message that names the field', async () => {
    const input = await mockFile(data.dir, 10, 'jsonl');
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      rawExecutionInput: { maxConcurrency: 0 },
      progress: quiet,
    });
    expect(summary.status).toBe('FAILED');
    expect(summary.error).toEqual({
      name: 'InvalidInputError',
      message: expect.stringContaining('"maxConcurrency"'),
    });
  });

  it('draws the graph of a finished run with the states it went through', async () => {
    const input = await mockFile(data.dir, 50, 'jsonl');
    const summary = await runLocalJob({ dataDir: data.dir, inputFile: input, progress: quiet });
    const out = join(data.dir, 'graph.svg');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await graphCommand({ run: summary.runId, out, dataDir: data.dir });
    stderr.mockRestore();
    const svg = await readFile(out, 'utf8');
    expect(svg).toContain(summary.runId);
    expect(svg).toMatch(/data-state="PutBatch"[^>]*data-outcome="succeeded"/);
    expect(svg).toMatch(/data-state="WaitBeforeRequeue"[^>]*data-outcome="not-run"/);
  });
});

describe('a local run that stops in the middle of a round', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(async () => {
    await data.cleanup();
  });

  /** AdvanceRound fails with an error nothing retries, the way a step whose retries ran out does. */
  const crashAdvanceRound = (arn: string, handler: LambdaHandler): LambdaHandler =>
    arn.endsWith(':firehose-loader-advance-round')
      ? async () => {
          throw Object.assign(new Error('simulated failure after the retries'), { name: 'SimulatedCrash' });
        }
      : handler;

  it('totals the round it stopped in, dead-letters the rest, and rerun-failed then delivers them', async () => {
    const input = await mockFile(data.dir, 1_500, 'jsonl', 21);
    const stopped = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      faults: { entryFailureRate: 0.5, seed: 4 },
      retry: { ...fastRetry, maxAttempts: 1 },
      fastTimers: true,
      wrapHandler: crashAdvanceRound,
      progress: quiet,
    });

    expect(stopped.status).toBe('FAILED');
    expect(stopped.error?.name).toBe('SimulatedCrash');
    expect(stopped.salvaged).toBe(true);
    expectAddsUp(stopped);
    expect(stopped.records.deadLettered).toBeGreaterThan(0);
    const delivered = await linesOf(stopped.output.files);
    const dead = await linesOf(stopped.deadLetter.files);
    expect([...delivered, ...dead].sort()).toEqual(await expectedLines(input));

    const { updated } = await rerunFailed(stopped.runId, {
      dataDir: data.dir,
      fastTimers: true,
      progress: quiet,
    });
    expect(updated.records).toEqual(
      expect.objectContaining({ input: 1_500, delivered: 1_500, deadLettered: 0 }),
    );
    expect(await linesOf(updated.output.files)).toEqual(await expectedLines(input));
  });

  it('leaves the original summary as it was when the rerun itself cannot plan', async () => {
    const input = await mockFile(data.dir, 300, 'jsonl', 22);
    const failed = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      faults: { entryFailureRate: 1, seed: 2 },
      retry: { ...fastRetry, maxAttempts: 1, budgetMs: 100 },
      requeueRounds: 0,
      fastTimers: true,
      progress: quiet,
    });
    expect(failed.records.deadLettered).toBe(300);
    const crashPlan = (arn: string, handler: LambdaHandler): LambdaHandler =>
      arn.endsWith(':firehose-loader-plan')
        ? async () => {
            throw Object.assign(new Error('plan unavailable'), { name: 'SimulatedCrash' });
          }
        : handler;

    const { rerun, updated } = await rerunFailed(failed.runId, {
      dataDir: data.dir,
      fastTimers: true,
      progress: quiet,
      wrapHandler: crashPlan,
    });

    expect(rerun?.status).toBe('FAILED');
    expect(updated).toEqual(failed);
  });
});
