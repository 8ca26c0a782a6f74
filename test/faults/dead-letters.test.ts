import { rerunFailed } from '../../local/runner/rerun-failed';
import {
  audit,
  countLines,
  createWorkspace,
  FAULT_SEED,
  printReport,
  record,
  runCell,
  SMALL_RETRY,
  type Workspace,
} from './matrix';

/** No re-queue rounds: what fails is dead-lettered, and rerun-failed delivers it once the faults are gone. */

let workspace: Workspace;

beforeAll(async () => {
  workspace = await createWorkspace('dead-letters');
});

afterAll(async () => {
  printReport('Dead letters and rerun-failed');
  await workspace?.remove();
});

describe('dead letters', () => {
  it('dead-letters what 30% failing entries leave without re-queue rounds, and rerun-failed delivers exactly those records', async () => {
    const first = await runCell('30% entries failing, requeueRounds 0', workspace, {
      requeueRounds: 0,
      faults: { entryFailureRate: 0.3, seed: FAULT_SEED },
    });
    const { summary } = first;
    expect(summary.status).toBe('FAILED');
    expect(summary.error?.name).toBe('RecordsDeadLettered');
    expect(summary.records.deadLettered).toBeGreaterThan(0);
    expect(summary.records.input).toBe(workspace.records);
    expect(summary.records.input).toBe(
      summary.records.delivered + summary.records.deadLettered + summary.records.rejected,
    );
    expect(first.audit.lost).toBe(0);
    expect(first.audit.foreign).toBe(0);
    expect(first.audit.duplicates).toBe(0);
    expect(first.audit.deadLetterLines).toBe(summary.records.deadLettered);
    expect(first.audit.deliveredLines).toBe(summary.records.delivered);
    expect(summary.deadLetter.files).toHaveLength(1);

    // Faults removed (each run starts its own services, with no faults unless asked).
    const { rerun, updated } = await rerunFailed(summary.runId, {
      dataDir: workspace.dataDir,
      fastTimers: true,
      maxConcurrency: 8,
      requeueRounds: 5,
      retry: SMALL_RETRY,
      runId: 'run-rerun-of-dead-letters',
      progress: { write: () => undefined, interactive: false },
    });
    expect(rerun?.status).toBe('SUCCEEDED');
    expect(rerun?.records.input).toBe(summary.records.deadLettered);
    expect(rerun?.records.delivered).toBe(summary.records.deadLettered);
    if (rerun) {
      const rerunAudit = await audit(await countLines(summary.deadLetter.files), rerun);
      expect(rerunAudit.lost + rerunAudit.duplicates + rerunAudit.foreign).toBe(0);
      record('rerun-failed of those dead letters', { summary: rerun, audit: rerunAudit });
    }

    expect(updated.status).toBe('SUCCEEDED');
    expect(updated.records.delivered).toBe(workspace.records);
    expect(updated.records.deadLettered).toBe(0);
    const all = await audit(workspace.expected, updated);
    expect(all).toEqual({
      lost: 0,
      duplicates: 0,
      foreign: 0,
      deliveredLines: workspace.records,
      deadLetterLines: 0,
    });
  });
});
