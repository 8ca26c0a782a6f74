import * as advanceRound from '../../functions/advance-round/config';
import * as checkMetrics from '../../functions/check-metrics/config';
import * as plan from '../../functions/plan/config';
import * as putBatch from '../../functions/put-batch/config';

// Every value differs from load's fallback, so a field toEnvironment forgot to write comes back different.
const planConfig: plan.PlanConfig = {
  sourceBucket: 'source',
  artifactBucket: 'artifacts',
  defaults: {
    sourceKey: 'in/file.jsonl',
    format: 'jsonl',
    individualRecords: 7,
    pack: true,
    maxConcurrency: 12,
    requeueRounds: 5,
  },
  maxBatchRecords: 100,
  maxBatchBytes: 65_536,
  quota: {
    streamName: 'stream',
    region: undefined,
    stated: { recordsPerSecond: 900, bytesPerSecond: 4_096 },
  },
};

const putBatchConfig: putBatch.PutBatchConfig = {
  streamName: 'stream',
  sourceBucket: 'source',
  artifactBucket: 'artifacts',
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 400, budgetMs: 10_000, throttleWindowMs: 500 },
  quota: { requestsPerSecond: 20 },
  pacing: false,
  claimTakeoverAfterMs: 1_234,
};

describe('each function config', () => {
  it('reads back from toEnvironment exactly the config it was given', () => {
    expect(plan.load(plan.toEnvironment(planConfig))).toEqual(planConfig);
    expect(putBatch.load(putBatch.toEnvironment(putBatchConfig))).toEqual(putBatchConfig);
    const advance = { artifactBucket: 'artifacts', streamName: 'stream', metricsNamespace: 'Mine' };
    expect(advanceRound.load(advanceRound.toEnvironment(advance))).toEqual(advance);
    const check = { streamName: 'stream', metricsNamespace: 'Mine' };
    expect(checkMetrics.load(checkMetrics.toEnvironment(check))).toEqual(check);
  });

  it('writes only the fields it is given, leaving the rest to the fallbacks of load', () => {
    expect(putBatch.toEnvironment({ streamName: 'stream', retry: { budgetMs: 900 } })).toEqual({
      DELIVERY_STREAM_NAME: 'stream',
      RETRY_BUDGET_MS: '900',
    });
    expect(plan.toEnvironment({ sourceBucket: 'source', defaults: { pack: false } })).toEqual({
      SOURCE_BUCKET: 'source',
      DEFAULT_PACK: 'false',
    });
  });

  it('writes a stated quota whole, 0 for a field left to be found', () => {
    expect(putBatch.toEnvironment({ quota: { recordsPerSecond: 10 } })).toEqual({
      STREAM_RECORDS_PER_SECOND: '10',
      STREAM_BYTES_PER_SECOND: '0',
      STREAM_REQUESTS_PER_SECOND: '0',
    });
  });

  it("never writes AWS_REGION, which Lambda sets itself and refuses from a function's settings", () => {
    const env = plan.toEnvironment({ ...planConfig, quota: { ...planConfig.quota, region: 'eu-west-1' } });
    expect(Object.keys(env)).not.toContain('AWS_REGION');
  });
});
