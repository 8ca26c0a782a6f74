import { StringDecoder } from 'node:string_decoder';
import type { HandlerLogLine } from './progress-model';

// Only these handler log lines feed the progress (functions/shared/firehose/retry-loop.ts and
// functions/put-batch/put-chunk.ts); the others are not parsed at all, so a million-record run's logs
// cost a substring test each.
const WANTED = [
  '"Firehose call done"',
  '"Firehose call failed"',
  '"Retrying failed Firehose entries"',
  '"chunk put"',
];

type Write = typeof process.stdout.write;

/**
 * Passes each Powertools log line the handlers print (in this process, or forwarded from their
 * threads) to `onLine` while still writing it where it went (the run's log file, see
 * capture-output.ts). Call after captureProcessOutput; the returned function undoes it, before that
 * one's restore.
 */
export function tapHandlerLogs(onLine: (line: HandlerLogLine) => void): () => void {
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const wrap = (original: Write, stream: NodeJS.WriteStream): Write => {
    // Each stream has its own unfinished line: Powertools writes INFO to stdout and WARN to stderr,
    // and a line cut at a chunk's end on one must not swallow the other's next line.
    const feed = handlerLineReader(onLine);
    return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      feed(chunk);
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as Write;
  };
  process.stdout.write = wrap(originals.out, process.stdout);
  process.stderr.write = wrap(originals.err, process.stderr);
  return () => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  };
}

/**
 * Reads chunks of one stream (cut anywhere, even inside a UTF-8 character) as lines, and passes each
 * wanted handler log line, parsed, to `onLine`.
 */
export function handlerLineReader(
  onLine: (line: HandlerLogLine) => void,
): (chunk: string | Uint8Array) => void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  return (chunk) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : decoder.write(
            Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
          );
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!WANTED.some((message) => line.includes(message))) continue;
      try {
        onLine(JSON.parse(line) as HandlerLogLine);
      } catch {
        // Not one JSON document (a writer that is not a handler's Logger): the log file still has it.
      }
    }
  };
}
