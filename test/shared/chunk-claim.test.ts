import {
  type ChunkClaim,
  ClaimAction,
  decideOnStored,
  nextClaim,
  parseStoredChunk,
  possiblyDeliveredOnFailure,
  releasedClaim,
  withEarlierCounts,
} from '../../functions/shared/chunk-claim';
import {
  FIREHOSE_COUNT_FIELDS,
  type FirehoseCounts,
  zeroCounts,
} from '../../functions/shared/run/send-counts';
import { outcome } from '../functions/fixtures';

const T0 = Date.parse('2026-11-30T12:00:00Z');
const LIMIT = 55_000;
const chunk = { chunkId: 'r0-c000001', round: 0, records: 40 };
const claimAt = (ms: number, extra: Partial<ChunkClaim> = {}) => ({
  ...nextClaim(chunk, 'owner-1', ms),
  ...extra,
});

describe('a chunk claim', () => {
  it('tells a claim from an outcome stored under the same key, and refuses anything else', () => {
    const claim = claimAt(T0);
    expect(parseStoredChunk(JSON.stringify({ claim }))).toEqual({ kind: 'claim', claim });
    const done = outcome({ chunkId: chunk.chunkId });
    expect(parseStoredChunk(JSON.stringify(done))).toEqual({ kind: 'outcome', outcome: done });
    expect(() => parseStoredChunk('{"something":"else"}')).toThrow('not a chunk outcome or claim');
  });

  it('returns a finished outcome instead of sending again', () => {
    const done = outcome({ chunkId: chunk.chunkId });
    expect(decideOnStored({ kind: 'outcome', outcome: done }, T0, LIMIT)).toEqual({
      action: ClaimAction.finished,
      outcome: done,
    });
  });

  it('waits for an owner younger than the takeover limit, and takes a claim at the limit over as stale', () => {
    const claim = claimAt(T0);
    expect(decideOnStored({ kind: 'claim', claim }, T0 + LIMIT - 1, LIMIT)).toMatchObject({
      action: ClaimAction.wait,
      ageMs: LIMIT - 1,
    });
    expect(decideOnStored({ kind: 'claim', claim }, T0 + LIMIT, LIMIT)).toMatchObject({
      action: ClaimAction.takeOver,
      stale: true,
    });
  });

  it('takes any unfinished claim over at once with the limit 0 (its owner is known dead)', () => {
    expect(decideOnStored({ kind: 'claim', claim: claimAt(T0) }, T0, 0)).toMatchObject({
      action: ClaimAction.takeOver,
      stale: true,
    });
  });

  it('takes a released claim over at once, not as stale: its owner knew what Firehose took', () => {
    const claim = claimAt(T0, { releasedAt: new Date(T0).toISOString() });
    expect(decideOnStored({ kind: 'claim', claim }, T0, LIMIT)).toMatchObject({
      action: ClaimAction.takeOver,
      stale: false,
    });
  });

  it('stops an attempt at a chunk AdvanceRound handed on, even with the limit 0', () => {
    const claim = claimAt(T0, { requeuedAt: new Date(T0 + 1).toISOString() });
    expect(decideOnStored({ kind: 'claim', claim }, T0 + 10 * LIMIT, 0).action).toBe(ClaimAction.superseded);
  });

  it('never takes over a claim whose date it cannot read, unless the limit is 0', () => {
    const claim = claimAt(T0, { claimedAt: 'not a date' });
    expect(decideOnStored({ kind: 'claim', claim }, T0 + 10 * LIMIT, LIMIT).action).toBe(ClaimAction.wait);
  });

  it('counts a stale takeover as a possible resend of every record, and carries earlier counts on', () => {
    const first = claimAt(T0);
    const second = nextClaim(chunk, 'owner-2', T0 + LIMIT, { claim: first, stale: true });
    expect(second).toMatchObject({ owner: 'owner-2', takenOverClaims: 1, possibleDuplicateRecords: 40 });
    const released = { ...second, releasedAt: new Date(T0 + LIMIT + 1).toISOString() };
    const third = nextClaim(chunk, 'owner-3', T0 + LIMIT + 2, { claim: released, stale: false });
    expect(third).toMatchObject({ takenOverClaims: 1, possibleDuplicateRecords: 40 });
    expect(third.releasedAt).toBeUndefined();
  });

  it('counts the records of a failed chunk as possibly delivered unless its claim was released', () => {
    expect(possiblyDeliveredOnFailure(claimAt(T0), 40)).toBe(40);
    expect(
      possiblyDeliveredOnFailure(claimAt(T0, { releasedAt: 'x', possibleDuplicateRecords: 5 }), 40),
    ).toBe(5);
  });
});

describe('the calls of an attempt that gave its claim up', () => {
  const counts = (overrides: Partial<FirehoseCounts> = {}): FirehoseCounts => ({
    ...zeroCounts(FIREHOSE_COUNT_FIELDS),
    ...overrides,
  });
  // An attempt throttled wholesale: one PutRecordBatch, refused, nothing accepted.
  const refused = counts({ putRecordBatchCalls: 1, attempts: 1, refusedRequests: 1, bytesSent: 900 });

  it('are carried from the released claim to the claim that takes it over, and counted once by its outcome', () => {
    const first = releasedClaim(claimAt(T0), T0 + 1, { counts: refused });
    const second = nextClaim(chunk, 'owner-2', T0 + 2, { claim: first, stale: false });
    expect(second.earlierCounts).toEqual(refused);
    // Then accepted in one call: the chunk's counts are 2 calls, not 1.
    const accepted = counts({
      putRecordBatchCalls: 1,
      attempts: 1,
      acceptedFirehoseRecords: 40,
      bytesSent: 900,
    });
    expect(withEarlierCounts(accepted, second)).toEqual(
      counts({
        putRecordBatchCalls: 2,
        attempts: 2,
        refusedRequests: 1,
        acceptedFirehoseRecords: 40,
        bytesSent: 1_800,
      }),
    );
  });

  it('add up over several releases, and go on through a stale takeover too', () => {
    const once = releasedClaim(claimAt(T0), T0 + 1, { counts: refused, possibleDuplicateRecords: 2 });
    const taken = nextClaim(chunk, 'owner-2', T0 + 2, { claim: once, stale: false });
    const twice = releasedClaim(taken, T0 + 3, { counts: refused });
    expect(twice).toMatchObject({ possibleDuplicateRecords: 2, releasedAt: new Date(T0 + 3).toISOString() });
    expect(twice.earlierCounts).toMatchObject({
      putRecordBatchCalls: 2,
      refusedRequests: 2,
      bytesSent: 1_800,
    });
    const unreleased = { ...twice, releasedAt: undefined };
    const stale = nextClaim(chunk, 'owner-3', T0 + LIMIT, { claim: unreleased, stale: true });
    expect(stale.earlierCounts).toEqual(twice.earlierCounts);
  });

  it('leave a claim without any as it was: a first claim carries none, and its outcome adds nothing', () => {
    const claim = claimAt(T0);
    expect(claim.earlierCounts).toBeUndefined();
    expect(releasedClaim(claim, T0 + 1).earlierCounts).toBeUndefined();
    expect(withEarlierCounts(refused, claim)).toEqual(refused);
  });
});
