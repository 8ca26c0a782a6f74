import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineTail } from '../../../local/console/server/line-tail';
import { buildSummary } from '../../../local/console/server/local-runs';
import { RunWatch } from '../../../local/console/server/run-watch';
import { startedAtOf } from '../../../local/console/server/runs';

describe('following a run file as it grows', () => {
  test('a line is given once, when complete, and a character split across writes stays whole', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'tail-')), 'events.jsonl');
    const tail = new LineTail(file);
    expect(await tail.read()).toEqual([]);
    const euro = Buffer.from('€');
    await writeFile(file, Buffer.concat([Buffer.from('{"a":1}\n{"b":"'), euro.subarray(0, 1)]));
    expect(await tail.read()).toEqual(['{"a":1}']);
    await appendFile(file, Buffer.concat([euro.subarray(1), Buffer.from('"}\n')]));
    expect(await tail.read()).toEqual(['{"b":"€"}']);
    expect(await tail.read()).toEqual([]);
  });

  test("a run watch counts delivered and re-queued records from PutBatch's chunk put lines", async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'watch-'));
    const watch = new RunWatch('run-20260101-000000-test', runDir);
    await writeFile(
      join(runDir, 'events.jsonl'),
      `${JSON.stringify({ type: 'ExecutionStarted', timestamp: 1 })}\n`,
    );
    const chunkPut = { level: 'INFO', message: 'chunk put', timestamp: '2026-01-01T00:00:01Z' };
    await writeFile(
      join(runDir, 'functions.log.jsonl'),
      `${JSON.stringify({ ...chunkPut, delivered: 480, requeued: 20 })}\n${JSON.stringify({ ...chunkPut, delivered: 500, requeued: 0 })}\n`,
    );
    await watch.poll();
    expect(watch.facts(2, true).progress).toMatchObject({ delivered: 980, requeued: 20 });
  });

  test('a run watch keeps every event once across polls, skips a torn line and reads the summary', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'watch-'));
    const watch = new RunWatch('run-20260101-000000-test', runDir);
    const event = (type: string, name?: string) =>
      `${JSON.stringify({ type, timestamp: 1, ...(name ? { state: { name, type: 'Task', input: {} } } : {}) })}\n`;
    await writeFile(join(runDir, 'events.jsonl'), event('ExecutionStarted') + event('StateEntered', 'Plan'));
    await watch.poll();
    await appendFile(join(runDir, 'events.jsonl'), `{"type":"Sta\n${event('ExecutionSucceeded')}`);
    await Promise.all([watch.poll(), watch.poll()]);
    expect(watch.events.map((each) => each.type)).toEqual([
      'ExecutionStarted',
      'StateEntered',
      'ExecutionSucceeded',
    ]);
    expect(watch.facts(2, false)).toMatchObject({ ended: true, stats: { Plan: { entered: 1 } } });
    expect(watch.facts(2, false).summary).toBeUndefined();
    // A summary.json of something else (no records) is named, not shown; the runner's own is shown.
    await writeFile(join(runDir, 'summary.json'), JSON.stringify({ status: 'SUCCEEDED' }));
    await watch.poll();
    expect(watch.facts(2, false)).toMatchObject({ summaryProblem: 'summary.json has no records field' });
    expect(watch.facts(2, false).summary).toBeUndefined();
    const summary = buildSummary({
      runId: watch.runId,
      status: 'SUCCEEDED',
      streamName: 'stream',
      outputFiles: [],
      outputBytes: 0,
      deadLetterFiles: [],
      deadLetterManifest: null,
      rejectsFile: null,
      runDir,
      durationMs: 1000,
    });
    await writeFile(join(runDir, 'summary.json'), JSON.stringify(summary));
    await watch.poll();
    expect(watch.facts(2, false).summary?.status).toBe('SUCCEEDED');
    expect(watch.facts(2, false).summaryProblem).toBeUndefined();
  });

  test('a run id says when the run started, in UTC', () => {
    expect(startedAtOf('run-20261130-204507-lutx')).toBe(Date.UTC(2026, 10, 30, 20, 45, 7));
    expect(startedAtOf('run-x')).toBeNull();
  });
});
