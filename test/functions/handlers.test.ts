import { handler as advanceRoundHandler } from '../../functions/advance-round/handler';
import { handler as checkMetricsHandler } from '../../functions/check-metrics/handler';
import { handler as planHandler } from '../../functions/plan/handler';
import { handler as putBatchHandler } from '../../functions/put-batch/handler';
import { ConfigError } from '../../functions/shared/errors';
import { descriptor, runState } from './fixtures';

/**
 * The handlers only wire config, clients and logic together; what they must get right is reading
 * their configuration first, so a missing variable fails before anything touches AWS.
 */
const NAMES = [
  'SOURCE_BUCKET',
  'ARTIFACT_BUCKET',
  'DELIVERY_STREAM_NAME',
  'DEFAULT_FORMAT',
  'AWS_ENDPOINT_URL',
] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

function setEnv(values: Partial<Record<(typeof NAMES)[number], string>>): void {
  for (const name of NAMES) {
    const value = values[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

afterEach(() => {
  for (const name of NAMES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function configErrorOf(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const planEvent = { input: {}, runId: 'run-1', startedAt: '2024-05-01T12:00:00Z' };
const putBatchEvent = { runId: 'run-1', round: 0, chunk: descriptor() };

describe('the function handlers', () => {
  it.each([
    ['SOURCE_BUCKET', { ARTIFACT_BUCKET: 'artifact-bucket' }],
    ['ARTIFACT_BUCKET', { SOURCE_BUCKET: 'source-bucket' }],
  ] as const)('Plan refuses to start without %s, naming it', async (name, env) => {
    setEnv(env);
    const error = await configErrorOf(() => planHandler(planEvent));
    expect(error.message).toBe(`environment variable ${name} is required but not set`);
    expect(error.name).toBe('ConfigError');
  });

  it('Plan refuses an invalid DEFAULT_FORMAT before reading the input', async () => {
    setEnv({ SOURCE_BUCKET: 'source-bucket', ARTIFACT_BUCKET: 'artifact-bucket', DEFAULT_FORMAT: 'xml' });
    expect((await configErrorOf(() => planHandler(planEvent))).message).toContain('DEFAULT_FORMAT');
  });

  it.each([
    ['DELIVERY_STREAM_NAME', { SOURCE_BUCKET: 'source-bucket', ARTIFACT_BUCKET: 'artifact-bucket' }],
    ['SOURCE_BUCKET', { DELIVERY_STREAM_NAME: 'stream', ARTIFACT_BUCKET: 'artifact-bucket' }],
    ['ARTIFACT_BUCKET', { DELIVERY_STREAM_NAME: 'stream', SOURCE_BUCKET: 'source-bucket' }],
  ] as const)('PutBatch refuses to start without %s, naming it', async (name, env) => {
    setEnv(env);
    expect((await configErrorOf(() => putBatchHandler(putBatchEvent))).message).toBe(
      `environment variable ${name} is required but not set`,
    );
  });

  it.each([
    ['ARTIFACT_BUCKET', { DELIVERY_STREAM_NAME: 'stream' }],
    ['DELIVERY_STREAM_NAME', { ARTIFACT_BUCKET: 'artifact-bucket' }],
  ] as const)('AdvanceRound refuses to start without %s, naming it', async (name, env) => {
    setEnv(env);
    expect((await configErrorOf(() => advanceRoundHandler(runState()))).message).toBe(
      `environment variable ${name} is required but not set`,
    );
  });

  it('CheckMetrics refuses to start without DELIVERY_STREAM_NAME, naming it', async () => {
    setEnv({});
    expect((await configErrorOf(() => checkMetricsHandler(runState()))).message).toBe(
      'environment variable DELIVERY_STREAM_NAME is required but not set',
    );
  });
});
