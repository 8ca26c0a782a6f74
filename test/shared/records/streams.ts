import type { ReadItem } from '../../../functions/shared/records/reader';

/** Yields `bytes` in pieces of the given sizes (cycled), like an S3 body would in larger pieces. */
export async function* streamOf(
  bytes: Uint8Array,
  sizes: readonly number[] = [65_536],
): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What a test compares: the payload text of good records, the reason of rejects. */
export function texts(items: readonly ReadItem[]): string[] {
  return items.map((item) =>
    item.kind === 'record' ? item.payload.toString('utf8') : `REJECT ${item.reason}`,
  );
}

export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
