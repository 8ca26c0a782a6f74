import {
  addCountsOfFailed,
  addOutcome,
  decideNext,
  leftoverChunks,
  nextPaceRate,
  possibleDuplicatesOfFailed,
  REQUEUE_WAIT_BASE_SECONDS,
  REQUEUE_WAIT_MAX_SECONDS,
  requeueWaitSeconds,
} from '../../../functions/advance-round/rounds';
import { chunkId } from '../../../functions/shared/artifacts';
import { type ChunkClaim, nextClaim } from '../../../functions/shared/chunk-claim';
import { type ChunkOutcome, emptyTotals, type RunTotals } from '../../../functions/shared/run-state';
import { descriptor, outcome } from '../fixtures';

describe('decideNext', () => {
  it('asks for another round while chunks are left and rounds remain', () => {
    expect(decideNext(0, 3, 1)).toBe('requeue');
    expect(decideNext(2, 3, 5)).toBe('requeue');
  });

  it('is done once the last re-queue round has run, whatever is left', () => {
    expect(decideNext(3, 3, 5)).toBe('done');
    expect(decideNext(4, 3, 5)).toBe('done');
  });

  it('is done when nothing is left', () => {
    expect(decideNext(0, 3, 0)).toBe('done');
  });

  it('never re-queues when the run allows no re-queue rounds', () => {
    expect(decideNext(0, 0, 10)).toBe('done');
  });
});

describe('requeueWaitSeconds', () => {
  it('starts at the base wait and doubles each round', () => {
    expect(requeueWaitSeconds(1)).toBe(REQUEUE_WAIT_BASE_SECONDS);
    expect([1, 2, 3, 4, 5, 6].map(requeueWaitSeconds)).toEqual([5, 10, 20, 40, 80, 160]);
  });

  it('never exceeds the cap', () => {
    expect(requeueWaitSeconds(7)).toBe(REQUEUE_WAIT_MAX_SECONDS);
    expect(requeueWaitSeconds(10)).toBe(REQUEUE_WAIT_MAX_SECONDS);
    expect(requeueWaitSeconds(1000)).toBe(REQUEUE_WAIT_MAX_SECONDS);
  });

  it('grows monotonically and is a whole number of seconds', () => {
    const waits = Array.from({ length: 12 }, (_, i) => requeueWaitSeconds(i + 1));
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
    for (const wait of waits) expect(Number.isInteger(wait)).toBe(true);
  });

  it('treats round 0 or below as the first round', () => {
    expect(requeueWaitSeconds(0)).toBe(REQUEUE_WAIT_BASE_SECONDS);
  });
});

describe('addOutcome', () => {
  it('adds every counted field of the outcome to the totals and leaves the others alone', () => {
    const totals: RunTotals = {
      delivered: 1000,
      deadLettered: 2000,
      requeued: 3000,
      failedChunks: 4000,
      acceptedFirehoseRecords: 5000,
      acceptedBytes: 6000,
      putRecordCalls: 7000,
      putRecordBatchCalls: 8000,
      attempts: 9000,
      throttledEntries: 10000,
      refusedRequests: 0,
      failedPutCount: 11000,
      bytesSent: 12000,
      possibleDuplicateRecords: 13000,
    };
    const chunk: ChunkOutcome = {
      chunkId: 'r0-c000001',
      round: 0,
      records: 99,
      delivered: 1,
      requeued: 2,
      acceptedFirehoseRecords: 3,
      acceptedBytes: 4,
      putRecordCalls: 5,
      putRecordBatchCalls: 6,
      attempts: 7,
      throttledEntries: 8,
      refusedRequests: 0,
      failedPutCount: 9,
      bytesSent: 10,
      possibleDuplicateRecords: 11,
    };
    expect(addOutcome(totals, chunk)).toEqual({
      delivered: 1001,
      deadLettered: 2000,
      requeued: 3002,
      failedChunks: 4000,
      acceptedFirehoseRecords: 5003,
      acceptedBytes: 6004,
      putRecordCalls: 7005,
      putRecordBatchCalls: 8006,
      attempts: 9007,
      throttledEntries: 10008,
      refusedRequests: 0,
      failedPutCount: 11009,
      bytesSent: 12010,
      possibleDuplicateRecords: 13011,
    });
  });

  it('does not change the totals it is given', () => {
    const totals = emptyTotals();
    addOutcome(totals, outcome());
    expect(totals).toEqual(emptyTotals());
  });

  it('sums a round of outcomes when used with reduce', () => {
    const outcomes = [
      outcome({ delivered: 3, acceptedBytes: 30 }),
      outcome({ delivered: 4, acceptedBytes: 40 }),
    ];
    const totals = outcomes.reduce(addOutcome, emptyTotals());
    expect(totals.delivered).toBe(7);
    expect(totals.acceptedBytes).toBe(70);
    expect(totals.putRecordBatchCalls).toBe(2);
  });
});

