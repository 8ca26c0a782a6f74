import type { HandlerLogLine } from './progress-model';

// Only these handler log lines feed the progress (functions/shared/firehose/retry-loop.ts); the others
// are not parsed at all, so a million-record run's logs cost a substring test each.
const WANTED = ['"Firehose call done"', '"Firehose call failed"', '"Retrying failed Firehose entries"'];

type Write = typeof process.stdout.write;

/**
 * Passes each Powertools log line the handlers print (in this process, or forwarded from their
 * threads) to `onLine` while still writing it where it went (the run's log file, see
 * capture-output.ts). Call after captureProcessOutput; the returned function undoes it, before that
 * one's restore.
 */
export function tapHandlerLogs(onLine: (line: HandlerLogLine) => void): () => void {
  const originals = { out: process.stdout.write, err: process.stderr.write };
  let partial = '';
  const feed = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!WANTED.some((message) => line.includes(message))) continue;
      try {
        onLine(JSON.parse(line) as HandlerLogLine);
      } catch {
        // Not one JSON document (two writers interleaved): the log file still has it; skip it here.
      }
    }
  };
  const wrap = (original: Write, stream: NodeJS.WriteStream): Write =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      feed(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as Write;
  process.stdout.write = wrap(originals.out, process.stdout);
  process.stderr.write = wrap(originals.err, process.stderr);
  return () => {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  };
}
