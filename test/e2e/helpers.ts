import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMockData } from '../../functions/shared/mock-data';
import type { RunSummary } from '../../functions/shared/run';

/** A temp folder for one test file's local services and runs; removed by `cleanup`. */
export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'firehose-loader-e2e-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function mockFile(
  dir: string,
  count: number,
  format: 'json' | 'jsonl',
  seed = 7,
): Promise<string> {
  const file = join(dir, `mock-${count}-${seed}.${format}`);
  await writeMockData(file, { count, seed, format });
  return file;
}

/** The lines of some files, as a sorted list (a multiset that compares with toEqual). */
export async function linesOf(files: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    lines.push(...text.split('\n').filter((line) => line !== ''));
  }
  return lines.sort();
}

/** The records of a mock JSON array or JSON Lines file, each re-serialised compactly, sorted. */
export async function expectedLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const values: unknown[] = text.trimStart().startsWith('[')
    ? (JSON.parse(text) as unknown[])
    : text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as unknown);
  return values.map((value) => JSON.stringify(value)).sort();
}

export function expectAddsUp(summary: RunSummary): void {
  const r = summary.records;
  expect(r.input).toBe(r.delivered + r.deadLettered + r.rejected);
}
