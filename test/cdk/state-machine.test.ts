import validator from 'asl-validator';
import { MAP_RESULTS_PREFIX } from '../../lib/loader-buckets';
import { DISTRIBUTED_MAP_LABEL } from '../../lib/loader-state-machine';
import {
  buildDefinitionSubstitutions,
  placeholdersIn,
  readDefinitionTemplate,
} from '../../statemachine/substitutions';
import { envOf, flatten, resourcesOfType, type Synthesized, synth } from './synth';

interface RetryJson {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface StateJson {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  Retry?: RetryJson[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Next?: string;
  Label?: string;
  ItemReader?: {
    Resource: string;
    ReaderConfig?: { InputType?: string };
    Parameters: Record<string, unknown>;
  };
  ResultWriter?: { Resource: string; Parameters: Record<string, unknown> };
  ItemProcessor?: {
    ProcessorConfig: { Mode: string; ExecutionType: string };
    States: Record<string, StateJson>;
  };
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
}
interface DefinitionJson {
  StartAt: string;
  States: Record<string, StateJson>;
}

const TRANSIENT_LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Every state, the Distributed Map's child states included, by name. */
function allStates(states: Record<string, StateJson>): Record<string, StateJson> {
  const out: Record<string, StateJson> = {};
  for (const [name, state] of Object.entries(states)) {
    out[name] = state;
    if (state.ItemProcessor) Object.assign(out, allStates(state.ItemProcessor.States));
  }
  return out;
}

describe('the synthesised state machine', () => {
  let s: Synthesized;
  let definitionText: string;
  let definition: DefinitionJson;
  let states: Record<string, StateJson>;
  let machine: Record<string, unknown>;
  beforeAll(async () => {
    s = await synth();
    const machines = resourcesOfType(s.json, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(1);
    machine = (machines[0] as [string, { Properties: Record<string, unknown> }])[1].Properties;
    // The definition is an Fn::Join of literal JSON and function/bucket tokens; flatten() renders the
    // tokens as `<LogicalId.Arn>` / `<LogicalId>` strings, which keeps it valid JSON.
    definitionText = flatten(machine.DefinitionString);
    definition = JSON.parse(definitionText) as DefinitionJson;
    states = allStates(definition.States);
  });

  const lambdaTasks = () =>
    Object.entries(states).filter(([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke');
  const functionTimeout = (logicalId: string) => {
    const timeout = s.json.Resources[logicalId]?.Properties.Timeout;
    if (typeof timeout !== 'number') throw new Error(`no Timeout on ${logicalId}`);
    return timeout;
  };

  it('is inline in the template (not an S3 asset) and has no placeholder left', () => {
    expect(machine.DefinitionS3Location).toBeUndefined();
    expect(definitionText).not.toMatch(/\$\{[A-Za-z0-9]+\}/);
    expect(definition.StartAt).toBe('Plan');
  });

  it('substitutes exactly the placeholders loader.asl.json uses, each one by the shared builder', () => {
    const keys = Object.keys(
      buildDefinitionSubstitutions({
        planFunctionArn: 'p',
        putBatchFunctionArn: 'b',
        advanceRoundFunctionArn: 'a',
        checkMetricsFunctionArn: 'c',
        artifactBucketName: 'n',
      }),
    );
    expect(placeholdersIn(readDefinitionTemplate()).sort()).toEqual([...keys].sort());
  });

  it('calls each function from its own Task state', () => {
    const { plan, putBatch, advanceRound, checkMetrics } = s.stack.functions;
    const expected: Record<string, string> = {
      Plan: `<${s.id(plan)}.Arn>`,
      PutBatch: `<${s.id(putBatch)}.Arn>`,
      AdvanceRound: `<${s.id(advanceRound)}.Arn>`,
      CheckMetrics: `<${s.id(checkMetrics)}.Arn>`,
    };
    const actual = Object.fromEntries(
      lambdaTasks().map(([name, state]) => [name, state.Parameters?.FunctionName]),
    );
    expect(actual).toEqual(expected);
  });

  it('runs the chunks in a Distributed Map of Express children over the artifact bucket, under the prefixes its role is scoped to', () => {
    const map = definition.States.LoadChunks as StateJson;
    const artifacts = `<${s.id(s.stack.buckets.artifacts)}>`;
    expect(map.Type).toBe('Map');
    expect(map.Label).toBe(DISTRIBUTED_MAP_LABEL);
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: artifacts, 'Key.$': '$.round.manifestKey' },
    });
    expect(map.ResultWriter?.Resource).toBe('arn:aws:states:::s3:putObject');
    expect(map.ResultWriter?.Parameters.Bucket).toBe(artifacts);
    expect(`${map.ResultWriter?.Parameters.Prefix}/`).toBe(MAP_RESULTS_PREFIX);
    expect(map.MaxConcurrencyPath).toBe('$.settings.maxConcurrency');
    // Failed children are found by their missing outcome and re-queued; the Map itself must not fail.
    expect(map.ToleratedFailurePercentage).toBe(100);
  });

  it('retries transient Lambda errors in every Lambda task, with backoff, a delay cap and full jitter', () => {
    expect(
      lambdaTasks()
        .map(([name]) => name)
        .sort(),
    ).toEqual(['AdvanceRound', 'CheckMetrics', 'Plan', 'PutBatch']);
    for (const [name, state] of lambdaTasks()) {
      // PutBatch retries throttling in a rule of its own (longer; see definition.test.ts).
      const rules = state.Retry?.filter((r) =>
        TRANSIENT_LAMBDA_ERRORS.some((e) => r.ErrorEquals.includes(e)),
      );
      const errors = (rules ?? []).flatMap((r) => r.ErrorEquals).sort();
      expect({ name, errors }).toEqual({ name, errors: [...TRANSIENT_LAMBDA_ERRORS].sort() });
      for (const retry of rules ?? []) {
        expect(retry).toMatchObject({ JitterStrategy: 'FULL' });
        expect(retry?.BackoffRate).toBeGreaterThan(1);
        expect(retry?.MaxDelaySeconds).toBeGreaterThan(0);
      }
    }
  });

  it('retries a throttled chunk in its child execution with backoff and full jitter', () => {
    const retry = states.PutBatch?.Retry?.find((r) => r.ErrorEquals.includes('ChunkThrottledError'));
    expect(retry).toMatchObject({ JitterStrategy: 'FULL' });
    expect(retry?.MaxAttempts).toBeGreaterThan(1);
    expect(retry?.BackoffRate).toBeGreaterThan(1);
  });

  it('waits for lagging CloudWatch metrics with retries, then reports the lag instead of failing the load', () => {
    const check = states.CheckMetrics as StateJson;
    expect(check.Retry?.[0]?.ErrorEquals).toEqual(['MetricsLaggingError']);
    expect(check.Catch).toEqual([
      { ErrorEquals: ['MetricsLaggingError'], ResultPath: null, Next: 'MetricsStillLagging' },
    ]);
    expect(states.MetricsStillLagging?.Type).toBe('Pass');
  });

  it('refuses invalid input through a Fail state, without retrying it', () => {
    const plan = states.Plan as StateJson;
    const refusal = plan.Catch?.find((c) => c.ErrorEquals.includes('InvalidInputError'));
    // A ConfigError is the deployment's (an environment variable), not the input's: not refused as input.
    expect(refusal?.ErrorEquals).toEqual(['InvalidInputError', 'MalformedSourceError']);
    expect(plan.Retry?.flatMap((r) => r.ErrorEquals)).not.toContain('InvalidInputError');
    const describe = states[refusal?.Next ?? ''];
    expect(describe?.Type).toBe('Pass');
    expect(states[describe?.Next ?? '']?.Type).toBe('Fail');
  });

  it('lets every Lambda time out before the Task state that waits for it', () => {
    const byState: Record<string, string> = {
      Plan: s.id(s.stack.functions.plan),
      PutBatch: s.id(s.stack.functions.putBatch),
      AdvanceRound: s.id(s.stack.functions.advanceRound),
      CheckMetrics: s.id(s.stack.functions.checkMetrics),
    };
    // A state without TimeoutSeconds waits as long as the function runs.
    const outlived = lambdaTasks()
      .filter(([name, state]) => {
        const limit = state.TimeoutSeconds;
        return limit !== undefined && functionTimeout(byState[name] as string) >= limit;
      })
      .map(([name]) => name);
    expect(outlived).toEqual([]);
  });

  it('gives PutBatch more time than its Firehose retry budget', () => {
    const putBatch = s.id(s.stack.functions.putBatch);
    expect(functionTimeout(putBatch) * 1000).toBeGreaterThan(Number(envOf(s.json, putBatch).RETRY_BUDGET_MS));
  });

  it("takes a chunk's claim over only after PutBatch's own timeout and the PutBatch state's, so never from a live owner", () => {
    const putBatch = s.id(s.stack.functions.putBatch);
    const takeoverMs = Number(envOf(s.json, putBatch).CLAIM_TAKEOVER_AFTER_MS);
    expect(takeoverMs).toBeGreaterThan(functionTimeout(putBatch) * 1000);
    const stateTimeout = lambdaTasks().find(([name]) => name === 'PutBatch')?.[1].TimeoutSeconds ?? Infinity;
    expect(takeoverMs).toBeGreaterThan(stateTimeout * 1000);
  });

  it('passes the Amazon States Language validator', () => {
    const result = validator(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is a Standard workflow with X-Ray tracing and logging of ALL events without execution data, to a log group with retention', () => {
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.StateMachineName).toBe('FirehoseLoader');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    const logging = machine.LoggingConfiguration as {
      Level: string;
      IncludeExecutionData: boolean;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
    };
    expect(logging.Level).toBe('ALL');
    expect(logging.IncludeExecutionData).toBe(false);
    const logGroupId = s.id(s.stack.loader.logGroup);
    expect(flatten(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn)).toBe(`<${logGroupId}.Arn>`);
    // The name under /aws/vendedlogs/ is pinned with the other physical names in names.test.ts.
    expect(s.json.Resources[logGroupId]?.Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it('logs only errors when the setting says ERROR', async () => {
    const quiet = await synth({ stateMachineLogLevel: 'ERROR' });
    quiet.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
  });
});
