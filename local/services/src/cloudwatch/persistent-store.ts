import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { unlinkIfThere, writeFileDurably } from '../durable-file';
import { encodeDatum, JOURNAL_FILE, MetricJournal, readJournal } from './metric-journal';
import { MetricStore } from './metric-store';

/**
 * Local CloudWatch's datapoints on disk, under `<dataDir>/cloudwatch/`: kept across runs of the
 * services as CloudWatch keeps them (15 months, rolled up with age: retention.ts), so a finished run's
 * metrics can still be read, by the next services or without any (stored-metrics.ts).
 */

export const CLOUDWATCH_DIR = 'cloudwatch';

export const journalFile = (dataDir: string) => path.join(dataDir, CLOUDWATCH_DIR, JOURNAL_FILE);

/** The datapoints of the journal (a torn or corrupt line skipped), in a store without a journal. */
export async function loadMetricStore(
  dataDir: string,
  publishDelayMs: number,
  now: () => number,
): Promise<{ store: MetricStore; lines: number; skippedLines: number }> {
  const { datums, skippedLines } = await readJournal(journalFile(dataDir));
  const store = new MetricStore(publishDelayMs, now);
  for (const datum of datums) store.load(datum);
  return { store, lines: datums.length, skippedLines };
}

export interface PersistentMetricStore {
  store: MetricStore;
  /** Writes what is queued, fsyncs and closes the journal. */
  close(): void;
}

/**
 * For the services (which hold the data folder's lock): replays the journal, compacts it (a rewrite,
 * through a temp file and a rename, when rolling up or a skipped line made it shorter), then appends
 * every datapoint accepted from now on.
 */
export async function openPersistentMetricStore(
  dataDir: string,
  publishDelayMs: number,
  now: () => number = Date.now,
): Promise<PersistentMetricStore> {
  const dir = path.join(dataDir, CLOUDWATCH_DIR);
  await mkdir(dir, { recursive: true });
  // Temp files of a compaction a crash interrupted (the journal itself is whole either way).
  for (const name of await readdir(dir)) {
    if (name.endsWith('.tmp')) await unlinkIfThere(path.join(dir, name));
  }
  const { store, lines, skippedLines } = await loadMetricStore(dataDir, publishDelayMs, now);
  const entries = store.compact();
  if (entries !== lines || skippedLines > 0) {
    const text = Array.from(store.entries(), encodeDatum).join('');
    await writeFileDurably(journalFile(dataDir), text, true);
  }
  const journal = MetricJournal.open(journalFile(dataDir));
  store.persistTo(journal);
  return { store, close: () => journal.close() };
}
