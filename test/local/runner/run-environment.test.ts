import * as advanceRoundConfig from '../../../functions/advance-round/config';
import * as checkMetricsConfig from '../../../functions/check-metrics/config';
import * as planConfig from '../../../functions/plan/config';
import * as putBatchConfig from '../../../functions/put-batch/config';
import { LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';
import { functionEnvironment } from '../../../local/runner/run-environment';
import { variablesReadBy } from '../../functions/variables-read';

const LOADERS = [planConfig.load, putBatchConfig.load, advanceRoundConfig.load, checkMetricsConfig.load];
const retry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 7, budgetMs: 900, throttleWindowMs: 3 };
// Every option the runner passes on, so every variable it can write is written.
const env = functionEnvironment('http://127.0.0.1:4566', LOCAL_RESOURCE_NAMES, retry, false);
const readByAny = [...new Set(LOADERS.flatMap((load) => variablesReadBy(load, env)))].sort();

// Read by the AWS SDK (endpoint, credentials) and Powertools, not by a function's config.
const NOT_FOR_LOAD = [
  'AWS_ACCESS_KEY_ID',
  'AWS_ENDPOINT_URL',
  'AWS_SECRET_ACCESS_KEY',
  'POWERTOOLS_LOG_LEVEL',
];
// What a local run leaves to the functions' fallbacks (or to the process environment), on purpose:
// Plan's deployment defaults (the run's options travel in the execution input instead), no stated
// quota (the job finds the local stream's in the local CloudWatch), the default metrics namespace,
// and the takeover limit derived from the retry budget (resume sets 0).
const LEFT_TO_FALLBACKS = [
  'CLAIM_TAKEOVER_AFTER_MS',
  'DEFAULT_FORMAT',
  'DEFAULT_INDIVIDUAL_RECORDS',
  'DEFAULT_MAX_CONCURRENCY',
  'DEFAULT_PACK',
  'DEFAULT_REQUEUE_ROUNDS',
  'DEFAULT_SOURCE_KEY',
  'MAX_BATCH_BYTES',
  'MAX_BATCH_RECORDS',
  'METRICS_NAMESPACE',
  'STREAM_BYTES_PER_SECOND',
  'STREAM_RECORDS_PER_SECOND',
  'STREAM_REQUESTS_PER_SECOND',
];

describe("the local runner's function environment", () => {
  it("sets no variable that a function's config does not read, besides the SDK's and Powertools'", () => {
    const setButNotRead = Object.keys(env).filter((name) => !readByAny.includes(name));
    expect(setButNotRead.sort()).toEqual(NOT_FOR_LOAD);
  });

  it('sets every variable the configs read, except the settings a local run leaves to their fallbacks', () => {
    for (const load of LOADERS) expect(() => load(env)).not.toThrow();
    expect(readByAny.filter((name) => !(name in env))).toEqual(LEFT_TO_FALLBACKS);
  });

  it('gives the functions the resources, the retry policy and the pacing the run asked for', () => {
    const names = LOCAL_RESOURCE_NAMES;
    expect(putBatchConfig.load(env)).toMatchObject({
      streamName: names.streamName,
      sourceBucket: names.sourceBucket,
      artifactBucket: names.artifactBucket,
      retry,
      pacing: false,
    });
    expect(planConfig.load(env).quota).toEqual({
      streamName: names.streamName,
      region: names.region,
      stated: {},
    });
    expect(advanceRoundConfig.load(env).artifactBucket).toBe(names.artifactBucket);
    expect(checkMetricsConfig.load(env).streamName).toBe(names.streamName);
  });

  it('leaves pacing and the retry policy to PutBatch when the run does not set them', () => {
    const plain = functionEnvironment('http://127.0.0.1:4566', LOCAL_RESOURCE_NAMES);
    expect(
      Object.keys(plain).filter((name) => name.startsWith('RETRY_') || name === 'PACE_TO_QUOTA'),
    ).toEqual([]);
  });
});
