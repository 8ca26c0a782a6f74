import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { Cell, JsonValue, SectionResult, Target } from './types';

export interface Machine {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export interface BenchResults {
  date: string;
  command: string;
  mode: 'quick' | 'full';
  machine: Machine;
  totalSeconds: number;
  sections: SectionResult[];
}

const ROOT = join(__dirname, '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const RESULTS_FILE = join(RESULTS_DIR, 'latest.json');
const BENCHMARKS_FILE = join(ROOT, 'BENCHMARKS.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

export function machine(): Machine {
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const cell = (value: Cell) => String(value).replaceAll('|', '\\|');
const table = (headers: string[], rows: Cell[][]) =>
  [
    `| ${headers.map(cell).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
const verdict = (t: Target) => (t.pass ? 'pass' : '**miss**');

/** The results section of BENCHMARKS.md (between the markers). */
export function renderResults(results: BenchResults): string {
  const m = results.machine;
  const targets = results.sections.flatMap((s) =>
    s.targets.map((t) => [s.id, t.name, t.value, `${t.op} ${t.limit}`, verdict(t)]),
  );
  const parts = [
    `Run of ${results.date} (${results.mode}, ${results.totalSeconds} s): \`${results.command}\` on ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, Node.js ${m.node}, ${m.platform}.`,
    '',
    '### Targets',
    '',
    table(['comparison', 'target', 'measured', 'wanted', 'verdict'], targets),
  ];
  for (const section of results.sections) {
    parts.push('', `### ${section.title}`, '', table(section.headers, section.rows));
    for (const note of section.notes) parts.push('', note);
    const earlier =
      section.ranAt && section.ranAt !== results.date ? `, measured in the run of ${section.ranAt}` : '';
    parts.push('', `(${section.seconds} s${earlier})`);
  }
  return parts.join('\n');
}

const INTRO = `# Benchmarks

\`npm run bench\` measures firehose-loader on this machine and rewrites the results below and
\`bench/results/latest.json\`. Every figure comes from the run itself; each comparison is measured
side by side in the same run and reported as a ratio with a pass/miss against its target.

\`\`\`sh
npm run bench -- --quick   # smaller inputs, under two minutes
npm run bench              # the full run (a 1,000,000-record workflow, a 1 GiB plan), under ~20 minutes
\`\`\`

What each comparison measures, and why:

1. **Call efficiency** (\`bench/calls.ts\`): PutRecordBatch calls the planner makes ÷ the fewest possible
   for the input, on tiny, mixed, near-limit and adversarial record sizes. Every call costs a request
   against the 2,000 requests/s quota; the minimum is an independent dynamic programme over contiguous
   runs, shown with the max(ceil(n/500), ceil(bytes/4 MiB)) lower bound. Target 1.00.
2. **Billing** (\`bench/billing.ts\`): billed bytes (each Firehose record rounded up to 5,120 bytes) ÷
   payload bytes, with and without packing, on the 2,550-record scenario and on 1,000,000 generated
   web-traffic records. Small records cost ~17× their size unpacked. Target with packing ≤ 1.05.
3. **Throughput** (\`bench/throughput.ts\`): records/s of a whole local run (\`runLocalJob\`, plan → Map →
   metrics check) ÷ the ceiling of the same local Firehose, measured by a minimal loop of ready-made
   500-record requests at the same concurrency. Says how much the loader itself costs over the wire
   protocol; also where the time goes (per state, from \`events.jsonl\`). Regression floor ≥ 0.30 (the
   earlier 0.5 target is withdrawn: on this 2-core machine the ratio is bound by CPU, and on AWS the
   stream's quota decides the speed).
   If the full-size run fails, that is a miss of its own and the ratio comes from a 200,000-record
   run in the same bench run, labelled as such.
4. **Throttling** (\`bench/throttling.ts\`): a run against a 5,000 records/s quota with real timers:
   achieved rate ÷ quota (target ≥ 0.9), calls sent ÷ calls needed (target ≤ 1.3), and nothing lost
   (delivered = input, output lines equal to the input lines as a multiset). Calls sent are counted as
   the stream saw them (every request the local Firehose received, refused ones included; the run
   summary's count is shown too where it differs), here and in the throughput and quota sections.
5. **Quota** (\`bench/quota.ts\`, \`npm run bench -- --only quota [--case <id>]\`): with nothing
   stated to the job, runs against local streams whose quota binds (5 and 1 MiB/s, 20,000 records/s,
   500 requests/s, irregular chunk sizes, a second writer taking half): job time ÷ quota-bound time
   ≤ 1.10, calls (as the stream saw them, the second writer's taken out) ÷ minimum ≤ 1.05, throttled
   entries ≤ 1% of records, nothing lost; a plot of the
   achieved rate against the quota (\`bench/results/quota-rates.svg\`).
6. **Memory** (\`bench/memory.ts\`, \`bench/plan-memory.ts\`): peak RSS and MB/s of planning a 1 GiB
   JSON-array file in a child process (reader + ChunkPlanner). Plan streams; target ≤ 200 MB.
7. **Lambda bundles** (\`bench/bundles.ts\`): bytes, gzip bytes and median cold \`require()\` time of
   each handler bundled as the CDK stack bundles it. Tracked, no target.

\`--quick\` shrinks the inputs (100,000-record workflow, 20,000-record throttling run, 128 MiB plan)
and says so in the results. Large inputs are generated into a temp dir and deleted afterwards.

## Results

${START}
${END}
`;

/** The results of the last run, if any: a partial run (`--only`) keeps the sections it did not run. */
export async function readPreviousResults(): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

export async function writeResults(results: BenchResults): Promise<void> {
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results as unknown as JsonValue, null, 2)}\n`);
  let text: string;
  try {
    text = await readFile(BENCHMARKS_FILE, 'utf8');
  } catch {
    text = INTRO;
  }
  if (!text.includes(START) || !text.includes(END))
    text = `${text.trimEnd()}\n\n## Results\n\n${START}\n${END}\n`;
  const before = text.slice(0, text.indexOf(START) + START.length);
  const after = text.slice(text.indexOf(END));
  await writeFile(BENCHMARKS_FILE, `${before}\n${renderResults(results)}\n${after}`);
}
