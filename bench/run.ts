/**
 * `npm run bench [-- --quick] [--only <section>[,<section>]] [--case <id>]`: runs every comparison in
 * order (or only those named), then writes bench/results/latest.json and the results section of
 * BENCHMARKS.md; with --only, the sections not run keep their earlier results, labelled with their
 * date. Stops by itself: a watchdog ends the process if the whole run overruns its bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billing } from './billing';
import { bundles } from './bundles';
import { callEfficiency } from './calls';
import { durability } from './durability';
import { memory } from './memory';
import { quota } from './quota';
import { machine, RESULTS_FILE, readPreviousResults, writeResults } from './report';
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
  ['quota', quota],
  ['memory', memory],
  ['bundles', bundles],
];

// Over 60 lines on purpose: the bench command's whole sequence (arguments, sections, results file) in order.
async function main(): Promise<void> {
  const { quick, only, caseId } = parseArgs(process.argv.slice(2));
  const limitMs = (quick ? 5 : 40) * 60_000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${limitMs / 60_000} minutes, stopping\n`);
    process.exit(3);
  }, limitMs);
  watchdog.unref();

  const started = performance.now();
  const tmp = await mkdtemp(join(tmpdir(), 'firehose-loader-bench-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const ctx: BenchContext = { quick, tmp, log, ...(caseId ? { caseId } : {}) };
  const sections: SectionResult[] = [];
  try {
    for (const [name, run] of COMPARISONS.filter(([name]) => !only || only.includes(name))) {
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
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const previous = only ? await readPreviousResults() : undefined;
  const kept = (previous?.sections ?? [])
    .filter((section) => !sections.some((s) => s.id === section.id))
    .map((section) => ({ ...section, ranAt: section.ranAt ?? previous?.date }));
  const ran = new Set(sections.map((s) => s.id));
  await writeResults({
    date: new Date().toISOString(),
    command,
    mode: quick ? 'quick' : 'full',
    machine: machine(),
    totalSeconds: Math.round((performance.now() - started) / 1000),
    // Sections in their usual order, whichever run they come from.
    sections: COMPARISONS.flatMap(([name]) =>
      ran.has(name) ? sections.filter((s) => s.id === name) : kept.filter((s) => s.id === name),
    ),
  });
  const targets = sections.flatMap((s) => s.targets.map((t) => ({ section: s.id, ...t })));
  for (const t of targets)
    log(`${t.pass ? 'pass' : 'MISS'}  ${t.section}: ${t.name} = ${t.value} (wanted ${t.op} ${t.limit})`);
  log(
    `bench: wrote ${RESULTS_FILE} and BENCHMARKS.md in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  clearTimeout(watchdog);
}

function parseArgs(args: string[]): { quick: boolean; only?: string[]; caseId?: string } {
  const usage = 'usage: npm run bench [-- --quick] [--only <section>[,<section>]] [--case <id>]';
  const names = COMPARISONS.map(([name]) => name);
  let quick = false;
  let only: string[] | undefined;
  let caseId: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' && args[i + 1]) only = (args[++i] as string).split(',');
    else if (arg === '--case' && args[i + 1]) caseId = args[++i];
    else throw new Error(`unknown argument ${arg}; ${usage}`);
  }
  const unknown = (only ?? []).filter((name) => !names.includes(name));
  if (unknown.length)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; sections: ${names.join(', ')}`);
  return { quick, ...(only ? { only } : {}), ...(caseId ? { caseId } : {}) };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
