import { stat } from 'node:fs/promises';
import type { LocalJobOptions } from './job-options';

// How many handler threads a run gets: two for a large input (a third adds next to nothing on two
// cores), none below 64 MiB, where starting the threads costs more than they save. The measurements
// behind both numbers are in BENCHMARKS.md (measurements behind code choices).
const AUTO_THREADS = 2;
export const AUTO_THREADS_MIN_BYTES = 64 * 1024 * 1024;

export async function handlerThreadCount(options: LocalJobOptions): Promise<number> {
  const asked = options.handlerThreads ?? 'auto';
  if (asked !== 'auto') return asked;
  if (!options.inputFile || options.sourceObject) return 0;
  // A file that cannot be read is reported by the staging step, with its name.
  const size = await stat(options.inputFile).then(
    (file) => file.size,
    () => 0,
  );
  return size >= AUTO_THREADS_MIN_BYTES ? AUTO_THREADS : 0;
}
