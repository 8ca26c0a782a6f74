import { readFileSync } from 'node:fs';
import type { EngineEventShape } from '../../../functions/shared/run';
import { DEFINITION_PATH } from '../../../statemachine/substitutions';

/** The real definition file, `${Placeholder}`s and all, as the graph is drawn from it. */
export const loadDefinition = (): Record<string, unknown> =>
  JSON.parse(readFileSync(DEFINITION_PATH, 'utf8'));

export type ItemFate = 'ok' | 'retried-ok' | 'retried-failed';

const at = (
  type: string,
  name: string,
  stateType: string,
  extra: Partial<EngineEventShape> = {},
): EngineEventShape => ({
  type,
  timestamp: 0,
  state: { name, type: stateType, input: {} },
  ...extra,
});

/** A state that ran once and succeeded, as the engine reports it. */
export const passed = (name: string, stateType = 'Task', index?: number): EngineEventShape[] => [
  at('StateEntered', name, stateType, index === undefined ? {} : { index }),
  at('StateExited', name, stateType, index === undefined ? {} : { index }),
];

/**
 * One round of the lowered Distributed Map in the order aws-local-stepfunctions emits it:
 * ReadItems, the inline Map, per item the ChildExecution Parallel around PutBatch (whose Catch
 * leads to ChildExecutionFailed), then WriteResults.
 */
export function mapRound(items: ItemFate[]): EngineEventShape[] {
  const events: EngineEventShape[] = [
    ...passed('LoadChunks.ReadItems'),
    at('StateEntered', 'LoadChunks', 'Map'),
  ];
  const parent = { name: 'LoadChunks', type: 'Map', input: {} };
  items.forEach((fate, index) => {
    const inItem = (type: string, name: string, stateType: string) => at(type, name, stateType, { index });
    events.push(
      { type: 'MapIterationStarted', timestamp: 0, index, parentState: parent },
      inItem('StateEntered', 'ChildExecution', 'Parallel'),
      {
        type: 'ParallelBranchStarted',
        timestamp: 0,
        parentState: { name: 'ChildExecution', type: 'Parallel', input: {} },
      },
      inItem('StateEntered', 'PutBatch', 'Task'),
    );
    if (fate !== 'ok')
      events.push(inItem('StateFailed', 'PutBatch', 'Task'), inItem('StateRetried', 'PutBatch', 'Task'));
    if (fate === 'retried-failed') {
      events.push(
        { ...inItem('StateFailed', 'PutBatch', 'Task'), Error: 'ChunkThrottledError' },
        {
          type: 'ParallelBranchFailed',
          timestamp: 0,
          parentState: { name: 'ChildExecution', type: 'Parallel', input: {} },
        },
        inItem('StateFailed', 'ChildExecution', 'Parallel'),
        inItem('StateCaught', 'ChildExecution', 'Parallel'),
        inItem('StateExited', 'ChildExecution', 'Parallel'),
        inItem('StateEntered', 'ChildExecutionFailed', 'Pass'),
        inItem('StateExited', 'ChildExecutionFailed', 'Pass'),
      );
    } else {
      events.push(
        inItem('StateExited', 'PutBatch', 'Task'),
        inItem('StateExited', 'ChildExecution', 'Parallel'),
      );
    }
    events.push({ type: 'MapIterationSucceeded', timestamp: 0, index, parentState: parent });
  });
  events.push(at('StateExited', 'LoadChunks', 'Map'), ...passed('LoadChunks.WriteResults'));
  return events;
}

/** CheckMetrics retried once on MetricsLaggingError, then caught into MetricsStillLagging. */
export const metricsCaught = (): EngineEventShape[] => [
  at('StateEntered', 'CheckMetrics', 'Task'),
  at('StateFailed', 'CheckMetrics', 'Task'),
  at('StateRetried', 'CheckMetrics', 'Task'),
  at('StateFailed', 'CheckMetrics', 'Task'),
  at('StateCaught', 'CheckMetrics', 'Task'),
  at('StateExited', 'CheckMetrics', 'Task'),
  ...passed('MetricsStillLagging', 'Pass'),
];

/** A whole run: one round of `items`, a re-queue round of one item, lagging metrics, Loaded. */
export function syntheticRun(items: ItemFate[] = ['ok', 'retried-ok', 'retried-failed']): EngineEventShape[] {
  return [
    { type: 'ExecutionStarted', timestamp: 0 },
    ...passed('Plan'),
    ...mapRound(items),
    ...passed('AdvanceRound'),
    ...passed('MoreRounds', 'Choice'),
    ...passed('WaitBeforeRequeue', 'Wait'),
    ...mapRound(['ok']),
    ...passed('AdvanceRound'),
    ...passed('MoreRounds', 'Choice'),
    ...metricsCaught(),
    ...passed('AllRecordsAccountedFor', 'Choice'),
    ...passed('Loaded', 'Succeed'),
    { type: 'ExecutionSucceeded', timestamp: 0 },
  ];
}
