import { join } from 'node:path';
import { chunkTimesFromLog } from '../../../local/console/data/log-lines';
import { localResultManifests, readMapRun } from '../../../local/console/data/map-run';
import { statusOf } from '../../../local/console/data/map-run-model';
import { folderStore, RUN_A } from './fixture-store';

const store = folderStore(join(RUN_A.dir, 'artifacts'));
const logFile = join(RUN_A.dir, 'run-dir', 'functions.log.jsonl');

async function view(finished = true) {
  return readMapRun(RUN_A.runId, {
    store,
    resultManifests: await localResultManifests(store, RUN_A.runId),
    times: await chunkTimesFromLog(logFile),
    finished,
  });
}

describe('the Map Run view of a local run', () => {
  it('shows every chunk of every round with its status, counts and bytes', async () => {
    const { chunks } = await view();
    expect(chunks.map((c) => [c.round, c.index, c.chunkId, c.status])).toEqual([
      [0, 0, 'r0-c000000', 'requeued'],
      [0, 1, 'r0-c000001', 'delivered'],
      [0, 2, 'r0-c000002', 'failed'],
      [1, 0, 'r1-c000000', 'deadLettered'],
      [1, 1, 'r1-c000001', 'deadLettered'],
    ]);
    expect(chunks[1]).toMatchObject({
      records: 200,
      bytes: 58606,
      mode: 'batch',
      delivered: 200,
      attempts: 4,
      failedEntries: 86,
      throttledEntries: 86,
    });
  });

  it('takes outcomes from the Map results and from the outcome objects, and claims from the keys', async () => {
    const { chunks } = await view();
    // r0-c000000 is only in SUCCEEDED_0.json's Output; r0-c000001 only an object; r0-c000002 a claim.
    expect(chunks[0]).toMatchObject({ delivered: 91, requeued: 9, attempts: 3 });
    expect(chunks[2]).toMatchObject({ delivered: null, attempts: null, takenOverClaims: 1 });
  });

  it("ignores Map results of another run whose id starts with this run's", async () => {
    const keys = await localResultManifests(store, RUN_A.runId);
    expect(keys).toEqual([`map-results/${RUN_A.runId}-1/manifest.json`]);
  });

  it('times each chunk from its first to its last log line, skipping a broken line', async () => {
    const { chunks } = await view();
    expect(chunks[1]).toMatchObject({
      startedAt: '2026-11-30T20:37:12.456Z',
      endedAt: '2026-11-30T20:37:15.171Z',
      durationMs: 2715,
    });
    expect(chunks[4]).toMatchObject({ startedAt: null, durationMs: null });
  });

  it('counts each round by status', async () => {
    const { rounds } = await view();
    expect(rounds.map((r) => [r.round, r.chunks, r.records, r.ended])).toEqual([
      [0, 3, 303, true],
      [1, 2, 12, true],
    ]);
    expect(rounds[0]?.statuses).toMatchObject({ requeued: 1, delivered: 1, failed: 1, pending: 0 });
  });

  it('refuses a run id that could leave the run prefix', async () => {
    await expect(
      readMapRun('../other', { store, resultManifests: [], finished: true }),
    ).rejects.toMatchObject({ name: 'BadRequestError', status: 400 });
  });
});

describe('a chunk status', () => {
  const claim = {
    chunkId: 'r0-c000000',
    round: 0,
    owner: 'a',
    claimedAt: '',
    takenOverClaims: 0,
    possibleDuplicateRecords: 0,
  };
  it('is running while an attempt holds its claim in a round still going, and pending with nothing written', () => {
    expect(statusOf({ kind: 'claim', claim }, false, false)).toBe('running');
    expect(statusOf(undefined, false, false)).toBe('pending');
  });
  it('is failed once the round ended without an outcome, or the claim was handed on', () => {
    expect(statusOf({ kind: 'claim', claim }, true, false)).toBe('failed');
    expect(statusOf(undefined, true, false)).toBe('failed');
    expect(statusOf({ kind: 'claim', claim: { ...claim, requeuedAt: 'x' } }, false, false)).toBe('failed');
  });
});
