import { S3Client } from '@aws-sdk/client-s3';
import { executeDefinition } from '../../../local/runner/execute-definition';
import type { LambdaHandler } from '../../../local/runner/local-lambdas';
import type { JsonObject } from '../../../local/runner/lower-distributed-map';
import { fillRetryCounts, markRetryCounts, RetryCounter } from '../../../local/runner/retry-count';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';

const task = (parameters: JsonObject): JsonObject => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: FN, Payload: parameters },
  Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 3 }],
  End: true,
});

class Flaky extends Error {
  constructor() {
    super('fails until its third attempt');
    this.name = 'Flaky';
  }
}

describe('the local stand-in for $$.State.RetryCount', () => {
  it('marks the count in Task Parameters at any depth and names the Tasks that use it', () => {
    const { states, counted } = markRetryCounts({
      Top: task({ 'n.$': '$$.State.RetryCount', 'x.$': '$.x' }),
      Fan: {
        Type: 'Map',
        ItemProcessor: { StartAt: 'Inner', States: { Inner: task({ 'n.$': '$$.State.RetryCount' }) } },
        End: true,
      },
      Both: {
        Type: 'Parallel',
        Branches: [{ StartAt: 'B', States: { B: task({ 'x.$': '$.x' }) } }],
        End: true,
      },
    });
    expect([...counted].sort()).toEqual(['Inner', 'Top']);
    const top = (states.Top as { Parameters: { Payload: Record<string, unknown> } }).Parameters.Payload;
    expect(Object.keys(top).sort()).toEqual(['n', 'x.$']);
    expect(fillRetryCounts(top, 2)).toEqual({ n: 2, 'x.$': '$.x' });
  });

  it('counts earlier invocations of the same state with the same parameters only', () => {
    const counter = new RetryCounter();
    expect(counter.next('Put', { chunk: 'a' })).toBe(0);
    expect(counter.next('Put', { chunk: 'b' })).toBe(0);
    expect(counter.next('Put', { chunk: 'a' })).toBe(1);
    expect(counter.next('Other', { chunk: 'a' })).toBe(0);
  });

  it('gives a Task retried by the engine 0, 1, 2 and a redrive count of 0, inside a Map as on top', async () => {
    const seen: { item: number; retryCount: number; redriveCount: number }[] = [];
    const work: LambdaHandler = async (event: never) => {
      const input = event as { item: number; retryCount: number; redriveCount: number };
      seen.push(input);
      if (input.retryCount < 2) throw new Flaky();
      return input.item;
    };
    const payload = {
      'item.$': '$.item',
      'retryCount.$': '$$.State.RetryCount',
      'redriveCount.$': '$$.Execution.RedriveCount',
    };
    const result = await executeDefinition({
      definition: {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemSelector: { 'item.$': '$$.Map.Item.Value' },
            ItemProcessor: {
              ProcessorConfig: { Mode: 'INLINE' },
              StartAt: 'Work',
              States: { Work: { ...task(payload), OutputPath: '$.Payload' } },
            },
            End: true,
          },
        },
      },
      input: { items: [7, 8] },
      executionName: 'retry-count',
      s3: new S3Client({ region: 'us-east-1' }),
      handlers: new Map([[FN, work]]),
      fastTimers: true,
    });
    expect(result).toEqual({ status: 'SUCCEEDED', output: [7, 8] });
    for (const item of [7, 8]) {
      expect(seen.filter((input) => input.item === item)).toEqual([
        { item, retryCount: 0, redriveCount: 0 },
        { item, retryCount: 1, redriveCount: 0 },
        { item, retryCount: 2, redriveCount: 0 },
      ]);
    }
  });
});
