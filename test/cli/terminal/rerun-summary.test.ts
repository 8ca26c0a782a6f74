import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, drawnLines, inPipe, inTerminal, tempDataDir } from './cli';

/**
 * Issue 15 items 3 and 4: a run that dead-letters says so once, with a command that works as typed
 * (the test runs the very command it prints), and after rerun-failed one summary is true for the whole
 * load, with each execution beside it.
 */
describe('dead letters and rerun-failed, as a person sees them', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the dead-letter message once, then rerun-failed as printed sums the whole load', () => {
    // Seeded faults: nine entries in ten fail, and no re-queue round, so some records are dead-lettered.
    const first = inPipe(
      `${CLI} run --records 20 --individual 0 --fault-rate 0.9 --fault-code InternalFailure ` +
        `--requeue-rounds 0 --fast-timers --data-dir ${dataDir}`,
    );
    expect(first.status).toBe(1);
    const runId = first.stdout.match(/^run\s+(run-\S+)\s+FAILED$/m)?.[1] ?? '';
    const deadLettered = Number(first.stdout.match(/\+ (\d+) dead-lettered/)?.[1]);
    expect(deadLettered).toBeGreaterThan(0);
    expect(first.stdout).toMatch(
      new RegExp(`^dead letters\\s+${deadLettered} records? in \\S+records\\.jsonl$`, 'm'),
    );
    expect(first.stdout).not.toMatch(/^error /m);
    const lastLine = first.stderr.trimEnd().split('\n').at(-1) ?? '';
    const command = `npm run cli -- rerun-failed ${runId} --data-dir ${dataDir}`;
    expect(lastLine).toBe(
      `firehose-loader: ${deadLettered} record${deadLettered === 1 ? ' was' : 's were'} not delivered after ` +
        `every re-queue round (dead letters); send them again with: ${command}`,
    );
    expect(
      `${first.stdout}${first.stderr}`.match(/could not be delivered|not delivered after/g),
    ).toHaveLength(1);

    // The command exactly as printed, in an 80-column terminal.
    const rerun = inTerminal(lastLine.slice(lastLine.indexOf('npm run cli')));
    expect(rerun.status).toBe(0);
    const screen = rerun.stdout.replace(/\r/g, '');
    const summary = JSON.parse(readFileSync(join(dataDir, 'runs', runId, 'summary.json'), 'utf8'));
    const [own, again] = summary.executions;
    expect(summary.records).toMatchObject({ input: 20, delivered: 20, deadLettered: 0 });
    expect(own.records.delivered + again.records.delivered).toBe(20);
    expect(summary.metrics).toEqual({
      incomingRecords: 20,
      incomingBytes: summary.output.bytes,
      verdict: 'confirmed',
    });
    expect(summary.firehose.putRecordBatchCalls).toBe(
      own.firehose.putRecordBatchCalls + again.firehose.putRecordBatchCalls,
    );
    expect(summary.durationMs).toBe(own.durationMs + again.durationMs);
    expect(screen).toMatch(new RegExp(`^run\\s+${runId}\\s+SUCCEEDED$`, 'm'));
    expect(screen).toMatch(/^records\s+20 in = 20 delivered \+ 0 dead-lettered \+ 0 rejected$/m);
    expect(screen).toMatch(/^CloudWatch\s+20 records, [\d,]+ bytes: confirmed$/m);
    expect(screen).toMatch(
      new RegExp(
        `^executions\\s+${runId} \\(the run\\)\\n\\s+${own.records.delivered} delivered, ${deadLettered} dead-lettered,`,
        'm',
      ),
    );
    expect(screen).toMatch(
      new RegExp(
        `^\\s+${again.runId} \\(rerun-failed\\)\\n\\s+${again.records.delivered} delivered, 0 dead-lettered,`,
        'm',
      ),
    );
    const partLines = drawnLines(rerun.stdout).filter((line) => /^(executions|\s{10,})/.test(line));
    expect(partLines).toHaveLength(4);
    expect(Math.max(...partLines.map((line) => line.length))).toBeLessThan(80);
  });
});
