import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_DATUM_AGE_MS } from '../../../functions/advance-round/accepted-metrics';
import { publishAcceptedOnce } from '../../../functions/advance-round/published-ledger';
import { type AcceptedByMinute, minuteOf } from '../../../functions/shared/accepted-minutes';
import { artifactKeys } from '../../../functions/shared/artifacts';
import { recordingLogger } from '../fixtures';

const s3Mock = mockClient(S3Client);
const cloudWatchMock = mockClient(CloudWatchClient);
const ROUND = { runId: 'run-ledger', number: 2 } as const;
const NOW = new Date('2024-05-01T18:00:00Z');

/** The bucket, as a map from key to body; `events` is every PutMetricData and ledger write, in order. */
let objects: Map<string, string>;
let events: string[];

const preconditionFailed = () =>
  Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });

const noSuchKey = () =>
  Object.assign(new Error('The specified key does not exist.'), {
    name: 'NoSuchKey',
    $metadata: { httpStatusCode: 404 },
  });
const conflict = () =>
  Object.assign(new Error('A conflicting operation occurred. Retry the upload.'), {
    name: 'ConditionalRequestConflict',
    $metadata: { httpStatusCode: 409 },
  });

beforeEach(() => {
  s3Mock.reset();
  cloudWatchMock.reset();
  objects = new Map();
  events = [];
  s3Mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [...objects.keys()]
      .filter((key) => key.startsWith(input.Prefix ?? ''))
      .sort()
      .map((Key) => ({ Key })),
  }));
  s3Mock.on(GetObjectCommand).callsFake((input) => {
    const text = objects.get(input.Key);
    if (text === undefined) throw noSuchKey();
    return { Body: { transformToString: async () => text } as never, ETag: '"e"' };
  });
  s3Mock.on(PutObjectCommand).callsFake((input) => {
    if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw preconditionFailed();
    objects.set(input.Key, String(input.Body));
    events.push(`put ${input.Key}`);
    return { ETag: '"e"' };
  });
  cloudWatchMock.on(PutMetricDataCommand).callsFake(() => {
    events.push('PutMetricData');
    return {};
  });
});

const deps = (logger = recordingLogger()) => ({
  s3: new S3Client({}),
  cloudWatch: new CloudWatchClient({}),
  artifactBucket: 'artifacts',
  namespace: 'Loader',
  streamName: 'stream-a',
  logger,
});

/** `count` minutes from 12:00 on, each with 1 record of 10 bytes, as a round's outcomes sum them. */
const minutes = (count: number): AcceptedByMinute =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [minuteOf(Date.UTC(2024, 4, 1, 12) + i * 60_000), [1, 10]]),
  );

const sentDatums = (): MetricDatum[] =>
  cloudWatchMock.commandCalls(PutMetricDataCommand).flatMap((call) => call.args[0].input.MetricData ?? []);

const entryKey = (index: number) => artifactKeys.published(ROUND.runId, ROUND.number, index);
const entry = (index: number) => JSON.parse(objects.get(entryKey(index)) ?? 'null');

