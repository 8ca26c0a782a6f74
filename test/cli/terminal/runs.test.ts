import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, drawnLines, inPipe, inTerminal, tempDataDir } from './cli';

/** Issue 15 item 12: `runs` lists local runs with their sizes; `runs rm` and `runs prune` free the space. */
describe('the runs command', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = () => {
    const result = inPipe(`${CLI} run --records 5 --individual 0 --fast-timers --json --data-dir ${dataDir}`);
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout).runId as string;
  };
  /** Every file of the data folder whose path names the run. */
  const filesOf = (runId: string) =>
    (readdirSync(dataDir, { recursive: true }) as string[]).filter((path) => path.includes(runId));

  it('lists runs with sizes, removes one with rm and all but the newest with prune', () => {
    const first = run();
    const second = run();
    const listed = inTerminal(`${CLI} runs --data-dir ${dataDir}`);
    expect(listed.status).toBe(0);
    const lines = drawnLines(listed.stdout).filter((line) => line.trim().length > 1);
    expect(lines[0]).toMatch(/^run\s+status\s+records\s+size$/);
    for (const id of [first, second]) {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^${id}\\s+SUCCEEDED\\s+5\\s+[\\d.]+ KB$`)),
      );
    }
    expect(lines.at(-1)).toMatch(/^2 runs: [\d.]+ KB; .* holds [\d.]+ (KB|MB) in all/);
    expect(Math.max(...lines.slice(0, 3).map((line) => line.length))).toBeLessThan(80);

    const pruned = inPipe(`${CLI} runs prune --keep 1 --data-dir ${dataDir}`);
    expect([pruned.status, pruned.stderr]).toEqual([0, '']);
    expect(pruned.stdout).toMatch(
      new RegExp(`^removed ${first} .*\\n1 run removed, [\\d.]+ KB freed; kept the 1 newest`),
    );
    expect(filesOf(first)).toEqual([]);
    expect(filesOf(second).length).toBeGreaterThan(0);

    // The delivered output of a run is in the destination bucket, named in the run's output folder.
    const delivered = readdirSync(join(dataDir, 'runs', second, 'output'));
    expect(delivered).toHaveLength(1);
    const removed = inPipe(`${CLI} runs rm ${second} --data-dir ${dataDir}`);
    expect([removed.status, removed.stderr]).toEqual([0, '']);
    expect(removed.stdout).toMatch(new RegExp(`^removed ${second} \\([\\d.]+ KB\\)\\n$`));
    expect(filesOf(second)).toEqual([]);
    const objects = readdirSync(join(dataDir, 'services', 's3'), { recursive: true }) as string[];
    const name = delivered[0]?.split('_').at(-1) ?? '?';
    expect(objects.filter((path) => path.endsWith(name))).toEqual([]);
  });

  it('refuses to remove a run that does not exist, in one line', () => {
    const { stdout, stderr, status } = inPipe(
      `${CLI} runs rm run-20000101-000000-none --data-dir ${dataDir}`,
    );
    expect([status, stdout]).toEqual([1, '']);
    expect(stderr).toBe(
      `firehose-loader: ConfigError: no local run run-20000101-000000-none in ${dataDir}/runs\n`,
    );
  });
});
