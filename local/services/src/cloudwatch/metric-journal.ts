import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Datum } from './metric-store';

/**
 * The append-only file of the datapoints local CloudWatch accepted, one JSON array per line:
 * [namespace, metricName, [[dimension name, value]...], timestampMs, unit, sum, sampleCount, min, max].
 *
 * Lines are written with a plain write(2) before PutMetricData answers (and, for the metrics local
 * Firehose publishes, before the request that caused them can be answered), so a datapoint survives a
 * kill -9 once it is acknowledged; they are fsynced when the services stop and when the file is
 * compacted, not per call (a power cut may lose the last seconds of metrics, never records). A write
 * that fails is cut back off, so the file only ever ends in a torn line when the process died
 * mid-write; reading skips such a line (and any other line that is not a whole datapoint).
 */

export const JOURNAL_FILE = 'datapoints.jsonl';

export function encodeDatum(d: Datum): string {
  const dimensions = d.dimensions.map((x) => [x.Name, x.Value]);
  const { sum, count, min, max } = d.stats;
  return `${JSON.stringify([d.namespace, d.metricName, dimensions, d.timestampMs, d.unit, sum, count, min, max])}\n`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** The datum of one line; undefined for a torn or corrupt line. */
export function decodeDatum(line: string): Datum | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 9) return undefined;
  const [namespace, metricName, dimensions, timestampMs, unit, sum, count, min, max] = parsed as unknown[];
  if (!isString(namespace) || !isString(metricName) || !isString(unit) || !Array.isArray(dimensions))
    return undefined;
  if (![timestampMs, sum, count, min, max].every(isFiniteNumber)) return undefined;
  const pairs = dimensions.filter(
    (pair): pair is [string, string] => Array.isArray(pair) && pair.length === 2 && pair.every(isString),
  );
  if (pairs.length !== dimensions.length) return undefined;
  return {
    namespace,
    metricName,
    dimensions: pairs.map(([Name, Value]) => ({ Name, Value })),
    timestampMs: timestampMs as number,
    unit,
    stats: { sum: sum as number, count: count as number, min: min as number, max: max as number },
  };
}

/** Every whole datapoint of a journal file (none if there is no file), and how many lines were skipped. */
export async function readJournal(file: string): Promise<{ datums: Datum[]; skippedLines: number }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const datums: Datum[] = [];
  let skippedLines = 0;
  const lines = text.split('\n');
  // The text after the last newline is a line cut short by a crash (or nothing).
  if (lines.pop() !== '') skippedLines++;
  for (const line of lines) {
    const datum = decodeDatum(line);
    if (datum) datums.push(datum);
    else skippedLines++;
  }
  return { datums, skippedLines };
}

/** The open journal of a running local CloudWatch: lines are appended synchronously, in groups. */
export class MetricJournal {
  private pending: string[] = [];
  private scheduled = false;
  /** Bytes known to be whole lines: where a failed write is cut back to. */
  private size: number;

  private constructor(private fd: number | undefined) {
    this.size = fd === undefined ? 0 : fstatSync(fd).size;
  }

  static open(file: string): MetricJournal {
    return new MetricJournal(openSync(file, 'a'));
  }

  /** Queues a line; all lines queued in one turn of the event loop are written together, before I/O runs. */
  append(datum: Datum): void {
    this.pending.push(encodeDatum(datum));
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch {
        // Disk full or EIO: the lines stay queued, written with the next write or at close (which
        // throws if it still fails, so stopping the services reports it).
      }
    });
  }

  /** Writes every queued line now; throws (and keeps them queued) if the write fails. */
  flush(): void {
    if (this.pending.length === 0) return;
    this.write(this.pending);
    this.pending = [];
  }

  /**
   * Writes these datums (after the queued lines) now, for a PutMetricData about to be answered; throws
   * if the write fails, keeping none of them (the client retries the call).
   */
  writeNow(datums: Datum[]): void {
    this.write([...this.pending, ...datums.map(encodeDatum)]);
    this.pending = [];
  }

  private write(lines: string[]): void {
    if (this.fd === undefined) throw new Error('the metric journal is closed');
    const data = Buffer.from(lines.join(''));
    try {
      let written = 0;
      while (written < data.length) written += writeSync(this.fd, data, written, data.length - written);
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // Then a torn line stays in the middle of the file: reading skips it.
      }
      throw error;
    }
    this.size += data.length;
  }

  /** Writes what is queued, fsyncs and closes. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.flush();
      fsyncSync(fd);
    } finally {
      this.fd = undefined;
      closeSync(fd);
    }
  }
}
