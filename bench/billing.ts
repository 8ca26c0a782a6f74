import { createReadStream } from 'node:fs';
import { BILLING_INCREMENT_BYTES, MAX_RECORD_BYTES } from '../functions/shared/limits';
import { ChunkPlanner, type PlanTotals } from '../functions/shared/plan/planner';
import { resolvePlanSettings } from '../functions/shared/plan/settings';
import { readRecords } from '../functions/shared/records/reader';
import { mockFile } from './data';
import { type BenchContext, type SectionResult, target } from './types';
import { fmt, round } from './util';

interface Billing {
  scenario: string;
  records: number;
  payloadBytes: number;
  unpacked: number;
  packed: number;
  plannerUnpacked: number;
  plannerPacked: number;
  firehoseRecordsPacked: number;
}

// Our own rounding, not the product's billedBytesOf: each Firehose record up to the next 5 KB.
const bill = (bytes: number) => Math.ceil(bytes / BILLING_INCREMENT_BYTES) * BILLING_INCREMENT_BYTES;

async function measure(scenario: string, file: string, format: 'json' | 'jsonl'): Promise<Billing> {
  const unpackedPlanner = new ChunkPlanner(resolvePlanSettings({ pack: false }));
  const packedPlanner = new ChunkPlanner(resolvePlanSettings({ pack: true }));
  let records = 0;
  let payloadBytes = 0;
  let unpacked = 0;
  let packed = 0;
  let group = 0;
  let lastOffset = 0;
  for await (const item of readRecords(createReadStream(file), { format })) {
    if (item.kind !== 'record') continue;
    const size = item.payload.length;
    records += 1;
    payloadBytes += size;
    unpacked += bill(size);
    // Packing: records joined while the Firehose record stays within 1,000 KiB.
    if (group > 0 && group + size > MAX_RECORD_BYTES) {
      packed += bill(group);
      group = 0;
    }
    group += size;
    unpackedPlanner.add(item);
    packedPlanner.add(item);
    lastOffset = item.offset + size;
  }
  if (group > 0) packed += bill(group);
  unpackedPlanner.finish(lastOffset + 1);
  packedPlanner.finish(lastOffset + 1);
  const a: PlanTotals = unpackedPlanner.totals();
  const b: PlanTotals = packedPlanner.totals();
  return {
    scenario,
    records,
    payloadBytes,
    unpacked,
    packed,
    plannerUnpacked: a.billedBytes,
    plannerPacked: b.billedBytes,
    firehoseRecordsPacked: b.firehoseRecords,
  };
}

export async function billing(ctx: BenchContext): Promise<SectionResult> {
  const started = performance.now();
  const large = ctx.quick ? 100_000 : 1_000_000;
  const results = [
    await measure('2,550 records (the scenario, JSON array)', await mockFile(ctx, 2_550, 'json'), 'json'),
    await measure(`${fmt(large)} records (JSON Lines)`, await mockFile(ctx, large, 'jsonl'), 'jsonl'),
  ];
  const rows = results.map((r) => [
    r.scenario,
    fmt(r.payloadBytes),
    fmt(r.plannerUnpacked),
    (r.plannerUnpacked / r.payloadBytes).toFixed(2),
    fmt(r.plannerPacked),
    (r.plannerPacked / r.payloadBytes).toFixed(4),
    fmt(r.firehoseRecordsPacked),
  ]);
  const agree = results.every((r) => r.unpacked === r.plannerUnpacked && r.packed === r.plannerPacked);
  return {
    id: 'billing',
    title: 'Billing: billed bytes (5,120-byte rounding per Firehose record) ÷ payload bytes',
    headers: [
      'input',
      'payload bytes',
      'billed, unpacked',
      'ratio unpacked',
      'billed, packed',
      'ratio packed',
      'Firehose records packed',
    ],
    rows,
    targets: [
      ...results.map((r) =>
        target(`packed ratio, ${r.scenario}`, round(r.plannerPacked / r.payloadBytes, 4), '<=', 1.05),
      ),
      target('planner billing = independent computation', agree ? 1 : 0, '>=', 1),
    ],
    notes: [
      "Generated web-traffic records (functions/shared/mock-data, seed 42) read with the loader's reader, planned by ChunkPlanner with pack off and on; payload = the record bytes with their `\\n`. The billed bytes are the planner's, checked against an independent computation (own rounding and packing at 1,024,000 bytes): " +
        (agree ? 'they agree.' : 'they DO NOT agree.'),
    ],
    data: results.map((r) => ({ ...r })),
    seconds: round((performance.now() - started) / 1000, 1),
  };
}
