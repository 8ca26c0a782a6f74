import { defaultClaimTakeoverAfterMs, putBatchTimeoutMs } from '../../functions/put-batch/config';
import { LOADER_ERROR_NAMES } from '../../functions/shared/errors';
import { DEFAULT_RETRY_POLICY } from '../../functions/shared/firehose';
import { REQUEST_TIMEOUT_MS } from '../../functions/shared/firehose/client';
import { MAX_EXPRESS_EXECUTION_SECONDS, THROTTLED_INVOKE_SECONDS } from '../../functions/shared/limits';
import { PUT_BATCH_TIMEOUT_HEADROOM } from '../../lib/loader-functions';
import {
  buildDefinitionSubstitutions,
  placeholdersIn,
  readDefinitionTemplate,
  substituteDefinition,
} from '../../statemachine/substitutions';

interface RetryRule {
  ErrorEquals: string[];
  JitterStrategy?: string;
  IntervalSeconds: number;
  MaxAttempts: number;
  MaxDelaySeconds: number;
  BackoffRate: number;
}
type State = Record<string, unknown> & {
  Retry?: RetryRule[];
  Catch?: { ErrorEquals: string[] }[];
};

const template = readDefinitionTemplate();
const refs = {
  planFunctionArn: 'arn:plan',
  putBatchFunctionArn: 'arn:put-batch',
  advanceRoundFunctionArn: 'arn:advance-round',
  checkMetricsFunctionArn: 'arn:check-metrics',
  artifactBucketName: 'artifacts',
};
const definition = JSON.parse(substituteDefinition(template, buildDefinitionSubstitutions(refs))) as {
  States: Record<string, State>;
};

/** The sum of a retrier's sleeps when every jittered wait is its ceiling. */
function longestSleeps(rule: RetryRule): number {
  return Array.from({ length: rule.MaxAttempts }, (_, k) =>
    Math.min(rule.IntervalSeconds * rule.BackoffRate ** k, rule.MaxDelaySeconds),
  ).reduce((sum, seconds) => sum + seconds, 0);
}

function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const processor = state.ItemProcessor as { States: Record<string, State> } | undefined;
    return [[name, state] as [string, State], ...(processor ? allStates(processor.States) : [])];
  });
}

