import { planSource } from '../../../functions/plan/plan-source';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { s3Client } from '../../../functions/shared/aws-clients';
import type { RecordFormat } from '../../../functions/shared/chunk';
import { readRecords } from '../../../functions/shared/records/reader';
import { readJsonLines } from '../../../functions/shared/s3-io';
import { collect, streamOf, utf8 } from '../../shared/records/streams';
import { recordingLogger } from '../fixtures';
import { type LocalAws, putText, startLocalAws } from '../local-aws';

/**
 * Reject reasons go to the logs (CloudWatch Logs on AWS), so they say where a record is and what kind
 * of error it has, never what it contains: the record's bytes go to the rejects file only.
 */

// Each bad record carries this text, so a reason that quotes the record shows it.
const SECRET = 'alice,123-45-6789';
const BAD_RECORDS = [
  [SECRET, 'unexpected character at position 0'],
  [`{"user":"${SECRET}","card":x}`, 'unexpected character at position 35'],
  [`["${SECRET}",]`, 'unexpected character at position 21'],
  // Positions count in the record as its excerpt shows it: the space outside strings is dropped.
  [`{"user":"${SECRET}"} trailing`, 'more data after the JSON value at position 28'],
  [`{"user":"${SECRET}"`, "expected ',' or '}' after a property value at position 27"],
  [`{"user":"${SECRET}\\q"}`, 'bad escape in a string at position 27'],
  [`{"user":"${SECRET}`, 'unterminated string at position 26'],
] as const;

async function rejectReasons(text: string, format: RecordFormat): Promise<string[]> {
  const items = await collect(readRecords(streamOf(utf8(text)), { format }));
  return items.flatMap((item) => (item.kind === 'reject' ? [item.reason] : []));
}

describe('reasons for records that are not valid JSON', () => {
  it.each(BAD_RECORDS)(
    'name the kind and position of the error in %s, not its content',
    async (record, why) => {
      const [reason] = await rejectReasons(`${record}\n`, 'jsonl');
      expect(reason).toBe(`record 0 at byte 0 (line 1): not valid JSON (${why})`);
      expect(reason).not.toContain('alice');
      expect(reason).not.toContain('123');
    },
  );

  it('leave the content out for elements of a JSON array too', async () => {
    const reasons = await rejectReasons(`[1, {"user": "${SECRET}", "card": x}]`, 'json');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/not valid JSON \(unexpected character at position \d+\)$/);
    expect(reasons[0]).not.toContain('alice');
  });
});

describe('the Plan step', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(() => aws?.stop());

  it('logs a rejected record without its content and keeps the excerpt in the rejects file', async () => {
    const s3 = s3Client();
    const source = `{"id":1}\n${BAD_RECORDS.map(([record]) => record).join('\n')}\n{"id":2}\n`;
    await putText(s3, aws.names.sourceBucket, 'reject-logging.jsonl', source);
    const logger = recordingLogger();
    const runId = 'reject-logging';
    const { summary } = await planSource(
      s3,
      {
        runId,
        source: { bucket: aws.names.sourceBucket, key: 'reject-logging.jsonl' },
        format: 'jsonl',
        individualRecords: 0,
        pack: false,
        maxBatchRecords: 500,
        maxBatchBytes: 4 * 1024 * 1024,
        artifactBucket: aws.names.artifactBucket,
      },
      logger,
    );
    expect(summary.rejected).toBe(BAD_RECORDS.length);
    const warnings = logger.lines.filter((line) => line.message === 'record rejected');
    expect(warnings).toHaveLength(BAD_RECORDS.length);
    for (const line of logger.lines) expect(JSON.stringify(line)).not.toContain('alice');

    const rejects: { excerpt: string }[] = [];
    const key = artifactKeys.rejects(runId);
    for await (const reject of readJsonLines<{ excerpt: string }>(s3, {
      bucket: aws.names.artifactBucket,
      key,
    }))
      rejects.push(reject);
    expect(rejects).toHaveLength(BAD_RECORDS.length);
    for (const reject of rejects) expect(reject.excerpt).toContain(SECRET);
  });
});
