import type { MockFormat } from '../../functions/shared/mock-data';
import { writeMockData } from '../../functions/shared/mock-data';

export async function mockDataCommand(options: {
  out: string;
  count: number;
  format: MockFormat;
  seed: number;
}) {
  const written = await writeMockData(options.out, {
    count: options.count,
    seed: options.seed,
    format: options.format,
  });
  process.stderr.write(`wrote ${written.records} records (${written.bytes} bytes) to ${options.out}\n`);
  return 0;
}
