import { existsSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRecords, writeMockData } from '../functions/shared/mock-data';
import { type BenchContext, type SectionResult, target } from './types';
import { fmt, round, runChild } from './util';

const MIB = 1024 * 1024;
const TIME = '/usr/bin/time';
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
const CHILD_TIMEOUT_MS = 10 * 60_000;

interface ChildReport {
  bytes: number;
  records: number;
  rejected: number;
  chunks: number;
  manifestBytes: number;
  ms: number;
  maxRssKb: number;
}

/** Records needed for about `bytes` of JSON array, from the average size of a sample. */
function recordsFor(bytes: number): number {
  let sample = 0;
  let total = 0;
  for (const record of generateRecords(5_000)) {
    sample += 1;
    total += JSON.stringify(record).length + 2;
  }
  return Math.ceil(bytes / (total / sample));
}

// Over 60 lines on purpose: one benchmark section read top to bottom (set up, measure, report table).
export async function memory(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const targetBytes = (ctx.quick ? 128 : 1024) * MIB;
  const file = join(ctx.tmp, 'plan-memory.json');
  const count = recordsFor(targetBytes);
  try {
    const t = performance.now();
    await writeMockData(file, { count, format: 'json' });
    const bytes = (await stat(file)).size;
    ctx.log(
      `  generated ${fmt(bytes)} bytes (${fmt(count)} records) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const useTime = existsSync(TIME);
    const child = useTime
      ? await runChild(TIME, ['-v', TSX, join(__dirname, 'plan-memory.ts'), file], CHILD_TIMEOUT_MS)
      : await runChild(TSX, [join(__dirname, 'plan-memory.ts'), file], CHILD_TIMEOUT_MS);
    if (child.code !== 0) throw new Error(`plan-memory exited ${child.code}: ${child.stderr.slice(-2000)}`);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() as string) as ChildReport;
    const timeKb = Number(
      /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? Number.NaN,
    );
    const peakKb = useTime && Number.isFinite(timeKb) ? timeKb : report.maxRssKb;
    const peakMb = (peakKb * 1024) / 1e6;
    const mbPerSecond = report.bytes / 1e6 / (report.ms / 1000);
    return {
      id: 'memory',
      title: `Memory: planning a ${fmt(Math.round(report.bytes / MIB))} MiB JSON-array file`,
      headers: [
        'file bytes',
        'records',
        'chunks',
        'peak RSS (MB)',
        'planner process RSS (MB)',
        'seconds',
        'MB/s',
      ],
      rows: [
        [
          fmt(report.bytes),
          fmt(report.records),
          fmt(report.chunks),
          round(peakMb, 1),
          round((report.maxRssKb * 1024) / 1e6, 1),
          round(report.ms / 1000, 2),
          round(mbPerSecond, 1),
        ],
      ],
      targets: [target('peak RSS (MB)', round(peakMb, 1), '<=', 200)],
      notes: [
        `A child process (tsx bench/plan-memory.ts) streams the file through readRecords (format json) and ChunkPlanner and serialises every chunk as a manifest line (${fmt(report.manifestBytes)} bytes, counted and dropped). Peak RSS: ${useTime ? '`/usr/bin/time -v` maximum resident set size (the largest process of the tsx tree)' : 'process.resourceUsage().maxRSS of the planning process'}; the second RSS column is the planning process's own maxRSS. MB = 10^6 bytes; seconds cover reading and planning, not process start.`,
      ],
      data: {
        ...report,
        peakRssKb: peakKb,
        peakRssSource: useTime ? '/usr/bin/time -v' : 'process.resourceUsage',
        mbPerSecond: round(mbPerSecond, 2),
      },
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await rm(file, { force: true });
  }
}
