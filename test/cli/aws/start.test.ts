import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { startCommand } from '../../../bin/commands/aws';
import type { RunSummary } from '../../../functions/shared/run';
import {
  ARTIFACT_BUCKET,
  DEAD_LETTER,
  deadLetteredHistory,
  EXECUTION_ARN,
  MAP_RUN_ARNS,
  RUN_ID,
  STARTED,
  STATE_MACHINE_ARN,
  succeededHistory,
  testDeps,
} from './fixtures';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
// No stack in the region: a missing target cannot be read from one (stack.test.ts covers the lookup).
const cfn = mockClient(CloudFormationClient);
const env = {
  FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
  FIREHOSE_LOADER_SOURCE_BUCKET: 'src-bucket',
};

beforeEach(() => {
  sfn.reset();
  s3.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: STARTED });
});

const startInput = () =>
  JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? 'null');

describe('start', () => {
  it('starts an execution of the state machine from the environment with the given input and a run-id name', async () => {
    const deps = testDeps(env);
    expect(await startCommand({ input: '{"pack":true}' }, deps)).toBe(0);
    const [call] = sfn.commandCalls(StartExecutionCommand);
    expect(call?.args[0].input).toMatchObject({
      stateMachineArn: STATE_MACHINE_ARN,
      name: expect.stringMatching(/^run-20250301-120000-[a-z0-9]{4}$/),
    });
    expect(startInput()).toEqual({ pack: true });
  });

  it('prints the execution ARN and its console link', async () => {
    const deps = testDeps(env);
    await startCommand({}, deps);
    expect(startInput()).toEqual({});
    expect(deps.out.join('')).toBe(
      `started ${EXECUTION_ARN}\nconsole https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}\n`,
    );
  });

  it('prefers --state-machine-arn over the environment', async () => {
    const other = STATE_MACHINE_ARN.replace('firehose-loader', 'other');
    await startCommand({ stateMachineArn: other }, testDeps(env));
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(other);
  });

  it('uploads --file to inputs/<timestamp>-<name> in the source bucket with one PutObject and loads it', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const file = join(mkdtempSync(join(tmpdir(), 'fl-start-')), 'records.jsonl');
    writeFileSync(file, '{"a":1}\n{"a":2}\n');
    const deps = testDeps(env);
    expect(await startCommand({ file, input: '{"format":"jsonl"}' }, deps)).toBe(0);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toMatchObject({
      Bucket: 'src-bucket',
      Key: 'inputs/20250301T120000Z-records.jsonl',
    });
    expect(startInput()).toEqual({
      format: 'jsonl',
      source: { bucket: 'src-bucket', key: 'inputs/20250301T120000Z-records.jsonl' },
    });
    expect(deps.err.join('')).toContain('uploaded');
  });

  it('with --json prints one JSON document with the ARN, run id, console link and input', async () => {
    const deps = testDeps(env);
    await startCommand({ json: true }, deps);
    expect(JSON.parse(deps.out.join(''))).toMatchObject({
      executionArn: EXECUTION_ARN,
      runId: expect.any(String),
      input: {},
    });
  });

  it('says what is missing and where it could come from, without starting anything', async () => {
    const deps = testDeps({});
    expect(await startCommand({}, deps)).toBe(1);
    expect(deps.err.join('')).toBe(
      'firehose-loader: no firehose-loader stack in eu-west-1: deploy one (npx cdk deploy), check AWS_REGION, or pass --state-machine-arn\n',
    );
    // A stack whose outputs lack the source bucket: the option and variable that would give it.
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Old',
          CreationTime: STARTED,
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'StateMachineArn', OutputValue: STATE_MACHINE_ARN },
            { OutputKey: 'ArtifactBucketName', OutputValue: 'artifacts' },
          ],
        },
      ],
    });
    const withFile = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN });
    expect(await startCommand({ file: 'x.json' }, withFile)).toBe(1);
    expect(withFile.err.join('')).toMatch(
      /no source bucket: pass --source-bucket, set FIREHOSE_LOADER_SOURCE_BUCKET, or name the stack with --stack/,
    );
    expect(sfn.calls()).toHaveLength(0);
  });

  it('refuses --input that is not a JSON object and a --file that does not exist', async () => {
    const deps = testDeps(env);
    expect(await startCommand({ input: '[1]' }, deps)).toBe(1);
    expect(await startCommand({ input: '{pack' }, deps)).toBe(1);
    expect(await startCommand({ file: '/nonexistent/file.json' }, deps)).toBe(1);
    expect(deps.err.join('')).toMatch(
      /--input must be a JSON object[\s\S]*--input is not JSON[\s\S]*cannot read --file/,
    );
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('start --follow', () => {
  const followed = (status: 'SUCCEEDED' | 'FAILED', history = succeededHistory(), extra = {}) => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn: EXECUTION_ARN,
        status: 'RUNNING',
        startDate: STARTED,
        name: RUN_ID,
        stateMachineArn: STATE_MACHINE_ARN,
      })
      .resolves({
        executionArn: EXECUTION_ARN,
        name: RUN_ID,
        stateMachineArn: STATE_MACHINE_ARN,
        status,
        startDate: STARTED,
        stopDate: new Date(STARTED.getTime() + 60_000),
        ...extra,
      });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
    sfn.on(ListMapRunsCommand).resolves({
      mapRuns: [
        {
          executionArn: EXECUTION_ARN,
          mapRunArn: MAP_RUN_ARNS[0],
          stateMachineArn: STATE_MACHINE_ARN,
          startDate: STARTED,
        },
      ],
    });
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: {
        succeeded: 6,
        failed: 0,
        running: 0,
        pending: 0,
        total: 6,
        timedOut: 0,
        aborted: 0,
        resultsWritten: 6,
      },
    });
  };

  it('polls until the execution ends, shows progress on stderr and prints the summary; exit code 0 on SUCCEEDED', async () => {
    followed('SUCCEEDED');
    const deps = testDeps(env);
    expect(await startCommand({ follow: true, interval: 0 }, deps)).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(deps.err.join('')).toContain(
      'checking CloudWatch metrics; 2,550 of 2,550 records delivered\nexecution SUCCEEDED\n',
    );
    const out = deps.out.join('');
    expect(out).toContain(`run                   ${RUN_ID}  SUCCEEDED`);
    expect(out).toContain('2,550 in = 2,550 delivered + 0 dead-lettered + 0 rejected');
  });

  it('with --json prints only the RunSummary on stdout', async () => {
    followed('SUCCEEDED');
    const deps = testDeps({ ...env, FIREHOSE_LOADER_ARTIFACT_BUCKET: ARTIFACT_BUCKET });
    await startCommand({ follow: true, json: true, interval: 0 }, deps);
    const summary = JSON.parse(deps.out.join('')) as RunSummary;
    expect(summary).toMatchObject({
      runId: RUN_ID,
      status: 'SUCCEEDED',
      runDir: `s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/`,
      durationMs: 60_000,
    });
    expect(deps.err.join('')).toContain(`started ${EXECUTION_ARN}`);
  });

  it('exits 1 with the dead-letter message when the run ends FAILED', async () => {
    followed('FAILED', deadLetteredHistory(), { error: 'RecordsDeadLettered', cause: DEAD_LETTER.message });
    const deps = testDeps(env);
    expect(await startCommand({ follow: true, interval: 0 }, deps)).toBe(1);
    expect(deps.err.join('')).toContain(`firehose-loader: RecordsDeadLettered: ${DEAD_LETTER.message}\n`);
    expect(deps.out.join('')).toContain('7 dead-lettered');
  });
});
