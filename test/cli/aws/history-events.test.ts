import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  eventsFromHistory,
  itemStartStates,
  type MapRunCounts,
} from '../../../bin/commands/aws/history-events';
import { runInfoFromEvents } from '../../../local/graph';
import { loadDefinition } from '../../local/graph/events';
import { deadLetteredHistory, MAP_RUN_ARNS, refusedHistory, started, succeededHistory } from './fixtures';

const counts = (succeeded: number, failed = 0, running = 0): MapRunCounts => ({
  succeeded,
  failed,
  running,
  total: succeeded + failed + running,
});
const options = {
  itemStartStates: itemStartStates(loadDefinition()),
  mapRunCounts: new Map([
    [MAP_RUN_ARNS[0] ?? '', counts(5, 1)],
    [MAP_RUN_ARNS[1] ?? '', counts(1)],
  ]),
};

describe('history → engine-style events', () => {
  it('finds the ItemProcessor start state of each Map in the real definition', () => {
    expect(itemStartStates(loadDefinition())).toEqual({ LoadChunks: 'PutBatch' });
  });

  it('turns Entered/Exited of every state type into StateEntered/StateExited with the state type and parsed output', () => {
    const events = eventsFromHistory(succeededHistory());
    const top = events.filter((e) => e.index === undefined && e.state);
    expect(top.slice(0, 4).map((e) => [e.type, e.state?.name, e.state?.type])).toEqual([
      ['StateEntered', 'Plan', 'Task'],
      ['StateExited', 'Plan', 'Task'],
      ['StateEntered', 'LoadChunks', 'Map'],
      ['StateExited', 'LoadChunks', 'Map'],
    ]);
    expect(top[1]?.state?.output).toMatchObject({ runId: expect.any(String), round: { number: 0 } });
    expect(events[0]?.type).toBe('ExecutionStarted');
    expect(events[events.length - 1]?.type).toBe('ExecutionSucceeded');
  });

  it('reads a failed attempt that is scheduled again as a retry, and colours the run like the local graph', () => {
    const events = eventsFromHistory(succeededHistory(), options);
    const checkMetrics = events.filter((e) => e.state?.name === 'CheckMetrics').map((e) => e.type);
    expect(checkMetrics).toEqual(['StateEntered', 'StateFailed', 'StateRetried', 'StateExited']);
    const run = runInfoFromEvents('r', events);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.CheckMetrics).toMatchObject({
      entered: 1,
      succeeded: 1,
      retried: 1,
      failed: 0,
      outcome: 'caught',
    });
    expect(run.states.Plan?.outcome).toBe('succeeded');
    expect(run.states.WaitBeforeRequeue?.outcome).toBe('succeeded');
    expect(run.states.RecordsDeadLettered).toBeUndefined();
  });

  it('draws each Map Run child as an iteration of the ItemProcessor from DescribeMapRun counts', () => {
    const run = runInfoFromEvents('r', eventsFromHistory(succeededHistory(), options));
    expect(run.states.LoadChunks).toMatchObject({
      entered: 2,
      succeeded: 2,
      iterations: { succeeded: 6, failed: 1 },
    });
    expect(run.states.PutBatch).toMatchObject({ entered: 7, succeeded: 6, failed: 1, outcome: 'failed' });
    const withoutCounts = runInfoFromEvents('r', eventsFromHistory(succeededHistory()));
    expect(withoutCounts.states.PutBatch).toBeUndefined();
  });

  it('reads a failure followed by the state exiting as caught, and the Fail state that ended the execution as failed', () => {
    const run = runInfoFromEvents('r', eventsFromHistory(deadLetteredHistory(), options));
    expect(run.status).toBe('FAILED');
    expect(run.states.CheckMetrics).toMatchObject({ retried: 1, caught: 1, failed: 0, outcome: 'caught' });
    expect(run.states.MetricsStillLagging?.outcome).toBe('succeeded');
    expect(run.states.RecordsDeadLettered).toMatchObject({ entered: 1, failed: 1, outcome: 'failed' });
    expect(run.states.Loaded).toBeUndefined();
  });

  it("shows Plan's refusal as caught and InputRefused as failed", () => {
    const run = runInfoFromEvents('r', eventsFromHistory(refusedHistory()));
    expect(run.states.Plan).toMatchObject({ caught: 1, failed: 0, outcome: 'caught' });
    expect(run.states.DescribeRefusal?.outcome).toBe('succeeded');
    expect(run.states.InputRefused?.outcome).toBe('failed');
  });

  it('marks an uncaught task failure as failed and keeps its error name', () => {
    const history = started()
      .entered('Task', 'AdvanceRound')
      .attempt()
      .add({ type: 'TaskFailed', taskFailedEventDetails: { error: 'States.Timeout' } } as HistoryEvent)
      .add({
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'States.Timeout' },
      } as HistoryEvent).events;
    const events = eventsFromHistory(history);
    expect(events.filter((e) => e.type === 'StateFailed')).toHaveLength(1);
    expect(events.find((e) => e.type === 'StateFailed')?.Error).toBe('States.Timeout');
    expect(runInfoFromEvents('r', events).states.AdvanceRound?.outcome).toBe('failed');
  });

  it('shows a Map Run still going as running, with the children finished so far', () => {
    const history = started()
      .entered('Map', 'LoadChunks')
      .add({
        type: 'MapRunStarted',
        mapRunStartedEventDetails: { mapRunArn: MAP_RUN_ARNS[0] },
      } as HistoryEvent).events;
    const run = runInfoFromEvents(
      'r',
      eventsFromHistory(history, {
        ...options,
        mapRunCounts: new Map([[MAP_RUN_ARNS[0] ?? '', counts(3, 0, 2)]]),
      }),
    );
    expect(run.states.LoadChunks?.outcome).toBe('running');
    expect(run.states.PutBatch).toMatchObject({ entered: 5, succeeded: 3, outcome: 'running' });
  });
});
