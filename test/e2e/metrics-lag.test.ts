import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runLocalJob } from '../../local/runner/run-job';
import { expectAddsUp, mockFile, tempDataDir } from './helpers';

/**
 * CloudWatch shows AWS/Firehose datapoints a minute or more after the records arrive. With a metrics
 * delay in the local CloudWatch, CheckMetrics meets MetricsLaggingError first, is retried by the state
 * machine, and confirms the load once the datapoints show.
 */

const quiet = { write: () => undefined, interactive: false };
// Far longer than the few milliseconds between the last put and the first CheckMetrics; with fast
// timers CheckMetrics retries every half of it, so its 8 retries span four times the delay.
const METRICS_DELAY_MS = 5000;

interface LoggedEvent {
  type: string;
  state?: { name?: string };
  Error?: string;
}

describe('a local run whose CloudWatch metrics lag', () => {
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  beforeAll(async () => {
    data = await tempDataDir();
  });
  afterAll(() => data.cleanup());

  it('retries CheckMetrics on MetricsLaggingError until the metrics show, then confirms the load', async () => {
    const input = await mockFile(data.dir, 60, 'jsonl');
    const summary = await runLocalJob({
      dataDir: data.dir,
      inputFile: input,
      individualRecords: 0,
      fastTimers: true,
      metricPublishDelayMs: METRICS_DELAY_MS,
      progress: quiet,
    });

    expect(summary.status).toBe('SUCCEEDED');
    expectAddsUp(summary);
    expect(summary.records.delivered).toBe(60);
    expect(summary.metrics).toEqual({
      verdict: 'confirmed',
      incomingRecords: 60,
      incomingBytes: summary.firehose.payloadBytes,
    });
    const events = (await readFile(join(summary.runDir, 'events.jsonl'), 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LoggedEvent);
    const check = events.filter((event) => event.state?.name === 'CheckMetrics');
    const lagging = check.filter(
      (event) => event.type === 'StateFailed' && event.Error === 'MetricsLaggingError',
    );
    expect(lagging.length).toBeGreaterThanOrEqual(1);
    expect(check.filter((event) => event.type === 'StateRetried')).toHaveLength(lagging.length);
    expect(check.some((event) => event.type === 'StateCaught')).toBe(false);
    expect(check.at(-1)?.type).toBe('StateExited');
  }, 60_000);
});