describe('leftoverChunks', () => {
  const a = descriptor({ chunkId: 'r0-c000000', records: 10 });
  const b = descriptor({ chunkId: 'r0-c000001', records: 20, start: 100, end: 200 });
  const c = descriptor({ chunkId: 'r0-c000002', records: 30, start: 200, end: 300 });
  const requeueOfB = descriptor({
    chunkId: 'r0-c000001',
    bucket: 'artifact-bucket',
    key: 'runs/run-1/round-00/requeue/r0-c000001.jsonl',
    etag: undefined,
    format: 'lines',
    records: 4,
  });

  it('re-queues a chunk without an outcome whole and counts it as a failed chunk', () => {
    expect(leftoverChunks([a], new Map())).toEqual({ chunks: [a], failedChunks: 1 });
  });

  it("re-queues a chunk's failed entries by the outcome's re-queue descriptor", () => {
    const outcomes = new Map([[b.chunkId, outcome({ chunkId: b.chunkId, requeue: requeueOfB })]]);
    expect(leftoverChunks([b], outcomes)).toEqual({ chunks: [requeueOfB], failedChunks: 0 });
  });

  it('leaves nothing for a chunk whose outcome has nothing to re-queue', () => {
    const outcomes = new Map([[a.chunkId, outcome({ chunkId: a.chunkId })]]);
    expect(leftoverChunks([a], outcomes)).toEqual({ chunks: [], failedChunks: 0 });
  });

  it('keeps manifest order over a mixed round and ignores outcomes of chunks not in the manifest', () => {
    const outcomes = new Map<string, ChunkOutcome>([
      [a.chunkId, outcome({ chunkId: a.chunkId })],
      [b.chunkId, outcome({ chunkId: b.chunkId, requeue: requeueOfB })],
      ['r0-c999999', outcome({ chunkId: 'r0-c999999', requeue: descriptor({ chunkId: 'stray' }) })],
    ]);
    expect(leftoverChunks([c, b, a], outcomes)).toEqual({ chunks: [c, requeueOfB], failedChunks: 1 });
  });

  it('has nothing left for an empty manifest', () => {
    expect(leftoverChunks([], new Map())).toEqual({ chunks: [], failedChunks: 0 });
  });
});

describe('possibleDuplicatesOfFailed', () => {
  const a = descriptor({ chunkId: 'r0-c000000', records: 10 });
  const b = descriptor({ chunkId: 'r0-c000001', records: 20 });
  const c = descriptor({ chunkId: 'r0-c000002', records: 30 });
  const claim = (chunkId: string, extra: Partial<ChunkClaim> = {}): ChunkClaim => ({
    ...nextClaim({ chunkId, round: 0, records: 0 }, 'owner', Date.parse('2026-11-30T12:00:00Z')),
    ...extra,
  });

  it('counts every record of a failed chunk whose claim was never released: it may have been sent', () => {
    expect(possibleDuplicatesOfFailed([a], new Map(), new Map([[a.chunkId, claim(a.chunkId)]]))).toBe(10);
  });

  it('counts only what a released claim carries: its owner knew Firehose took nothing more', () => {
    const released = claim(b.chunkId, { releasedAt: '2026-11-30T12:00:01Z', possibleDuplicateRecords: 3 });
    expect(possibleDuplicatesOfFailed([b], new Map(), new Map([[b.chunkId, released]]))).toBe(3);
  });

  it('counts nothing for a failed chunk without a claim, or a chunk with an outcome', () => {
    const outcomes = new Map([[c.chunkId, outcome({ chunkId: c.chunkId })]]);
    expect(possibleDuplicatesOfFailed([a, c], outcomes, new Map([[c.chunkId, claim(c.chunkId)]]))).toBe(0);
  });
});

