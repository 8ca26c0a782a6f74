import { runInfoFromEvents, statsFromEvents } from '../../../local/graph';
import { mapRound, passed, syntheticRun } from './events';

describe('statsFromEvents', () => {
  it('counts 3 PutBatch iterations with 2 retries, the one ended in ChildExecutionFailed as failed', () => {
    const states = statsFromEvents([...passed('Plan'), ...mapRound(['ok', 'retried-ok', 'retried-failed'])]);
    expect(states.PutBatch).toEqual({
      entered: 3,
      succeeded: 2,
      failed: 1,
      retried: 2,
      caught: 0,
      iterations: { succeeded: 2, failed: 1 },
      outcome: 'failed',
    });
  });

  it('folds ReadItems and WriteResults into one LoadChunks visit per round and tolerates failed items as amber', () => {
    const states = statsFromEvents(syntheticRun());
    expect(states.LoadChunks).toEqual({
      entered: 2,
      succeeded: 2,
      failed: 0,
      retried: 0,
      caught: 0,
      iterations: { succeeded: 3, failed: 1 },
      outcome: 'caught',
    });
  });

  it('keeps the lowering out of the result: no ReadItems, WriteResults, ChildExecution or ChildExecutionFailed', () => {
    const names = Object.keys(statsFromEvents(syntheticRun()));
    expect(names.sort()).toEqual(
      [
        'AdvanceRound',
        'AllRecordsAccountedFor',
        'CheckMetrics',
        'LoadChunks',
        'Loaded',
        'MetricsStillLagging',
        'MoreRounds',
        'Plan',
        'PutBatch',
        'WaitBeforeRequeue',
      ].sort(),
    );
  });

  it('does not merge items of different rounds that share an index', () => {
    const states = statsFromEvents([...mapRound(['retried-failed']), ...mapRound(['ok'])]);
    expect(states.PutBatch?.iterations).toEqual({ succeeded: 1, failed: 1 });
  });

  it('counts a Catch as caught rather than failed, and a retry that recovered as retried', () => {
    const states = statsFromEvents(syntheticRun());
    expect(states.CheckMetrics).toMatchObject({ entered: 1, succeeded: 0, failed: 0, retried: 1, caught: 1 });
    expect(states.CheckMetrics?.outcome).toBe('caught');
    expect(states.AdvanceRound).toMatchObject({ entered: 2, succeeded: 2, outcome: 'succeeded' });
  });

  it('marks a Fail state as failed and a state still open at the end of the events as running', () => {
    const states = statsFromEvents([
      { type: 'StateEntered', timestamp: 0, state: { name: 'InputRefused', type: 'Fail', input: {} } },
      { type: 'StateFailed', timestamp: 0, state: { name: 'InputRefused', type: 'Fail', input: {} } },
      { type: 'StateEntered', timestamp: 0, state: { name: 'Plan', type: 'Task', input: {} } },
    ]);
    expect(states.InputRefused).toMatchObject({ entered: 1, failed: 1, outcome: 'failed' });
    expect(states.Plan?.outcome).toBe('running');
  });

  it('takes the run status from the execution events', () => {
    expect(runInfoFromEvents('r1', syntheticRun()).status).toBe('SUCCEEDED');
    expect(
      runInfoFromEvents('r2', [...passed('Plan'), { type: 'ExecutionFailed', timestamp: 0 }]).status,
    ).toBe('FAILED');
  });
});