describe('the state machine definition', () => {
  it('uses exactly the placeholders the shared substitution map provides', () => {
    expect(placeholdersIn(template).sort()).toEqual(Object.keys(buildDefinitionSubstitutions(refs)).sort());
  });

  it('refuses to substitute a placeholder the map does not know', () => {
    const placeholder = ['$', '{Unknown}'].join('');
    expect(() => substituteDefinition(`{"a": "${placeholder}"}`, {})).toThrow(placeholder);
  });

  it('names in Retry and Catch only States.*, Lambda.* and the errors our functions throw', () => {
    const named = allStates(definition.States).flatMap(([, state]) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    const ours = named.filter((name) => !name.startsWith('States.') && !name.startsWith('Lambda.'));
    expect(ours.length).toBeGreaterThan(0);
    for (const name of ours) expect(LOADER_ERROR_NAMES).toContain(name);
  });

  it('retries every Task with backoff, a delay cap and full jitter', () => {
    const tasks = allStates(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(['AdvanceRound', 'CheckMetrics', 'Plan', 'PutBatch']);
    for (const [, task] of tasks) {
      expect(task.Retry?.length).toBeGreaterThan(0);
      for (const rule of task.Retry ?? []) {
        expect(rule).toEqual(
          expect.objectContaining({ JitterStrategy: 'FULL', MaxDelaySeconds: expect.any(Number) }),
        );
        expect(rule.BackoffRate).toBeGreaterThan(1);
      }
      expect(task.TimeoutSeconds).toEqual(expect.any(Number));
    }
  });

  it('retries a chunk Firehose throttled as a whole, natively in Step Functions', () => {
    const putBatch = allStates(definition.States).find(([name]) => name === 'PutBatch')?.[1];
    expect(putBatch?.Retry?.flatMap((rule) => rule.ErrorEquals)).toContain('ChunkThrottledError');
  });

  it('retries a chunk another attempt holds long enough for that attempt to finish or its claim to be taken over', () => {
    const putBatch = allStates(definition.States).find(([name]) => name === 'PutBatch')?.[1];
    const rule = putBatch?.Retry?.find((r) => r.ErrorEquals.includes('ChunkInProgressError'));
    expect(rule).toBeDefined();
    // Each attempt polls the claim for the retry budget before it throws ChunkInProgressError, so the
    // attempts alone, without any jittered sleep, outlast the default takeover limit of a dead owner.
    const attempts = 1 + (rule?.MaxAttempts ?? 0);
    const takeoverMs = defaultClaimTakeoverAfterMs(putBatchTimeoutMs(DEFAULT_RETRY_POLICY.budgetMs));
    expect(attempts * DEFAULT_RETRY_POLICY.budgetMs).toBeGreaterThan(takeoverMs);
    // And the takeover limit is past the Lambda's own timeout: a claim is never taken from a live owner.
    expect(takeoverMs).toBeGreaterThan(putBatchTimeoutMs(DEFAULT_RETRY_POLICY.budgetMs));
  });

  it('keeps a chunk child execution, with every Step Functions retry, inside the Express 5-minute limit', () => {
    const putBatch = allStates(definition.States).find(([name]) => name === 'PutBatch')?.[1] as State & {
      TimeoutSeconds: number;
      Retry: RetryRule[];
    };
    // Worst case: every attempt of every retrier is used and every sleep is the longest. An attempt
    // that ran the function may take the state's whole timeout; a throttled one never ran the function
    // (Lambda refused the Invoke), so it costs the refused call's round trip.
    const throttled = (rule: RetryRule) => rule.ErrorEquals.includes('Lambda.TooManyRequestsException');
    expect(putBatch.Retry.filter(throttled).map((rule) => rule.ErrorEquals)).toEqual([
      ['Lambda.TooManyRequestsException'],
    ]);
    const attempts = (rules: RetryRule[]) => rules.reduce((sum, rule) => sum + rule.MaxAttempts, 0);
    const ran = 1 + attempts(putBatch.Retry.filter((rule) => !throttled(rule)));
    const refused = attempts(putBatch.Retry.filter(throttled));
    const sleeps = putBatch.Retry.map(longestSleeps).reduce((sum, seconds) => sum + seconds, 0);
    expect(ran * putBatch.TimeoutSeconds + refused * THROTTLED_INVOKE_SECONDS + sleeps).toBeLessThanOrEqual(
      MAX_EXPRESS_EXECUTION_SECONDS,
    );
    // The Lambda itself (retry budget plus headroom) times out before the state does.
    const lambdaSeconds = DEFAULT_RETRY_POLICY.budgetMs / 1000 + PUT_BATCH_TIMEOUT_HEADROOM.toSeconds();
    // A Firehose call started as the budget ends must finish inside the Lambda's timeout.
    expect(PUT_BATCH_TIMEOUT_HEADROOM.toSeconds()).toBeGreaterThan(REQUEST_TIMEOUT_MS / 1000);
    expect(lambdaSeconds).toBeLessThan(putBatch.TimeoutSeconds);
  });

  it('waits out Lambda throttling of PutBatch (a new account has little concurrency) for up to 45 s, not 3', () => {
    const putBatch = allStates(definition.States).find(([name]) => name === 'PutBatch')?.[1] as State & {
      Retry: RetryRule[];
    };
    const rule = putBatch.Retry.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
    // Full jitter waits between 0 and the ceiling; the ceilings add up to how long a child keeps trying.
    expect(longestSleeps(rule as RetryRule)).toBeGreaterThanOrEqual(45);
  });

  it('fans out with a Distributed Map that reads the manifest from S3 and writes results to S3', () => {
    const map = definition.States.LoadChunks as Record<string, Record<string, unknown>>;
    expect(map.ItemProcessor?.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ItemReader).toEqual(
      expect.objectContaining({
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { Bucket: 'artifacts', 'Key.$': '$.round.manifestKey' },
      }),
    );
    expect(map.ResultWriter).toEqual(expect.objectContaining({ Resource: 'arn:aws:states:::s3:putObject' }));
    expect(map.MaxConcurrencyPath).toBe('$.settings.maxConcurrency');
    // Failed chunks are found by AdvanceRound and re-queued, so the Map keeps going when one fails.
    expect(map.ToleratedFailurePercentage).toBe(100);
  });

  it("gives each PutBatch item its chunk, run, round, the plan's reject count and the pacing schedule's inputs", () => {
    const map = definition.States.LoadChunks as Record<string, unknown>;
    // sourceRejects: with none in the whole source, PutBatch need not validate the records again.
    // quota, paceRate and the Map's EnteredTime: with the chunk's planned offset, when to send it.
    expect(map.ItemSelector).toEqual({
      'runId.$': '$.runId',
      'round.$': '$.round.number',
      'sourceRejects.$': '$.plan.rejected',
      'item.$': '$$.Map.Item.Index',
      'maxConcurrency.$': '$.settings.maxConcurrency',
      'quota.$': '$.quota',
      'paceRate.$': '$.pace.rate',
      'mapStartedAt.$': '$$.State.EnteredTime',
      'chunk.$': '$$.Map.Item.Value',
    });
  });

  it('goes from Plan to the Distributed Map only when there is a chunk to load', () => {
    expect(definition.States.Plan?.Next).toBe('AnythingToLoad');
    expect(definition.States.AnythingToLoad).toEqual(
      expect.objectContaining({
        Type: 'Choice',
        Choices: [{ Variable: '$.round.chunks', NumericEquals: 0, Next: 'AllRecordsAccountedFor' }],
        Default: 'LoadChunks',
      }),
    );
  });

  it('loops back to the Map for re-queue rounds through a growing Wait', () => {
    const choice = definition.States.MoreRounds as { Choices: { Next: string }[]; Default: string };
    expect(choice.Choices[0]?.Next).toBe('WaitBeforeRequeue');
    expect(definition.States.WaitBeforeRequeue).toEqual(
      expect.objectContaining({ SecondsPath: '$.round.waitSeconds', Next: 'LoadChunks' }),
    );
    expect(choice.Default).toBe('CheckMetrics');
  });

  it('fails with a cause naming the dead letters when any record is left undelivered', () => {
    expect(definition.States.RecordsDeadLettered).toEqual({
      Type: 'Fail',
      Error: 'RecordsDeadLettered',
      CausePath: '$.deadLetter.message',
    });
  });
});
