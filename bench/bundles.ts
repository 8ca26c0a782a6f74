import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { BenchContext, SectionResult } from './types';
import { fmt, median, round, runChild } from './util';

const FUNCTIONS_DIR = join(__dirname, '..', 'functions');
const LOADS = 5;
const LOAD_TIMEOUT_MS = 60_000;
// Prints how long require() of the bundle took inside the child, in ms.
const LOADER =
  'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

/** Bundles every functions/<name>/handler.ts as lib/loader-functions.ts bundles it for Lambda. */
// Over 60 lines on purpose: one benchmark section read top to bottom (set up, measure, report table).
export async function bundles(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const names = readdirSync(FUNCTIONS_DIR).filter((name) => {
    try {
      return statSync(join(FUNCTIONS_DIR, name, 'handler.ts')).isFile();
    } catch {
      return false;
    }
  });
  // A plain `node -e 0`: the process start every cold load pays before require().
  const starts: number[] = [];
  for (let i = 0; i < LOADS; i++)
    starts.push((await runChild(process.execPath, ['-e', '0'], LOAD_TIMEOUT_MS)).ms);
  const baseline = median(starts);
  const rows: (string | number)[][] = [];
  const data: { [key: string]: number | string }[] = [];
  for (const name of names.sort()) {
    const outfile = join(ctx.tmp, 'bundles', name, 'index.js');
    const t = performance.now();
    // NodejsFunction's options: platform node, target node22, minify, source map without sources,
    // CommonJS, the AWS SDK bundled (nothing external).
    await build({
      entryPoints: [join(FUNCTIONS_DIR, name, 'handler.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      format: 'cjs',
      logLevel: 'error',
    });
    const buildMs = performance.now() - t;
    const code = readFileSync(outfile);
    const gzip = gzipSync(code).length;
    const processMs: number[] = [];
    const requireMs: number[] = [];
    // One after another, not in parallel: a cold load on an idle machine.
    for (let i = 0; i < LOADS; i++) {
      const child = await runChild(process.execPath, ['-e', LOADER, outfile], LOAD_TIMEOUT_MS);
      if (child.code !== 0) throw new Error(`loading ${name} failed: ${child.stderr.slice(-1000)}`);
      processMs.push(child.ms);
      requireMs.push(Number(child.stdout));
    }
    const row = {
      function: name,
      bytes: code.length,
      gzipBytes: gzip,
      mapBytes: statSync(`${outfile}.map`).size,
      requireMs: round(median(requireMs), 1),
      processMs: round(median(processMs), 1),
      buildMs: round(buildMs, 0),
    };
    data.push(row);
    rows.push([name, fmt(row.bytes), fmt(row.gzipBytes), row.requireMs, row.processMs]);
    ctx.log(`  ${name}: ${fmt(row.bytes)} bytes, require ${row.requireMs} ms`);
  }
  return {
    id: 'bundles',
    title: 'Lambda bundles: size and cold load time',
    headers: [
      'function',
      'bytes',
      'gzip bytes',
      'require() ms (median of 5)',
      'whole `node -e` ms (median of 5)',
    ],
    rows,
    targets: [],
    notes: [
      `esbuild with lib/loader-functions.ts's bundling options (platform node, target node22, minify, source map, CommonJS, AWS SDK bundled). Each load is a fresh \`node -e "require(bundle)"\` (${process.version}); require() ms is measured inside the child, the whole-process figure includes Node's own start (a bare \`node -e 0\` takes ${round(baseline, 1)} ms here). No target is set for bundles: the figures are for tracking.`,
    ],
    data: { nodeStartMs: round(baseline, 1), functions: data },
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
