import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { graphCommand, redriveCommand, rerunCommand, statusCommand } from '../../../bin/commands/aws';
import {
  buildDefinitionSubstitutions,
  readDefinitionTemplate,
  substituteDefinition,
} from '../../../statemachine/substitutions';
import {
  ARTIFACT_BUCKET,
  DEAD_LETTER,
  deadLetteredHistory,
  EXECUTION_ARN,
  RUN_ID,
  STARTED,
  STATE_MACHINE_ARN,
  succeededHistory,
  testDeps,
} from './fixtures';

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

const described = (status: string, extra: object = {}) => ({
  executionArn: EXECUTION_ARN,
  stateMachineArn: STATE_MACHINE_ARN,
  name: RUN_ID,
  status: status as 'FAILED',
  startDate: STARTED,
  stopDate: new Date(STARTED.getTime() + 30_000),
  ...extra,
});
const deadLettered = described('FAILED', { error: 'RecordsDeadLettered', cause: DEAD_LETTER.message });

describe('status', () => {
  it('shows status, times, console link and the summary with the dead-letter message; exit code 1 once FAILED', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ ...deadLettered, redriveStatus: 'REDRIVABLE', redriveCount: 0 });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: deadLetteredHistory() });
    const deps = testDeps();
    expect(await statusCommand(EXECUTION_ARN, {}, deps)).toBe(1);
    const out = deps.out.join('');
    expect(out).toContain('status     FAILED');
    expect(out).toContain('started    2025-03-01T12:00:00.000Z');
    expect(out).toContain('stopped    2025-03-01T12:00:30.000Z');
    expect(out).toContain('console    https://eu-west-1.console.aws.amazon.com/');
    expect(out).toContain(`error                 RecordsDeadLettered: ${DEAD_LETTER.message}`);
    expect(out).toContain(
      `dead letters          7 records in s3://${ARTIFACT_BUCKET}/${DEAD_LETTER.recordsKey}`,
    );
  });

  it('with --json gives the status and the RunSummary in one document; exit code 0 while RUNNING', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('RUNNING', { stopDate: undefined }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: succeededHistory().slice(0, 8) });
    const deps = testDeps();
    expect(await statusCommand(EXECUTION_ARN, { json: true }, deps)).toBe(0);
    const report = JSON.parse(deps.out.join(''));
    expect(report).toMatchObject({
      status: 'RUNNING',
      stopDate: null,
      runId: RUN_ID,
      summary: { plan: { chunks: 6 } },
    });
  });

  it('says an execution does not exist in one line', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' }));
    const deps = testDeps();
    expect(await statusCommand(EXECUTION_ARN, {}, deps)).toBe(1);
    expect(deps.err).toEqual([
      `firehose-loader: execution ${EXECUTION_ARN} does not exist: check the ARN, and that it is from this account and region\n`,
    ]);
  });
});

describe('redrive', () => {
  it('calls RedriveExecution for the execution and says how to follow it', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'States.Timeout' }));
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2025-03-02T00:00:00Z') });
    const deps = testDeps();
    expect(await redriveCommand(EXECUTION_ARN, deps)).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
    expect(deps.out.join('')).toContain(`redriven ${EXECUTION_ARN} at 2025-03-02T00:00:00.000Z`);
  });

  it('does not redrive dead letters, which would only fail again, and names the rerun command instead', async () => {
    sfn.on(DescribeExecutionCommand).resolves(deadLettered);
    const deps = testDeps();
    expect(await redriveCommand(EXECUTION_ARN, deps)).toBe(1);
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(deps.err.join('')).toMatch(
      /a redrive would only fail there again.*firehose-loader rerun --dead-letter run-20250301-120000-abcd\n$/,
    );
  });

  it('explains ExecutionNotRedrivable and what to do instead', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED'));
    sfn.on(RedriveExecutionCommand).rejects(
      new ExecutionNotRedrivable({
        message: 'Execution is SUCCEEDED and cannot be redriven.',
        $metadata: {},
      }),
    );
    const deps = testDeps();
    expect(await redriveCommand(EXECUTION_ARN, deps)).toBe(1);
    expect(deps.err.join('')).toBe(
      `firehose-loader: ${RUN_ID} cannot be redriven (Execution is SUCCEEDED and cannot be redriven.); start a new execution instead: firehose-loader rerun --dead-letter ${RUN_ID} for its dead letters, or firehose-loader start with its input\n`,
    );
  });

  it('explains ExecutionLimitExceeded as too many running executions', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'States.TaskFailed' }));
    sfn
      .on(RedriveExecutionCommand)
      .rejects(Object.assign(new Error('limit'), { name: 'ExecutionLimitExceeded' }));
    const deps = testDeps();
    expect(await redriveCommand(EXECUTION_ARN, deps)).toBe(1);
    expect(deps.err.join('')).toMatch(/too many executions are running.*wait for some to finish/);
  });
});

