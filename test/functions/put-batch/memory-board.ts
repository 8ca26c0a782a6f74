import type { BoardEntry, RateBoard } from '../../../functions/put-batch/rate-board';

/** A board in memory with S3's compare-and-swap: a write must name the ETag it replaces. */
export function memoryBoard() {
  let stored: (BoardEntry & { etag: string }) | undefined;
  let version = 0;
  const board = {
    reads: 0,
    writes: [] as BoardEntry[],
    get stored() {
      return stored;
    },
    async read() {
      board.reads += 1;
      return stored ? { ...stored, cut: { ...stored.cut } } : undefined;
    },
    async write(body: BoardEntry, etag: string | undefined) {
      if (etag !== stored?.etag) return undefined;
      version += 1;
      stored = { cut: { ...body.cut }, seq: body.seq, etag: `"v${version}"` };
      board.writes.push(body);
      return stored.etag;
    },
  };
  return board satisfies RateBoard;
}

/** `inner` whose writes wait until `release()` is called (a slow PUT); once released, writes go through. */
export function heldWrites(inner: RateBoard) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const board: RateBoard = {
    read: () => inner.read(),
    write: async (body, etag) => {
      await held;
      return inner.write(body, etag);
    },
  };
  return { board, release: () => release() };
}
