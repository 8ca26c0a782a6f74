import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ArtifactStore } from '../../../local/console/data/artifact-store';

export const FIXTURES = join(__dirname, 'fixtures');
export const RUN_A = { runId: 'run-20261130-203708-sprn', dir: join(FIXTURES, 'run-a') };

/**
 * The console's own ArtifactStore port over a folder of fixture files (key = path under the folder):
 * the data modules' logic is tested on it; the S3 edge itself in artifact-store.test.ts.
 */
export function folderStore(folder: string, bucket = 'firehose-loader-artifacts'): ArtifactStore {
  const objects = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else objects.set(relative(folder, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(folder);
  const text = (key: string) => objects.get(key);
  return {
    bucket,
    getText: async (key) => text(key),
    has: async (key) => objects.has(key),
    async getStream(key) {
      const body = text(key);
      if (body === undefined) return undefined;
      // In small pieces, so a line split across pieces is exercised.
      const bytes = Buffer.from(body);
      const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
        bytes.subarray(i * 7, i * 7 + 7),
      );
      return {
        body: (async function* () {
          yield* pieces;
        })(),
        bytes: bytes.length,
      };
    },
    async *listKeys(prefix) {
      yield* [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    },
  };
}

/** A data folder laid out as the runner leaves run A, with no local services running on it. */
export async function runADataDir(): Promise<{ dataDir: string; cleanup: () => Promise<void> }> {
  const { cp, mkdtemp, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dataDir = await mkdtemp(join(tmpdir(), 'console-files-'));
  await cp(join(RUN_A.dir, 'artifacts'), join(dataDir, 'services', 's3', 'firehose-loader-artifacts'), {
    recursive: true,
  });
  await cp(join(RUN_A.dir, 'run-dir'), join(dataDir, 'runs', RUN_A.runId), { recursive: true });
  await writeFile(
    join(dataDir, 'runs', RUN_A.runId, 'events.jsonl'),
    '{"type":"ExecutionStarted","timestamp":1}\n',
  );
  return { dataDir, cleanup: () => rm(dataDir, { recursive: true, force: true }) };
}
