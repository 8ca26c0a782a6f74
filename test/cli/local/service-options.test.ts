import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { Command, CommanderError } from 'commander';
import {
  addLocalServiceOptions,
  type LocalServiceOptionValues,
  localServiceSettings,
} from '../../../bin/commands/local-service-options';
import { ensureLocalResources, LOCAL_RESOURCE_NAMES } from '../../../local/runner/local-resources';

/** `run` and `npm run local:services` take the same fault and quota options, as flags or LOCAL_* variables. */

const ROOT = join(__dirname, '..', '..', '..');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

/** Parses like a command line would, with `env` as the environment; errors come back as their text. */
function parse(argv: string[], env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let stderr = '';
  const command = addLocalServiceOptions(
    new Command('test').exitOverride().configureOutput({ writeErr: (text) => (stderr += text) }),
  );
  try {
    command.parse(argv, { from: 'user' });
    return { settings: localServiceSettings(command.opts<LocalServiceOptionValues>()), stderr };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { settings: undefined, stderr };
  } finally {
    for (const key of Object.keys(env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('the shared local service options', () => {
  it('turns the small-region preset, single quotas and faults into service settings', () => {
    const { settings } = parse([
      '--quota-preset',
      'small-region',
      '--bytes-per-second',
      '2097152',
      '--fault-rate',
      '0.25',
      '--request-error-status',
      '500',
      '--metrics-delay-ms',
      '1500',
    ]);
    expect(settings).toEqual({
      quotas: { recordsPerSecond: 100_000, requestsPerSecond: 1_000, bytesPerSecond: 2_097_152 },
      faults: { entryFailureRate: 0.25, requestErrorStatus: 500 },
      metricPublishDelayMs: 1500,
    });
  });

  it('reads each option from its LOCAL_* environment variable, and a flag wins over it', () => {
    const { settings } = parse(['--requests-per-second', '7'], {
      LOCAL_REQUESTS_PER_SECOND: '9',
      LOCAL_RECORDS_PER_SECOND: '300',
      LOCAL_LATENCY_MS: '20',
      LOCAL_S3_GET_ERROR_RATE: '0.5',
    });
    expect(settings?.quotas).toEqual({ requestsPerSecond: 7, recordsPerSecond: 300 });
    expect(settings?.faults).toEqual({ latencyMs: 20, s3GetErrorRate: 0.5 });
  });

  it('keeps --throttle-rps as the records-per-second quota and refuses it together with --records-per-second', () => {
    expect(parse(['--throttle-rps', '5000']).settings?.quotas).toEqual({ recordsPerSecond: 5000 });
    const both = parse(['--throttle-rps', '5', '--records-per-second', '6']);
    expect(both.settings).toBeUndefined();
    expect(both.stderr).toMatch(/--records-per-second.*cannot be used with.*--throttle-rps/);
  });

  it.each([
    [['--fault-rate', '1.5'], {}, '--fault-rate must be a probability from 0 to 1, got "1.5"'],
    [['--bytes-per-second', '0'], {}, '--bytes-per-second must be a whole number of at least 1, got "0"'],
    [['--quota-preset', 'huge'], {}, '--quota-preset must be one of large-region, small-region, got "huge"'],
    [[], { LOCAL_LATENCY_MS: 'slow' }, '--latency-ms must be a whole number from 0 to 60,000, got "slow"'],
  ])('refuses %j %j with one line naming the option', (argv, env, message) => {
    const { settings, stderr } = parse(argv, env);
    expect(settings).toBeUndefined();
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });
});

/** Runs a TypeScript entry point with node and tsx's loader; resolves with its exit code and output. */
function runScript(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('run and local:services on the command line', () => {
  it('both refuse a bad value, from a flag or a variable, with an error line naming the option', async () => {
    const run = runScript(['bin/firehose-loader.ts', 'run', '--fault-rate', '2']);
    expect(await run.exited).toBe(1);
    expect(run.output().stderr.split('\n')[0]).toContain(
      '--fault-rate must be a probability from 0 to 1, got "2"',
    );
    const services = runScript(['bin/local-services.ts', '--port', '0'], { LOCAL_QUOTA_PRESET: 'tiny' });
    expect(await services.exited).toBe(1);
    const line = services.output().stderr.split('\n')[0];
    expect(line).toContain("from env 'LOCAL_QUOTA_PRESET'");
    expect(line).toContain('--quota-preset must be one of large-region, small-region, got "tiny"');
  }, 60_000);

  it('local:services applies the quota preset from a flag and a fault from a variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'service-options-'));
    let child: ChildProcess | undefined;
    try {
      const started = runScript(
        ['bin/local-services.ts', '--port', '0', '--data-dir', dir, '--quota-preset', 'small-region'],
        { LOCAL_FAULT_RATE: '1' },
      );
      child = started.child;
      const endpoint = await new Promise<string>((resolve, reject) => {
        started.child.stdout?.on('data', () => {
          const match = started.output().stdout.match(/AWS_ENDPOINT_URL=(\S+)/);
          if (match) resolve(match[1]);
        });
        started.exited.then((code) => reject(new Error(`exited ${code}: ${started.output().stderr}`)));
      });
      expect(started.output().stdout).toContain(
        'Firehose quota per stream: 1,048,576 bytes/s, 1,000 requests/s, 100,000 records/s; faults: entryFailureRate=1',
      );
      const config = {
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      };
      const firehose = new FirehoseClient(config);
      await ensureLocalResources(new S3Client(config), firehose, LOCAL_RESOURCE_NAMES);
      const out = await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: LOCAL_RESOURCE_NAMES.streamName,
          Records: [{ Data: Buffer.from('a\n') }, { Data: Buffer.from('b\n') }],
        }),
      );
      // LOCAL_FAULT_RATE=1: every entry fails.
      expect(out.FailedPutCount).toBe(2);
      const limit = await new CloudWatchClient(config).send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/Firehose',
          MetricName: 'PutRequestsPerSecondLimit',
          Dimensions: [{ Name: 'DeliveryStreamName', Value: LOCAL_RESOURCE_NAMES.streamName }],
          StartTime: new Date(Date.now() - 600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 60,
          Statistics: ['Maximum'],
        }),
      );
      expect(limit.Datapoints?.map((d) => d.Maximum)).toContain(1000);
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    } finally {
      if (child?.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
