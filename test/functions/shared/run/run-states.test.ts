import { failureOf, handsOnRound, isRunState, StepName } from '../../../../functions/shared/run';
import { RoundNext, type RunState } from '../../../../functions/shared/run-state';

const stateWith = (next: RoundNext) =>
  ({ runId: 'run-1', plan: {}, round: { number: 0, next }, totals: {} }) as unknown as RunState;

describe('the run-state helpers', () => {
  it('take a step output for a run state only when it has a run id, a plan, a round and totals', () => {
    expect(isRunState(stateWith(RoundNext.done))).toBe(true);
    // Plan's output after a caught refusal: the input plus an error.
    expect(isRunState({ source: { bucket: 'b', key: 'k' }, error: { Error: 'InvalidInputError' } })).toBe(
      false,
    );
    expect(isRunState({ plan: {}, round: {}, totals: {} })).toBe(false);
    expect(isRunState(null)).toBe(false);
  });

  it('say a round is handed on after Plan and after an AdvanceRound that re-queues, not after the last one', () => {
    expect(handsOnRound(StepName.plan, stateWith(RoundNext.done))).toBe(true);
    expect(handsOnRound(StepName.advanceRound, stateWith(RoundNext.requeue))).toBe(true);
    expect(handsOnRound(StepName.advanceRound, stateWith(RoundNext.done))).toBe(false);
    expect(handsOnRound(StepName.checkMetrics, stateWith(RoundNext.requeue))).toBe(false);
  });

  it("reduce a Lambda error's JSON cause to its type and message, and keep a Fail state's sentence", () => {
    const cause = JSON.stringify({
      errorType: 'AccountingError',
      errorMessage: 'sums differ',
      trace: ['at x'],
    });
    expect(failureOf('Error', cause)).toEqual({ name: 'AccountingError', message: 'sums differ' });
    expect(failureOf('RecordsDeadLettered', '3 records could not be delivered')).toEqual({
      name: 'RecordsDeadLettered',
      message: '3 records could not be delivered',
    });
  });
});
