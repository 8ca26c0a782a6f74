import { stripVTControlCharacters } from 'node:util';
import type { EngineEventShape } from '../../../functions/shared/run';
import { RunProgress } from '../../../local/runner/progress';
import { clockTime, wrapSegments } from '../../../local/runner/progress-text';
import { describeThrottling } from '../../../local/runner/throttle-hint';

/** A run's progress fed by hand: events as the engine sends them, log lines as the handlers print. */
function harness(interactive: boolean, columns = 80) {
  let now = 1_000_000;
  let text = '';
  const progress = new RunProgress((chunk) => (text += chunk), interactive, {
    throttleHint: describeThrottling(),
    columns,
    now: () => now,
  });
  const event = (e: Partial<EngineEventShape> & { output?: unknown }) =>
    progress.onEvent({ timestamp: now, type: 'StateEntered', ...e } as EngineEventShape);
  const state = (round: number, next: string, records: number, delivered: number) => ({
    plan: { records: 1_234_567, rejected: 0, chunks: 3, batchChunks: 3, individualChunks: 0 },
    round: { number: round, chunks: 3, records, next, waitSeconds: 15 },
    totals: { delivered },
  });
  return {
    progress,
    event,
    state,
    advance: (ms: number) => (now += ms),
    now: () => now,
    text: () => text,
  };
}

function planAndStart(h: ReturnType<typeof harness>) {
  h.event({ type: 'StateEntered', state: { name: 'Plan', type: 'Task', input: {} } });
  h.event({
    type: 'StateExited',
    state: { name: 'Plan', type: 'Task', input: {}, output: h.state(0, 'requeue', 1_234_567, 0) },
  });
  h.event({ type: 'StateEntered', state: { name: 'LoadChunks', type: 'Map', input: {} } });
  for (const index of [0, 1, 2]) {
    h.event({
      type: 'MapIterationStarted',
      index,
      parentState: { name: 'LoadChunks', type: 'Map', input: {} },
    });
  }
}

/** What a terminal shows last: the text after the last erase, with escapes removed. */
const lastScreen = (text: string) => stripVTControlCharacters(text.split('\x1b[J').at(-1) ?? '').split('\n');

