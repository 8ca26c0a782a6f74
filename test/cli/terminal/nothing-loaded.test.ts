import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, inPipe, inTerminal, tempDataDir } from './cli';

/** Issue 15 item 9: a run that loads nothing says why in one line, and suggests --format lines for CSV. */
describe('a run that loads nothing', () => {
  const dir = tempDataDir();
  const csv = join(dir, 'records.csv');
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(csv, 'a,b,c\n1,2,3\n4,5,6\n');
  writeFileSync(empty, '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a CSV file: every record rejected as not JSON, and --format lines suggested', () => {
    const { stdout, stderr, status } = inPipe(`${CLI} run --input ${csv} --data-dir ${dir}/data`);
    expect(status).toBe(0);
    expect(stdout).toContain('3 in = 0 delivered + 0 dead-lettered + 3 rejected');
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(
      'firehose-loader: nothing was sent: all 3 records were rejected as not JSON (line 1: "a,b,c"); ' +
        'if each line is a record as it is (CSV, plain text), run again with --format lines',
    );
  });

  it('an empty file: says it holds no records, also with --json (stdout stays one document)', () => {
    const { stdout, stderr, status } = inPipe(`${CLI} run --input ${empty} --data-dir ${dir}/data --json`);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).records.input).toBe(0);
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(
      `firehose-loader: nothing was sent: ${empty} holds no records (it is empty)`,
    );
  });

  it('in an 80-column terminal the reason follows the table', () => {
    const { stdout: screen, status } = inTerminal(`${CLI} run --input ${csv} --data-dir ${dir}/data`);
    expect(status).toBe(0);
    const flat = screen.replace(/\r?\n/g, ' ');
    expect(flat).toMatch(/rejects\s+\S+rejects\.jsonl\s+firehose-loader: nothing was sent: all 3 records/);
    expect(flat).toContain('run again with --format lines');
  });
});
