import type { RecordFormat } from '../chunk';
import { describeJsonError } from './json-error';
import type { RecordBuilder } from './record-builder';
import { type ReadItem, type RejectedRecord, UNKNOWN } from './types';

// fatal: invalid UTF-8 is a reject, not silently replaced. ignoreBOM: keep a U+FEFF inside a record
// so JSON.parse sees (and refuses) it instead of the decoder quietly stripping it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export interface Position {
  index: number;
  offset: number;
  line: number;
}

/** Where a record is, for messages: `record 12 at byte 3456 (line 78)`. */
export function describePosition({ index, offset, line }: Position): string {
  const which = index === UNKNOWN ? 'record' : `record ${index}`;
  const where = line === UNKNOWN ? 'line unknown' : `line ${line}`;
  return `${which} at byte ${offset} (${where})`;
}

export function rejectAt(at: Position, problem: string, excerpt: Uint8Array): RejectedRecord {
  const reason = `${describePosition(at)}: ${problem}`;
  return { kind: 'reject', ...at, reason, excerpt: lenientUtf8.decode(excerpt) };
}

/** Turns the collected bytes of one record into a good record or a reject naming the problem. */
export function makeItem(
  builder: RecordBuilder,
  at: Position,
  format: RecordFormat,
  maxRecordBytes: number,
  validate = true,
): ReadItem {
  const built = builder.build(maxRecordBytes, format === 'lines');
  if ('tooLarge' in built) {
    const problem = `payload of ${built.tooLarge} bytes exceeds the Firehose record limit of ${maxRecordBytes} bytes`;
    return rejectAt(at, problem, built.head);
  }
  const { payload } = built;
  if (!validate) return { kind: 'record', ...at, payload };
  const content = payload.subarray(0, payload.length - 1);
  let text: string;
  try {
    text = strictUtf8.decode(content);
  } catch {
    return rejectAt(at, 'not valid UTF-8', builder.prefix());
  }
  if (format !== 'lines') {
    try {
      JSON.parse(text);
    } catch (error) {
      const why = describeJsonError(text, (error as Error).message);
      return rejectAt(at, `not valid JSON (${why})`, builder.prefix());
    }
  }
  return { kind: 'record', ...at, payload };
}
