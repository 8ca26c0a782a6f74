import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type MockFormat, writeMockData } from '../functions/shared/mock-data';
import type { BenchContext } from './types';

const made = new Map<string, Promise<string>>();

/** A generated web-traffic file (seed 42) in the run's temp dir; made once per count and format. */
export function mockFile(ctx: BenchContext, count: number, format: MockFormat): Promise<string> {
  const path = join(ctx.tmp, `web-traffic-${count}.${format}`);
  let file = made.get(path);
  if (!file) {
    file = (async () => {
      const started = performance.now();
      await writeMockData(path, { count, format });
      const bytes = (await stat(path)).size;
      ctx.log(
        `  generated ${path}: ${bytes} bytes in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return path;
    })();
    made.set(path, file);
  }
  return file;
}
