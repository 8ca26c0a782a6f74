import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccounted, FIXTURES, runInput } from './run-input';

/**
 * A source with nothing to send (no records, or only rejects) never reaches the Distributed Map:
 * what AWS does with an empty ItemReader manifest is not documented, so a Choice skips it.
 */

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bad-input-empty-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Names of the states the run entered, in order, from its events.jsonl. */
async function statesEntered(runId: string): Promise<string[]> {
  const text = await readFile(join(dir, 'runs', runId, 'events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; state?: { name: string } })
    .filter((event) => event.type === 'StateEntered' && event.state)
    .map((event) => event.state?.name ?? '');
}

describe('a source with nothing to send', () => {
  it('with 0 records succeeds without entering the Distributed Map', async () => {
    const runId = 'run-empty-source';
    const { summary, delivered } = await runInput(dir, join(FIXTURES, 'empty.jsonl'), 'jsonl', { runId });
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.records).toMatchObject({ input: 0, delivered: 0, rejected: 0, deadLettered: 0 });
    expect(delivered).toEqual([]);
    expect(await statesEntered(runId)).toEqual([
      'Plan',
      'AnythingToLoad',
      'AllRecordsAccountedFor',
      'Loaded',
    ]);
  });

  it('with only rejected records succeeds, reports every reject and does not enter the Distributed Map', async () => {
    const runId = 'run-only-rejects';
    const { summary, delivered, rejects } = await runInput(
      dir,
      join(FIXTURES, 'only-rejects.jsonl'),
      'jsonl',
      {
        runId,
      },
    );
    expect(summary.status).toBe('SUCCEEDED');
    expectAccounted(summary);
    expect(summary.records).toMatchObject({ input: 2, delivered: 0, rejected: 2, deadLettered: 0 });
    expect(delivered).toEqual([]);
    expect(rejects.map((r) => r.record)).toEqual([0, 1]);
    expect(await statesEntered(runId)).not.toContain('LoadChunks');
  });
});
