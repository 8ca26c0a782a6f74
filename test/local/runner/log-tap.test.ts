import { handlerLineReader, tapHandlerLogs } from '../../../local/runner/log-tap';
import type { HandlerLogLine } from '../../../local/runner/progress-model';

const failed = (chunkId: string) =>
  `${JSON.stringify({ level: 'WARN', message: 'Firehose call failed', chunkId, errorMessage: 'Slow down. ✓' })}\n`;
const put = (chunkId: string, delivered: number) =>
  `${JSON.stringify({ level: 'INFO', message: 'chunk put', chunkId, delivered, requeued: 0 })}\n`;

describe('the handler log tap', () => {
  it('reads a line cut anywhere across chunks, even inside a UTF-8 character', () => {
    const bytes = Buffer.from(failed('c0') + put('c1', 500) + failed('c2'));
    const check = bytes.indexOf(Buffer.from('✓'));
    for (const cut of [1, check + 1, check + 2, bytes.indexOf('\n') + 1, bytes.length - 1]) {
      const seen: HandlerLogLine[] = [];
      const feed = handlerLineReader((line) => seen.push(line));
      feed(bytes.subarray(0, cut));
      feed(bytes.subarray(cut));
      expect(seen.map((line) => line.chunkId)).toEqual(['c0', 'c1', 'c2']);
      expect(seen[0]?.message).toBe('Firehose call failed');
      expect(seen[1]?.delivered).toBe(500);
    }
  });

  it('keeps an unfinished stdout line apart from the stderr lines written meanwhile', () => {
    const sink = { out: process.stdout.write, err: process.stderr.write };
    const written: string[] = [];
    const capture = ((chunk: string | Uint8Array) =>
      written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    const seen: string[] = [];
    const untap = tapHandlerLogs((line) => seen.push(`${line.message} ${line.chunkId}`));
    try {
      // Powertools writes INFO to stdout and WARN to stderr; a thread's stdout chunk may end mid-line.
      const info = put('c0', 7);
      process.stdout.write(info.slice(0, 20));
      process.stderr.write(failed('c1'));
      process.stdout.write(Buffer.from(info.slice(20)));
    } finally {
      untap();
      process.stdout.write = sink.out;
      process.stderr.write = sink.err;
    }
    expect(seen).toEqual(['Firehose call failed c1', 'chunk put c0']);
    expect(written.join('')).toBe(put('c0', 7).slice(0, 20) + failed('c1') + put('c0', 7).slice(20));
  });
});
