import type { ProgressView } from '../../../local/console/server/run-watch';
import type { Progress, StateStats } from '../../../local/console/web/types';
import type { statsFromEvents } from '../../../local/graph/stats';

// The run page keeps its own copy of the shapes the server sends (no Node types in the browser
// bundle); these assignments fail `tsc` when the server's progress or the graph's state statistics
// stop fitting that copy.
type ServerStats = ReturnType<typeof statsFromEvents>;
const asPage = {
  progress: (value: ProgressView): Progress => value,
  stats: (value: ServerStats): Record<string, StateStats> => value,
};

describe("the shapes the run page reads from the server's live facts", () => {
  it('are the progress and state statistics the server sends, field for field', () => {
    const progress: ProgressView = {
      phase: 'sending',
      round: 0,
      roundChunks: 2,
      chunksDone: 1,
      chunksFailed: 0,
      chunksInFlight: 1,
      roundRecords: 1000,
      plannedRecords: 1000,
      delivered: 500,
      requeued: 0,
      throttledEntries: 0,
      failedEntries: 0,
      refusedCalls: 0,
      chunkRetries: 0,
    };
    expect(asPage.progress(progress)).toBe(progress);
    expect(asPage.stats({})).toEqual({});
  });
});
