import { LF } from './bytes';

/**
 * The payloads of a jsonl or lines range whose bytes are already exactly its payloads: the plan
 * measured as many payload bytes as the range holds, so no blank line, BOM, CR or whitespace was
 * dropped and every line ends in its own `\n`. Then each line, `\n` included, is one payload and a
 * native `indexOf` finds them, instead of the byte-by-byte scan that minifying needs.
 * Returns undefined when the range does not end in `\n` (its last payload would need one added).
 */
export function splitCompactLines(bytes: Buffer): Buffer[] | undefined {
  if (bytes.length === 0) return [];
  if (bytes[bytes.length - 1] !== LF) return undefined;
  const payloads: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(LF, start) + 1;
    payloads.push(bytes.subarray(start, end));
    start = end;
  }
  return payloads;
}
