import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

// Read at most this much per poll, so a huge log is caught up with over several polls.
const READ_BYTES = 4 * 1024 * 1024;

/** Reads a growing line file (events.jsonl, functions.log.jsonl) from where the last read stopped. */
export class LineTail {
  private offset = 0;
  private partial = '';
  // A character split across two reads is decoded whole.
  private readonly decoder = new StringDecoder('utf8');

  constructor(readonly path: string) {}

  /** The complete lines written since the last call (none if the file does not exist yet). */
  async read(): Promise<string[]> {
    const handle = await open(this.path, 'r').catch(() => undefined);
    if (!handle) return [];
    try {
      const buffer = Buffer.alloc(READ_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, this.offset);
      if (bytesRead === 0) return [];
      this.offset += bytesRead;
      const text = this.partial + this.decoder.write(buffer.subarray(0, bytesRead));
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.filter((line) => line.trim() !== '');
    } finally {
      await handle.close();
    }
  }
}

/** Parses a JSON line; a line that is not JSON (a torn write of a killed run) is skipped. */
export function parseLine<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
