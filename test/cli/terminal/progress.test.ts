import { rmSync } from 'node:fs';
import { CLI, drawnLines, inTerminal, tempDataDir } from './cli';

/**
 * Issue 15 item 5 and 10, as a person sees it: a run whose stream throttles (seeded injected
 * "Slow down." entries, so the same entries are refused on any machine) in an 80-column terminal.
 */
describe('the progress of `run` in an 80-column terminal', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says when throttling starts and why, counts refused entries live, and cuts nothing', () => {
    const { stdout: screen, status } = inTerminal(
      `${CLI} run --records 20 --individual 0 --fault-rate 0.5 --fast-timers --data-dir ${dataDir}`,
    );
    expect(status).toBe(0);
    // Permanent lines are wrapped at the terminal's width: read them as one text.
    const flat = screen.replace(/\s*\r?\n\s*/g, ' ');
    expect(flat).toMatch(
      /Firehose started throttling \("Slow down."\): the local stream's quota is 5 MiB\/s/,
    );
    expect(flat).toMatch(/--fault-rate 0\.5 refuses entries the same way/);
    expect(screen).toMatch(/round 0: (sending|backing off until \d\d:\d\d:\d\d)/);
    expect(screen).toMatch(/entries refused: [1-9][\d,]* throttled, 0 failed/);
    expect(screen).toMatch(/round 0 done \(in input records\): \d+ of 20 delivered so far/);
    expect(screen).toMatch(/sent: 20\/20 records delivered/);
    // The progress, from planning to the summary table (paths elsewhere wrap as the terminal likes:
    // only a redrawn line that is too wide gets cut).
    const progress = screen.slice(
      screen.indexOf('planning the source file'),
      screen.search(/\nrun {2,}run-/),
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...drawnLines(progress).map((line) => line.length))).toBeLessThan(80);
  });
});
