/**
 * Child process of the memory comparison: plans FILE (a JSON array) with the loader's reader and
 * ChunkPlanner, serialises each chunk as a manifest line would be (counted, then dropped), and
 * prints one JSON line with what it did and its own peak RSS.
 *   node_modules/.bin/tsx bench/plan-memory.ts FILE
 */
import { createReadStream, statSync } from 'node:fs';
import { ChunkPlanner, type PlannedChunk } from '../functions/shared/plan/planner';
import { resolvePlanSettings } from '../functions/shared/plan/settings';
import { readRecords } from '../functions/shared/records/reader';

async function main(file: string): Promise<void> {
  const started = performance.now();
  const size = statSync(file).size;
  const planner = new ChunkPlanner(resolvePlanSettings({}));
  let records = 0;
  let rejected = 0;
  let chunks = 0;
  let manifestBytes = 0;
  const write = (out: PlannedChunk[]) => {
    for (const chunk of out) {
      chunks += 1;
      manifestBytes += Buffer.byteLength(`${JSON.stringify(chunk)}\n`);
    }
  };
  for await (const item of readRecords(createReadStream(file), { format: 'json' })) {
    if (item.kind === 'reject') {
      rejected += 1;
      continue;
    }
    records += 1;
    write(planner.add(item));
  }
  write(planner.finish(size));
  const ms = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ file, bytes: size, records, rejected, chunks, manifestBytes, ms, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx bench/plan-memory.ts FILE\n');
  process.exit(2);
}
main(file).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
