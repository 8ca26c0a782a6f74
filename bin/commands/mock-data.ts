import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MockFormat } from '../../functions/shared/mock-data';
import { writeMockData } from '../../functions/shared/mock-data';

export async function mockDataCommand(options: {
  out: string;
  count: number;
  format: MockFormat;
  seed: number;
}) {
  // README writes under the data folder (git-ignored), which a fresh clone does not have yet.
  await mkdir(dirname(options.out), { recursive: true });
  const written = await writeMockData(options.out, {
    count: options.count,
    seed: options.seed,
    format: options.format,
  });
  process.stderr.write(
    `wrote ${written.records.toLocaleString('en-US')} records (${written.bytes.toLocaleString('en-US')} bytes) to ${options.out}\n`,
  );
  return 0;
}