describe('rerun', () => {
  it('starts a new execution over the dead-letter file with the input the dead-letter message gives', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION_ARN}-rerun`, startDate: STARTED });
    const deps = testDeps({
      FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
      FIREHOSE_LOADER_ARTIFACT_BUCKET: ARTIFACT_BUCKET,
    });
    expect(await rerunCommand({ deadLetter: RUN_ID }, deps)).toBe(0);
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '';
    const fromMessage = /whose input is (\{.*\}) \(locally/.exec(DEAD_LETTER.message)?.[1];
    expect(input).toBe(fromMessage);
    expect(JSON.parse(input)).toEqual({
      source: { bucket: ARTIFACT_BUCKET, key: `runs/${RUN_ID}/dead-letter/records.jsonl` },
      format: 'lines',
      individualRecords: 0,
    });
  });
});

describe('graph', () => {
  // What DescribeStateMachineForExecution returns: the definition with the deployed names substituted.
  const lambda = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
  const definition = substituteDefinition(
    readDefinitionTemplate(),
    buildDefinitionSubstitutions({
      planFunctionArn: lambda('plan'),
      putBatchFunctionArn: lambda('put-batch'),
      advanceRoundFunctionArn: lambda('advance-round'),
      checkMetricsFunctionArn: lambda('check-metrics'),
      artifactBucketName: ARTIFACT_BUCKET,
    }),
  );
  beforeEach(() => {
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: deadLetteredHistory() });
    sfn.on(DescribeMapRunCommand).resolves({
      itemCounts: {
        succeeded: 5,
        failed: 1,
        running: 0,
        pending: 0,
        total: 6,
        timedOut: 0,
        aborted: 0,
        resultsWritten: 6,
      },
    });
  });

  it('prints Mermaid coloured by the history and Map Run counts when no --out is given', async () => {
    const deps = testDeps();
    expect(await graphCommand({ execution: EXECUTION_ARN }, deps)).toBe(0);
    const text = deps.out.join('');
    expect(text).toMatch(/^flowchart TD\n {2}%% Run run-20250301-120000-abcd: FAILED/);
    expect(text).toMatch(/^\s*class .*\bRecordsDeadLettered\b.* failed$/m);
    expect(text).toMatch(/^\s*class .*\bCheckMetrics\b.* caught$/m);
    expect(text).toContain('iterations: 5 ok · 1 failed');
    expect(text).not.toContain('arn:aws:lambda');
    expect(sfn.commandCalls(DescribeStateMachineForExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
  });

  it('writes SVG for an .svg --out and refuses other extensions', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fl-graph-')), 'run.svg');
    const deps = testDeps();
    expect(await graphCommand({ execution: EXECUTION_ARN, out }, deps)).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg[\s\S]*RecordsDeadLettered[\s\S]*<\/svg>\n?$/);
    expect(await graphCommand({ execution: EXECUTION_ARN, out: 'run.png' }, deps)).toBe(1);
    expect(deps.err.join('')).toContain('--out run.png: the file name must end in .svg or .mmd');
  });
});
