import { compactEvent } from '../../../local/runner/distributed-map';
import { LOCAL_ITEMS_KEY, LOCAL_RESULTS_KEY } from '../../../local/runner/distributed-map/state-keys';

describe("the lowered Map's events as events.jsonl keeps them", () => {
  it('replace the item list and the results in the state by their count, and drop the parent input', () => {
    const items = [{ chunk: 1 }, { chunk: 2 }, { chunk: 3 }];
    const event = compactEvent({
      type: 'MapIterationSucceeded',
      timestamp: 1,
      index: 2,
      state: { name: 'LoadChunks', type: 'Map', input: { runId: 'r', [LOCAL_ITEMS_KEY]: items } },
      parentState: { name: 'LoadChunks', type: 'Map', input: { [LOCAL_ITEMS_KEY]: items } },
    });
    expect(event).toEqual({
      type: 'MapIterationSucceeded',
      timestamp: 1,
      index: 2,
      state: {
        name: 'LoadChunks',
        type: 'Map',
        input: { runId: 'r', localMapItemCount: 3 },
        output: undefined,
      },
      parentState: { name: 'LoadChunks', type: 'Map', input: undefined },
    });
    const written = compactEvent({
      type: 'StateExited',
      timestamp: 2,
      state: { name: 'LoadChunks', type: 'Map', input: {}, output: { [LOCAL_RESULTS_KEY]: [1, 2] } },
    });
    expect(written.state?.output).toEqual({ localMapItemCount: 2 });
  });

  it('keep every other state as it is', () => {
    const state = { name: 'Plan', type: 'Task', input: { runId: 'r' }, output: { plan: { records: 3 } } };
    expect(compactEvent({ type: 'StateExited', timestamp: 3, state }).state).toEqual(state);
  });
});
