import { outcomeOf } from '../../../functions/advance-round/map-results';
import { descriptor, outcome } from '../fixtures';

const CHUNKS = new Set(['r0-c000000', 'r0-c000001']);

describe('outcomeOf (a succeeded child Output read as a chunk outcome)', () => {
  it('takes the full outcome of this round from the JSON string AWS writes', () => {
    const full = outcome({ chunkId: 'r0-c000001', delivered: 7, requeued: 3 });
    expect(outcomeOf(JSON.stringify(full), 0, CHUNKS)).toEqual(full);
  });

  it('takes an Output given as an object too', () => {
    expect(outcomeOf(outcome(), 0, CHUNKS)).toEqual(outcome());
  });

  it("refuses an Output that lacks a count, so that chunk's outcome object is read instead", () => {
    expect(outcomeOf(JSON.stringify({ chunkId: 'r0-c000000', delivered: 10, requeued: 0 }), 0, CHUNKS)).toBe(
      undefined,
    );
  });

  it('refuses an Output without its possible-duplicate count, which the run totals sum too', () => {
    const { possibleDuplicateRecords: _dropped, ...withoutCount } = outcome();
    expect(outcomeOf(JSON.stringify(outcome()), 0, CHUNKS)).toBeDefined();
    expect(outcomeOf(JSON.stringify(withoutCount), 0, CHUNKS)).toBeUndefined();
  });

  it('takes the accepted-by-minute map along, and refuses an Output whose map is malformed', () => {
    const timed = outcome({ acceptedByMinute: { '2024-05-01T12:03Z': [7, 700] } });
    expect(outcomeOf(JSON.stringify(timed), 0, CHUNKS)).toEqual(timed);
    const broken = { ...outcome(), acceptedByMinute: { '2024-05-01T12:03Z': ['7', 700] } };
    expect(outcomeOf(JSON.stringify(broken), 0, CHUNKS)).toBeUndefined();
  });

  it('refuses an outcome of another round or of a chunk not in this round', () => {
    expect(outcomeOf(outcome({ round: 1 }), 0, CHUNKS)).toBeUndefined();
    expect(outcomeOf(outcome({ chunkId: 'r1-c000000' }), 0, CHUNKS)).toBeUndefined();
  });

  it('refuses an Output that is not JSON, or no object', () => {
    expect(outcomeOf('{"chunkId":', 0, CHUNKS)).toBeUndefined();
    expect(outcomeOf('null', 0, CHUNKS)).toBeUndefined();
    expect(outcomeOf(undefined, 0, CHUNKS)).toBeUndefined();
  });
});

describe("PutBatch's returned outcome", () => {
  it('stays under 1 KB with a re-queue descriptor at the longest names AWS allows, far below the 256 KiB child output limit', () => {
    const runId = 'x'.repeat(80); // an execution name is at most 80 characters
    const bucket = 'b'.repeat(63); // a bucket name at most 63
    const worst = outcome({
      chunkId: 'r10-c999999',
      round: 10,
      records: 500,
      delivered: 499,
      requeued: 1,
      acceptedBytes: 4 * 1024 * 1024,
      bytesSent: 40 * 1024 * 1024,
      // A chunk's calls span one or two minutes.
      acceptedByMinute: {
        '2024-05-01T12:03Z': [250, 2 * 1024 * 1024],
        '2024-05-01T12:04Z': [249, 2 * 1024 * 1024],
      },
      requeue: descriptor({
        chunkId: 'r10-c999999',
        bucket,
        key: `runs/${runId}/round-10/requeue/r10-c999999.jsonl`,
        etag: undefined,
        format: 'lines',
        records: 1,
        end: 1_024_000,
        payloadBytes: 1_024_000,
      }),
    });
    expect(Buffer.byteLength(JSON.stringify(worst))).toBeLessThan(1024);
  });
});