describe('addCountsOfFailed', () => {
  const a = descriptor({ chunkId: 'r0-c000000', records: 10 });
  const b = descriptor({ chunkId: 'r0-c000001', records: 20 });
  const carrying = (chunkId: string, putRecordBatchCalls: number): ChunkClaim => ({
    ...nextClaim({ chunkId, round: 0, records: 0 }, 'owner', Date.parse('2026-11-30T12:00:00Z')),
    releasedAt: '2026-11-30T12:00:01Z',
    earlierCounts: {
      putRecordBatchCalls,
      refusedRequests: putRecordBatchCalls,
      attempts: putRecordBatchCalls,
    },
  });

  it('adds the calls that the claim of a chunk without an outcome carries: no outcome counted them', () => {
    const totals = { ...emptyTotals(), putRecordBatchCalls: 5, attempts: 5 };
    const claims = new Map([[a.chunkId, carrying(a.chunkId, 3)]]);
    expect(addCountsOfFailed(totals, [a, b], new Map(), claims)).toEqual({
      ...totals,
      putRecordBatchCalls: 8,
      refusedRequests: 3,
      attempts: 8,
    });
  });

  it('leaves out a chunk with an outcome (it counted them) and a claim that carries none', () => {
    const outcomes = new Map([[a.chunkId, outcome({ chunkId: a.chunkId })]]);
    const plain = nextClaim({ chunkId: b.chunkId, round: 0, records: 0 }, 'owner', 0);
    const claims = new Map([
      [a.chunkId, carrying(a.chunkId, 3)],
      [b.chunkId, plain],
    ]);
    expect(addCountsOfFailed(emptyTotals(), [a, b], outcomes, claims)).toEqual(emptyTotals());
  });
});

describe('nextPaceRate', () => {
  /** Outcomes of chunks 0.. in plan order with these rates, handed over in the order given by `order`. */
  const reported = (rates: (number | undefined)[], order = rates.map((_, i) => i)) =>
    order.map((i) => ({ chunkId: chunkId(0, i), ...(rates[i] === undefined ? {} : { paceRate: rates[i] }) }));
  const reversed = (n: number) => Array.from({ length: n }, (_, i) => n - 1 - i);

  it('starts the next round at the rate the round ended at when the cut came late: the chunks last in plan order', () => {
    // 85 chunks sent at the full quota, then a cut to half for the last 15 (their rates when they finished).
    const rates = [...Array.from({ length: 85 }, () => 1), ...Array.from({ length: 15 }, () => 0.5)];
    // The Map's results come in any order: plan order is the chunk ids'.
    expect(nextPaceRate(reported(rates, reversed(100)), 1)).toBe(0.5);
  });

  it('takes the median of the last tenth, not the dip right after a cut', () => {
    const rates = [...Array.from({ length: 45 }, () => 0.9), 0.5, 0.48, 0.22, 0.5, 0.49];
    expect(nextPaceRate(reported(rates, reversed(50)), 1)).toBe(0.49);
  });

  it('takes the lower middle rate of an even count', () => {
    const rates = [...Array.from({ length: 54 }, () => 1), 0.9, 0.45, 0.6, 0.3, 0.2, 0.95];
    expect(nextPaceRate(reported(rates), 1)).toBe(0.45);
  });

  it("takes at least the last five chunks: a small round's last chunk, sent in a dip, does not decide alone", () => {
    expect(nextPaceRate(reported([1, 1, 1, 1, 0.3]), 1)).toBe(1);
  });

  it('orders chunk ids by their number past six digits (a millionth chunk comes after the 999,999th)', () => {
    const ids = Array.from({ length: 60 }, (_, i) => 999_950 + i);
    // Read as text, `r0-c1000000` sorts before `r0-c999950`: the tail would be the 0.5 ones.
    const last = ids.map((n) => ({ chunkId: `r0-c${n}`, paceRate: n >= 1_000_000 ? 0.8 : 0.5 }));
    expect(nextPaceRate(last, 1)).toBe(0.8);
  });

  it('takes the last chunks that reported a rate, not the last chunks', () => {
    const rates = [...Array.from({ length: 10 }, () => 0.5), ...Array.from({ length: 5 }, () => 0.9)];
    expect(nextPaceRate(reported([...rates, ...Array.from({ length: 5 }, () => undefined)]), 1)).toBe(0.9);
  });

  it("keeps the round's own rate when no chunk reported one (no pacing, older outcomes)", () => {
    expect(nextPaceRate(reported([undefined, Number.NaN]), 0.7)).toBe(0.7);
    expect(nextPaceRate([], 0.7)).toBe(0.7);
  });
});
