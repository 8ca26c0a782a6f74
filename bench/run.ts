/**
 * `npm run bench [-- --quick]`: runs every comparison in order, then writes bench/results/latest.json
 * and the results section of BENCHMARKS.md. Stops by itself: a watchdog ends the process if the
 * whole run overruns its bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billing } from './billing';
import { bundles } from './bundles';
import { callEfficiency } from './calls';
import { durability } from './durability';
import { memory } from './memory';
import { machine, RESULTS_FILE, writeResults } from './report';
import { throttling } from './throttling';
import { throughput } from './throughput';
import type { BenchContext, SectionResult } from './types';
import { target } from './types';

const COMPARISONS: [string, (ctx: BenchContext) => Promise<SectionResult>][] = [
  ['calls', callEfficiency],
  ['billing', billing],
  ['throughput', throughput],
  ['throttling', throttling],
  ['durability', durability],
  ['memory', memory],
  ['bundles', bundles],
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--quick');
  if (unknown.length)
    throw new Error(`unknown argument(s) ${unknown.join(' ')}; usage: npm run bench [-- --quick]`);
  const quick = args.includes('--quick');
  const limitMs = (quick ? 5 : 40) * 60_000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${limitMs / 60_000} minutes, stopping\n`);
    process.exit(3);
  }, limitMs);
  watchdog.unref();

  const started = performance.now();
  const tmp = await mkdtemp(join(tmpdir(), 'firehose-loader-bench-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const ctx: BenchContext = { quick, tmp, log };
  const sections: SectionResult[] = [];
  try {
    for (const [name, run] of COMPARISONS) {
      log(`bench: ${name}${quick ? ' (quick)' : ''}`);
      const t = performance.now();
      try {
        sections.push(await run(ctx));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`bench: ${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
        sections.push({
          id: name,
          title: `${name}: FAILED`,
          headers: ['error'],
          rows: [[message.split('\n')[0] ?? message]],
          targets: [target(`${name} completed`, 0, '>=', 1)],
          notes: [],
          data: { error: message },
          seconds: Math.round((performance.now() - t) / 100) / 10,
        });
      }
      log(`bench: ${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await writeResults({
    date: new Date().toISOString(),
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    mode: quick ? 'quick' : 'full',
    machine: machine(),
    totalSeconds: Math.round((performance.now() - started) / 1000),
    sections,
  });
  const targets = sections.flatMap((s) => s.targets.map((t) => ({ section: s.id, ...t })));
  for (const t of targets)
    log(`${t.pass ? 'pass' : 'MISS'}  ${t.section}: ${t.name} = ${t.value} (wanted ${t.op} ${t.limit})`);
  log(
    `bench: wrote ${RESULTS_FILE} and BENCHMARKS.md in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