describe('publishAcceptedOnce', () => {
  it("publishes the round's minutes and records the request in the ledger only after it succeeded", async () => {
    const accepted = { '2024-05-01T12:03Z': [7, 70], '2024-05-01T12:04Z': [3, 30] } as AcceptedByMinute;

    const report = await publishAcceptedOnce(deps(), ROUND, accepted, NOW);

    expect(report).toEqual({ acceptedMinutes: 2, publishedMinutes: 2, requests: 1, tooOld: 0 });
    expect(events).toEqual(['PutMetricData', `put ${entryKey(0)}`]);
    expect(entry(0)).toEqual({
      published: accepted,
      publishedAt: NOW.toISOString(),
      writer: expect.any(String),
    });
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input.IfNoneMatch).toBe('*');
    expect(sentDatums().map((datum) => datum.Value)).toEqual([7, 70, 3, 30]);
  });

  it('publishes nothing and writes nothing when run again for the same round (a retried step, a resume, a redrive)', async () => {
    await publishAcceptedOnce(deps(), ROUND, minutes(3), NOW);

    const again = await publishAcceptedOnce(deps(), ROUND, minutes(3), NOW);

    expect(again).toMatchObject({ acceptedMinutes: 3, publishedMinutes: 0, requests: 0 });
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('after a refused second request, a retry sends only that request: every minute is published once', async () => {
    cloudWatchMock
      .on(PutMetricDataCommand)
      .resolvesOnce({})
      .rejectsOnce(new Error('Rate exceeded'))
      .resolves({});
    const accepted = minutes(600);

    await expect(publishAcceptedOnce(deps(), ROUND, accepted, NOW)).rejects.toThrow('Rate exceeded');
    expect(Object.keys(entry(0).published)).toHaveLength(500);
    expect(objects.has(entryKey(1))).toBe(false);
    const retry = await publishAcceptedOnce(deps(), ROUND, accepted, NOW);

    expect(retry).toMatchObject({ publishedMinutes: 100, requests: 1 });
    const succeeded = cloudWatchMock.commandCalls(PutMetricDataCommand).filter((_, i) => i !== 1);
    const perMinute = new Map<string, number>();
    for (const datum of succeeded.flatMap((call) => call.args[0].input.MetricData ?? [])) {
      const at = `${datum.MetricName} ${minuteOf(datum.Timestamp?.getTime() ?? 0)}`;
      perMinute.set(at, (perMinute.get(at) ?? 0) + 1);
    }
    expect(perMinute.size).toBe(1_200);
    expect([...perMinute.values()].every((times) => times === 1)).toBe(true);
    expect(Object.keys(entry(1).published)).toEqual(Object.keys(accepted).slice(500));
  });

  it('publishes only the difference when a later try finds more accepted than the ledger holds', async () => {
    await publishAcceptedOnce(deps(), ROUND, { '2024-05-01T12:03Z': [3, 30] }, NOW);
    cloudWatchMock.resetHistory();

    // A chunk's outcome was written between the two tries of the step.
    await publishAcceptedOnce(
      deps(),
      ROUND,
      { '2024-05-01T12:03Z': [5, 50], '2024-05-01T12:04Z': [1, 10] },
      NOW,
    );

    expect(sentDatums().map((datum) => [minuteOf(datum.Timestamp?.getTime() ?? 0), datum.Value])).toEqual([
      ['2024-05-01T12:03Z', 2],
      ['2024-05-01T12:03Z', 20],
      ['2024-05-01T12:04Z', 1],
      ['2024-05-01T12:04Z', 10],
    ]);
    expect(entry(1).published).toEqual({ '2024-05-01T12:03Z': [2, 20], '2024-05-01T12:04Z': [1, 10] });
  });

  it('records at the next index, and says so, when another invocation of the round created the same entry at once', async () => {
    const logger = recordingLogger();
    let raced = false;
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      if (!raced) {
        raced = true;
        objects.set(input.Key, JSON.stringify({ published: minutes(1), publishedAt: NOW.toISOString() }));
        throw preconditionFailed();
      }
      objects.set(input.Key, String(input.Body));
      return { ETag: '"e"' };
    });

    await publishAcceptedOnce(deps(logger), ROUND, minutes(1), NOW);

    expect(entry(1).published).toEqual(minutes(1));
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'another invocation of this round published accepted minutes at the same time',
      }),
    );
    // The ledger says what CloudWatch holds: both publications. A later try publishes nothing more.
    cloudWatchMock.resetHistory();
    await publishAcceptedOnce(deps(logger), ROUND, minutes(1), NOW);
    expect(cloudWatchMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('takes an entry that holds its own write as its own, when the SDK retried a create whose answer was lost', async () => {
    const logger = recordingLogger();
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      // The first attempt landed; the SDK's retry of it meets the object and gets 412.
      objects.set(input.Key, String(input.Body));
      throw preconditionFailed();
    });

    await publishAcceptedOnce(deps(logger), ROUND, minutes(1), NOW);

    expect([...objects.keys()]).toEqual([entryKey(0)]);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('tries the same index again after a 409 that left the key absent, without a warning', async () => {
    const logger = recordingLogger();
    let conflicted = false;
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      if (!conflicted) {
        conflicted = true;
        throw conflict();
      }
      objects.set(input.Key, String(input.Body));
      return { ETag: '"e"' };
    });

    await publishAcceptedOnce(deps(logger), ROUND, minutes(1), NOW);

    expect([...objects.keys()]).toEqual([entryKey(0)]);
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('throws when it cannot read the entry its create lost to, instead of recording the minutes again', async () => {
    s3Mock.on(PutObjectCommand).callsFake((input) => {
      objects.set(input.Key, String(input.Body));
      throw preconditionFailed();
    });
    s3Mock
      .on(GetObjectCommand)
      .rejects(Object.assign(new Error('Slow Down'), { $metadata: { httpStatusCode: 503 } }));

    await expect(publishAcceptedOnce(deps(), ROUND, minutes(1), NOW)).rejects.toThrow('Slow Down');
    expect([...objects.keys()]).toEqual([entryKey(0)]);
  });

  it('neither publishes nor records minutes over two weeks old, which PutMetricData would refuse', async () => {
    const old = minuteOf(NOW.getTime() - MAX_DATUM_AGE_MS - 60_000);
    const recent = minuteOf(NOW.getTime() - 60_000);

    const report = await publishAcceptedOnce(deps(), ROUND, { [old]: [1, 10], [recent]: [2, 20] }, NOW);

    expect(report).toMatchObject({ publishedMinutes: 1, tooOld: 1 });
    expect(entry(0).published).toEqual({ [recent]: [2, 20] });
  });

  it('makes no S3 or CloudWatch call for a round that had nothing accepted', async () => {
    await publishAcceptedOnce(deps(), ROUND, {}, NOW);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(cloudWatchMock.calls()).toHaveLength(0);
  });

  it('refuses a ledger entry it cannot read, naming it, rather than guess what CloudWatch holds', async () => {
    objects.set(entryKey(0), '{"published":{"not a minute":[1]}}');

    await expect(publishAcceptedOnce(deps(), ROUND, minutes(1), NOW)).rejects.toMatchObject({
      name: 'AccountingError',
      message: expect.stringContaining(`s3://artifacts/${entryKey(0)}`),
    });
    expect(cloudWatchMock.calls()).toHaveLength(0);
  });
});