describe('the progress of a local run', () => {
  it('says the chunks are backing off, until when, and counts throttled entries live', () => {
    const h = harness(true);
    planAndStart(h);
    h.progress.onLog({ message: 'Firehose call done', chunkId: 'c0', throttled: 1_178, failed: 1_180 });
    h.progress.onLog({ message: 'Retrying failed Firehose entries', chunkId: 'c0', delayMs: 12_000 });
    for (const chunkId of ['c1', 'c2']) {
      h.progress.onLog({ message: 'Retrying failed Firehose entries', chunkId, delayMs: 4_000 });
    }
    h.advance(200);
    h.progress.onLog({ message: 'Firehose call done', chunkId: 'c2', throttled: 0, failed: 0 });
    const screen = lastScreen(h.text()).join('\n');
    expect(screen).toContain(`round 0: backing off until ${clockTime(h.now() - 200 + 12_000)}`);
    expect(screen).toContain('entries refused: 1,178 throttled, 2 failed');
    expect(screen).toContain('0/3 chunks done');
  });

  it('says once, when throttling starts, what the local quota is and how to change it', () => {
    const h = harness(false);
    planAndStart(h);
    h.progress.onLog({ message: 'Firehose call done', chunkId: 'c0', throttled: 5, failed: 5 });
    h.progress.onLog({ message: 'Firehose call done', chunkId: 'c0', throttled: 5, failed: 5 });
    const lines = h
      .text()
      .split('\n')
      .filter((line) => line.includes('started throttling'));
    expect(lines).toEqual([
      expect.stringContaining(
        "the local stream's quota is 5 MiB/s, 2,000 requests/s, 500,000 records/s, AWS's default (change it with --quota-preset",
      ),
    ]);
  });

  it('shows records/s and an estimate from the chunks delivered, and waits before the next round', () => {
    const h = harness(false);
    planAndStart(h);
    h.advance(10_000);
    h.progress.onLog({ message: 'chunk put', chunkId: 'c0', delivered: 500_000, requeued: 0 });
    h.event({
      type: 'MapIterationSucceeded',
      index: 0,
      parentState: { name: 'LoadChunks', type: 'Map', input: {} },
      output: { chunkId: 'c0', delivered: 500_000, requeued: 0 },
    });
    expect(h.text()).toContain(
      '1/3 chunks done · 500,000/1,234,567 records delivered · 50,000 records/s · about 15 s left',
    );
    h.event({
      type: 'StateExited',
      state: {
        name: 'AdvanceRound',
        type: 'Task',
        input: {},
        output: h.state(1, 'requeue', 4_567, 1_230_000),
      },
    });
    expect(h.text()).toContain(
      'round 0 done (in input records): 1,230,000 of 1,234,567 delivered so far, 4,567 re-queued for round 1',
    );
    expect(h.text()).toContain(
      `waiting until ${clockTime(h.now() + 15_000)} before round 1 (4,567 records to resend)`,
    );
  });

  it('never draws a line as wide as an 80-column terminal, whatever the numbers', () => {
    const h = harness(true, 80);
    planAndStart(h);
    h.progress.onLog({
      message: 'Firehose call done',
      chunkId: 'c0',
      throttled: 123_456_789,
      failed: 123_456_790,
    });
    h.progress.onLog({ message: 'Retrying failed Firehose entries', chunkId: 'c0', delayMs: 12_000 });
    h.advance(1_000);
    h.event({ type: 'StateRetried', state: { name: 'PutBatch', type: 'Task', input: {} } });
    const drawn = stripVTControlCharacters(h.text()).split(/[\r\n]/);
    expect(Math.max(...drawn.map((line) => line.length))).toBeLessThan(80);
    expect(h.text()).toContain('123,456,789 throttled');
  });

  it('wraps segments at their boundaries, not inside them', () => {
    expect(wrapSegments(['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)], 80)).toEqual([
      `${'a'.repeat(30)} · ${'b'.repeat(30)}`,
      `  ${'c'.repeat(30)}`,
    ]);
  });

  it('says what it is doing while CloudWatch has not caught up', () => {
    const h = harness(true);
    planAndStart(h);
    h.event({ type: 'StateEntered', state: { name: 'CheckMetrics', type: 'Task', input: {} } });
    h.event({ type: 'StateRetried', state: { name: 'CheckMetrics', type: 'Task', input: {} } });
    h.advance(1_000);
    h.event({ type: 'StateRetried', state: { name: 'CheckMetrics', type: 'Task', input: {} } });
    expect(lastScreen(h.text())[0]).toBe(
      'CloudWatch not caught up yet: check 3 · 0/1,234,567 records delivered',
    );
  });
});

describe('the final line', () => {
  it('counts what calls still in flight log after the execution stopped, and outcomes recorded then', () => {
    const h = harness(false);
    planAndStart(h);
    h.progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', records: 500, retryable: true });
    h.progress.onLog({ message: 'chunk put', chunkId: 'c1', delivered: 500, requeued: 0 });
    h.event({
      type: 'MapIterationSucceeded',
      index: 1,
      parentState: { name: 'LoadChunks', type: 'Map', input: {} },
    });
    h.event({ type: 'ExecutionAborted' });
    // Ctrl-C: the run waits for the calls in flight, which go on retrying and then record outcomes.
    for (let call = 0; call < 3; call++) {
      h.progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', records: 500, retryable: true });
      h.progress.onLog({ message: 'Retrying failed Firehose entries', chunkId: 'c0', delayMs: 10_000 });
    }
    h.progress.onLog({ message: 'chunk put', chunkId: 'c0', delivered: 400, requeued: 100 });
    h.progress.onLog({ message: 'chunk put', chunkId: 'c2', delivered: 500, requeued: 0 });
    expect(h.text()).not.toContain('sent:');
    expect(h.text()).not.toContain('backing off');
    h.progress.finish();
    const sent = h
      .text()
      .split('\n')
      .filter((line) => line.startsWith('sent:'));
    expect(sent).toEqual([expect.stringContaining('1,400/1,234,567 records delivered')]);
    expect(sent[0]).toContain('4 calls refused whole · 100 records re-queued');
  });

  it('is written once, by finish, on a terminal too, after the status block was erased', () => {
    const h = harness(true);
    planAndStart(h);
    h.event({ type: 'ExecutionSucceeded' });
    const erased = h.text().length;
    h.progress.onLog({ message: 'chunk put', chunkId: 'c0', delivered: 7, requeued: 0 });
    expect(h.text().length).toBe(erased);
    h.progress.finish();
    h.progress.finish();
    expect(lastScreen(h.text())).toEqual([
      expect.stringMatching(/^sent: 7\/1,234,567 records delivered/),
      '',
    ]);
  });
});

describe('a call refused whole', () => {
  it('does not count its entries as refused entries, as the summary does not', () => {
    let text = '';
    const progress = new RunProgress((chunk) => (text += chunk), false);
    progress.onEvent({
      timestamp: 0,
      type: 'MapIterationStarted',
      index: 0,
      parentState: { name: 'LoadChunks', type: 'Map', input: {} },
    } as EngineEventShape);
    // What retry-loop.ts logs for a call refused with 503: the failure, then the call with every entry failed.
    progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', records: 500, category: 'throttled' });
    progress.onLog({
      message: 'Firehose call done',
      chunkId: 'c0',
      failed: 500,
      throttled: 0,
      failedPutCount: 0,
    });
    progress.onLog({
      message: 'Firehose call done',
      chunkId: 'c0',
      failed: 3,
      throttled: 1,
      failedPutCount: 3,
    });
    progress.finish();
    expect(text).toContain('entries refused: 1 throttled, 2 failed · 1 calls refused whole');
  });

  it('that no retry can help is not a refused request (the chunk fails instead)', () => {
    let text = '';
    const progress = new RunProgress((chunk) => (text += chunk), false);
    progress.onEvent({
      timestamp: 0,
      type: 'MapIterationStarted',
      index: 0,
      parentState: { name: 'LoadChunks', type: 'Map', input: {} },
    } as EngineEventShape);
    progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', retryable: false, category: 'fatal' });
    progress.onLog({ message: 'Firehose call failed', chunkId: 'c1', retryable: true, category: 'server' });
    progress.finish();
    expect(text).toContain('1 calls refused whole');
  });

  it('counts as a refused call, not as refused entries, and a throttled one starts the throttling note', () => {
    let text = '';
    const progress = new RunProgress((chunk) => (text += chunk), false, { throttleHint: 'the quota' });
    progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', records: 500, category: 'server' });
    expect(text).toBe('');
    progress.onLog({ message: 'Firehose call failed', chunkId: 'c0', records: 500, category: 'throttled' });
    expect(text).toBe('Firehose started throttling ("Slow down."): the quota\n');
  });
});
