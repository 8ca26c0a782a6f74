import { App } from 'aws-cdk-lib';
import { NEW_ACCOUNT_LAMBDA_CONCURRENCY } from '../../functions/shared/limits';
import {
  CONTEXT_PREFIX,
  DEFAULT_SETTINGS,
  resolveSettings,
  retentionDaysOf,
  settingsFromContext,
} from '../../lib/settings';
import { CDK_JSON_CONTEXT } from './synth';

describe('settings', () => {
  it('cdk.json context holds every setting with the default the code uses', () => {
    const fromCdkJson = Object.fromEntries(
      Object.entries(CDK_JSON_CONTEXT)
        .filter(([key]) => key.startsWith(CONTEXT_PREFIX))
        .map(([key, value]) => [key.slice(CONTEXT_PREFIX.length), value]),
    );
    expect(fromCdkJson).toEqual({ ...DEFAULT_SETTINGS });
  });

  it("runs its default Distributed Map in half of a new account's Lambda concurrency", () => {
    // Each child execution holds one PutBatch invocation; the rest is for the account's other functions.
    expect(DEFAULT_SETTINGS.maxConcurrency).toBeLessThanOrEqual(NEW_ACCOUNT_LAMBDA_CONCURRENCY / 2);
  });

  it('reads `-c firehose-loader:<setting>=<value>` strings as the types the stack needs', () => {
    const app = new App({
      context: {
        'firehose-loader:maxConcurrency': '12',
        'firehose-loader:serverAccessLogs': 'true',
        'firehose-loader:encryption': 'KMS',
        'firehose-loader:streamName': 'my-stream',
      },
    });
    expect(resolveSettings(settingsFromContext(app.node))).toEqual({
      ...DEFAULT_SETTINGS,
      maxConcurrency: 12,
      serverAccessLogs: true,
      encryption: 'KMS',
      streamName: 'my-stream',
    });
  });

  it('lets stack props override context, and context override the defaults', () => {
    expect(
      resolveSettings({ requeueRounds: 1 }, { requeueRounds: 2, artifactRetentionDays: 5 }),
    ).toMatchObject({
      requeueRounds: 2,
      artifactRetentionDays: 5,
    });
  });

  it.each([
    [{ maxConcurrency: 0 }, /maxConcurrency must be a whole number from 1 to 10000/],
    [{ maxConcurrency: 10_001 }, /maxConcurrency/],
    [{ bufferingSizeMiB: 129 }, /bufferingSizeMiB must be a whole number from 1 to 128/],
    [{ bufferingIntervalSeconds: 901 }, /bufferingIntervalSeconds/],
    [{ requeueRounds: 11 }, /requeueRounds/],
    [{ logRetentionDays: 10 }, /logRetentionDays must be a CloudWatch Logs retention value/],
    [{ streamName: 'has spaces' }, /streamName/],
    [{ name: '1starts-with-a-digit' }, /firehose-loader:name/],
    [{ metricsNamespace: 'AWS/Firehose' }, /metricsNamespace/],
    [{ alarmTopicArn: 'not-an-arn' }, /alarmTopicArn/],
  ])('refuses %j and names the setting', (bad, message) => {
    expect(() => resolveSettings(bad)).toThrow(message);
  });

  it('refuses a misspelt context setting instead of ignoring it', () => {
    const app = new App({ context: { 'firehose-loader:maxConcurrency': 'forty' } });
    expect(() => settingsFromContext(app.node)).toThrow(
      /firehose-loader:maxConcurrency must be a whole number/,
    );
  });

  it('accepts exactly the log retention values CloudWatch Logs offers', () => {
    expect(retentionDaysOf(30)).toBe(30);
    expect(() => retentionDaysOf(31)).toThrow();
  });
});
