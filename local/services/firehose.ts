import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type DeliveryReport, StreamDelivery } from './firehose-delivery';
import { FirehoseRequestError } from './firehose-errors';
import {
  ACCOUNT_ID,
  BUCKET_ARN_PATTERN,
  decodeBatch,
  decodeRecord,
  parseDestination,
  type S3Destination,
  STREAM_NAME_PATTERN,
} from './firehose-input';
import { BodyTooLargeError, isObject, type RequestContext, readBody, sendJson, sleep } from './http-util';
import type { MetricStore } from './metric-store';
import { mulberry32 } from './prng';
import type { S3Store } from './s3-store';
import { TokenBucket } from './token-bucket';

/** Local Amazon Data Firehose (awsJson1_1, Direct PUT into an S3 destination). */

export interface FirehoseQuotas {
  recordsPerSecond: number;
  requestsPerSecond: number;
  bytesPerSecond: number;
}

export interface FaultSettings {
  entryFailureRate: number;
  entryErrorCode: 'ServiceUnavailableException' | 'InternalFailure';
  requestErrorRate: number;
  requestErrorStatus: 500 | 503;
  latencyMs: number;
  seed: number;
}

/**
 * Direct PUT quota per stream in us-east-1, us-west-2 and eu-west-1 (Firehose quotas page). Other
 * regions get 100,000 records/s, 1,000 requests/s and 1 MiB/s; local runs use the large-region values
 * so they are not slowed down, and tests set tighter ones with `quotas`/setQuotas.
 */
export const DEFAULT_QUOTAS: FirehoseQuotas = {
  recordsPerSecond: 500_000,
  requestsPerSecond: 2_000,
  bytesPerSecond: 5 * 1024 * 1024,
};

export const DEFAULT_FAULTS: FaultSettings = {
  entryFailureRate: 0,
  entryErrorCode: 'ServiceUnavailableException',
  requestErrorRate: 0,
  requestErrorStatus: 503,
  latencyMs: 0,
  seed: 1,
};

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Firehose_20150804.';
// Base64 makes 4 MiB of records about 5.6 MiB of JSON; anything far beyond is not a Firehose call.
const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
// ListDeliveryStreams returns 10 names unless Limit says otherwise (Firehose API reference).
const DEFAULT_LIST_LIMIT = 10;
const SLOW_DOWN = 'Slow down.';

type EntryResult =
  | { RecordId: string }
  | { ErrorCode: FaultSettings['entryErrorCode']; ErrorMessage: string };
const FirehoseErrorName = { ServiceUnavailableException: 'ServiceUnavailableException' } as const;

const DestinationKind = { extended: 'ExtendedS3', plain: 'S3' } as const;
type DestinationKind = (typeof DestinationKind)[keyof typeof DestinationKind];

interface StreamConfig {
  name: string;
  arn: string;
  createdMs: number;
  versionId: string;
  kind: DestinationKind;
  destination: S3Destination;
}

interface Stream {
  config: StreamConfig;
  delivery: StreamDelivery;
  quota: { records: TokenBucket; requests: TokenBucket; bytes: TokenBucket };
}

const NAMESPACE = 'AWS/Firehose';

export class FirehoseService {
  private readonly streams = new Map<string, Stream>();
  private quotas: FirehoseQuotas;
  private faults: FaultSettings;
  private random: () => number;
  private recordSequence = 0;
  private readonly recordIdPrefix = randomBytes(12).toString('base64url');
  private readonly stateFile: string;

  constructor(
    private readonly store: S3Store,
    private readonly metrics: MetricStore,
    private readonly region: string,
    dataDir: string,
    quotas: Partial<FirehoseQuotas>,
    faults: Partial<FaultSettings>,
  ) {
    this.quotas = { ...DEFAULT_QUOTAS, ...quotas };
    this.faults = { ...DEFAULT_FAULTS, ...faults };
    this.random = mulberry32(this.faults.seed);
    this.stateFile = path.join(dataDir, 'firehose', 'streams.json');
  }

  /** Delivery stream definitions survive restarts; buffered records are flushed on stop instead. */
  async init(): Promise<void> {
    await mkdir(path.dirname(this.stateFile), { recursive: true });
    let saved: StreamConfig[] = [];
    try {
      saved = JSON.parse(await readFile(this.stateFile, 'utf8')) as StreamConfig[];
    } catch {
      // First start: no streams yet.
    }
    for (const config of saved) this.addStream(config);
  }

  setFaults(faults: Partial<FaultSettings>): void {
    this.faults = { ...this.faults, ...faults };
    if (faults.seed !== undefined) this.random = mulberry32(faults.seed);
  }

  setQuotas(quotas: Partial<FirehoseQuotas>): void {
    this.quotas = { ...this.quotas, ...quotas };
    for (const stream of this.streams.values()) {
      stream.quota.records.setRate(this.quotas.recordsPerSecond);
      stream.quota.requests.setRate(this.quotas.requestsPerSecond);
      stream.quota.bytes.setRate(this.quotas.bytesPerSecond);
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.streams.values()].map((stream) => stream.delivery.deliver()));
  }

  async stop(): Promise<void> {
    await this.flush();
    for (const stream of this.streams.values()) stream.delivery.stop();
  }

  async handle(ctx: RequestContext): Promise<void> {
    const started = performance.now();
    try {
      const target = String(ctx.req.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
      let input: unknown;
      try {
        input = JSON.parse((await readBody(ctx.req, MAX_REQUEST_BODY_BYTES)).toString('utf8') || '{}');
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          throw new FirehoseRequestError('InvalidArgumentException', error.message);
        throw new FirehoseRequestError('SerializationException', 'The request body is not valid JSON');
      }
      if (!isObject(input))
        throw new FirehoseRequestError('SerializationException', 'The request body must be a JSON object');
      const output = await this.dispatch(operation, input, started);
      sendJson(ctx, 200, JSON_CONTENT_TYPE, output);
    } catch (error) {
      const failure =
        error instanceof FirehoseRequestError
          ? error
          : new FirehoseRequestError('InternalFailure', String(error));
      sendJson(
        ctx,
        failure.status,
        JSON_CONTENT_TYPE,
        { __type: failure.code, message: failure.message },
        { 'x-amzn-errortype': failure.code },
      );
    }
  }

  private dispatch(
    operation: string,
    input: Record<string, unknown>,
    started: number,
  ): Promise<unknown> | unknown {
    switch (operation) {
      case 'CreateDeliveryStream':
        return this.createDeliveryStream(input);
      case 'DescribeDeliveryStream':
        return { DeliveryStreamDescription: this.describe(this.stream(input.DeliveryStreamName).config) };
      case 'ListDeliveryStreams':
        return this.listDeliveryStreams(input);
      case 'DeleteDeliveryStream':
        return this.deleteDeliveryStream(input);
      case 'PutRecord':
        return this.putRecords(input, false, started);
      case 'PutRecordBatch':
        return this.putRecords(input, true, started);
    }
    throw new FirehoseRequestError(
      'UnknownOperationException',
      `Operation ${operation || '(none)'} is not supported by local Firehose`,
    );
  }

  private async createDeliveryStream(input: Record<string, unknown>): Promise<unknown> {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string' || !STREAM_NAME_PATTERN.test(name)) {
      throw new FirehoseRequestError(
        'InvalidArgumentException',
        `Invalid DeliveryStreamName: ${String(name)}`,
      );
    }
    const type = input.DeliveryStreamType ?? 'DirectPut';
    if (type !== 'DirectPut') {
      throw new FirehoseRequestError(
        'InvalidArgumentException',
        `Local Firehose supports only DirectPut streams, not ${String(type)}`,
      );
    }
    if (this.streams.has(name)) {
      throw new FirehoseRequestError(
        'ResourceInUseException',
        `Firehose ${name} under accountId ${ACCOUNT_ID} already exists`,
      );
    }
    const extended = input.ExtendedS3DestinationConfiguration;
    const plain = input.S3DestinationConfiguration;
    const source = isObject(extended) ? extended : isObject(plain) ? plain : undefined;
    if (!source) {
      throw new FirehoseRequestError(
        'InvalidArgumentException',
        'Local Firehose supports only S3 destinations: give ExtendedS3DestinationConfiguration or S3DestinationConfiguration',
      );
    }
    const config: StreamConfig = {
      name,
      arn: `arn:aws:firehose:${this.region}:${ACCOUNT_ID}:deliverystream/${name}`,
      createdMs: Date.now(),
      versionId: '1',
      kind: isObject(extended) ? DestinationKind.extended : DestinationKind.plain,
      destination: parseDestination(source),
    };
    this.addStream(config);
    await this.save();
    return { DeliveryStreamARN: config.arn };
  }

  private listDeliveryStreams(input: Record<string, unknown>): unknown {
    const limit = typeof input.Limit === 'number' ? input.Limit : DEFAULT_LIST_LIMIT;
    const after =
      typeof input.ExclusiveStartDeliveryStreamName === 'string'
        ? input.ExclusiveStartDeliveryStreamName
        : '';
    const type = input.DeliveryStreamType;
    const names = [...this.streams.keys()]
      .sort()
      .filter((name) => name > after && (type === undefined || type === 'DirectPut'));
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  }

  private async deleteDeliveryStream(input: Record<string, unknown>): Promise<unknown> {
    const stream = this.stream(input.DeliveryStreamName);
    // Deliver what was accepted before the stream goes away: nothing accepted is lost.
    await stream.delivery.deliver();
    stream.delivery.stop();
    this.streams.delete(stream.config.name);
    await this.save();
    return {};
  }

  private async putRecords(
    input: Record<string, unknown>,
    batch: boolean,
    started: number,
  ): Promise<unknown> {
    const faults = this.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const data = batch ? decodeBatch(input.Records) : [decodeRecord(input.Record)];
    const stream = this.stream(input.DeliveryStreamName);
    const operation = batch ? 'PutRecordBatch' : 'PutRecord';

    if (this.random() < faults.requestErrorRate) {
      throw faults.requestErrorStatus === 500
        ? new FirehoseRequestError('InternalFailure', 'Internal service failure.')
        : new FirehoseRequestError('ServiceUnavailableException', SLOW_DOWN);
    }
    if (!stream.quota.requests.take(1)) {
      this.publishThrottled(stream.config.name, data.length);
      throw new FirehoseRequestError('ServiceUnavailableException', SLOW_DOWN);
    }

    const accepted: Buffer[] = [];
    let throttled = 0;
    const responses = data.map((record): EntryResult => {
      // One draw per entry whatever the rate, so a seed replays the same way after setFaults.
      if (this.random() < faults.entryFailureRate) {
        return {
          ErrorCode: faults.entryErrorCode,
          ErrorMessage: faults.entryErrorCode === 'InternalFailure' ? 'Internal service failure.' : SLOW_DOWN,
        };
      }
      const { records, bytes } = stream.quota;
      const withinRecords = records.take(1);
      if (!withinRecords || !bytes.take(record.length)) {
        if (withinRecords) records.refund(1);
        throttled++;
        return { ErrorCode: FirehoseErrorName.ServiceUnavailableException, ErrorMessage: SLOW_DOWN };
      }
      accepted.push(record);
      return { RecordId: this.nextRecordId() };
    });
    stream.delivery.append(accepted, Date.now());
    this.publishPut(stream.config.name, operation, accepted, throttled, performance.now() - started);

    if (!batch) {
      const response = responses[0];
      if ('ErrorCode' in response) {
        throw new FirehoseRequestError(response.ErrorCode, response.ErrorMessage);
      }
      return { RecordId: response.RecordId, Encrypted: false };
    }
    return { FailedPutCount: data.length - accepted.length, Encrypted: false, RequestResponses: responses };
  }

  private publishThrottled(streamName: string, records: number): void {
    this.publish(streamName, 'ThrottledRecords', records, 'Count');
  }

  private publishPut(
    streamName: string,
    operation: string,
    accepted: Buffer[],
    throttled: number,
    latencyMs: number,
  ): void {
    const bytes = accepted.reduce((sum, record) => sum + record.length, 0);
    this.publish(streamName, 'IncomingBytes', bytes, 'Bytes');
    this.publish(streamName, 'IncomingRecords', accepted.length, 'Count');
    this.publish(streamName, 'IncomingPutRequests', 1, 'Count');
    this.publish(streamName, 'ThrottledRecords', throttled, 'Count');
    this.publish(streamName, `${operation}.Bytes`, bytes, 'Bytes');
    this.publish(streamName, `${operation}.Records`, accepted.length, 'Count');
    this.publish(streamName, `${operation}.Requests`, 1, 'Count');
    this.publish(streamName, `${operation}.Latency`, latencyMs, 'Milliseconds');
    this.publish(streamName, 'RecordsPerSecondLimit', this.quotas.recordsPerSecond, 'Count');
    this.publish(streamName, 'BytesPerSecondLimit', this.quotas.bytesPerSecond, 'Bytes');
    this.publish(streamName, 'PutRequestsPerSecondLimit', this.quotas.requestsPerSecond, 'Count');
  }

  private publishDelivery(streamName: string, report: DeliveryReport): void {
    this.publish(streamName, 'DeliveryToS3.Records', report.records, 'Count');
    this.publish(streamName, 'DeliveryToS3.Bytes', report.bytes, 'Bytes');
    this.publish(streamName, 'DeliveryToS3.Success', 1, 'Count');
    this.publish(
      streamName,
      'DeliveryToS3.DataFreshness',
      (Date.now() - report.oldestArrivalMs) / 1000,
      'Seconds',
    );
  }

  private publish(streamName: string, metricName: string, value: number, unit: string): void {
    this.metrics.put({
      namespace: NAMESPACE,
      metricName,
      dimensions: [{ Name: 'DeliveryStreamName', Value: streamName }],
      timestampMs: Date.now(),
      unit,
      stats: { sum: value, count: 1, min: value, max: value },
    });
  }

  private nextRecordId(): string {
    this.recordSequence++;
    return `${this.recordIdPrefix}${this.recordSequence.toString(16).padStart(16, '0')}`;
  }

  private stream(name: unknown): Stream {
    if (typeof name !== 'string' || !STREAM_NAME_PATTERN.test(name)) {
      throw new FirehoseRequestError(
        'InvalidArgumentException',
        `Invalid DeliveryStreamName: ${String(name)}`,
      );
    }
    const stream = this.streams.get(name);
    if (!stream) {
      throw new FirehoseRequestError(
        'ResourceNotFoundException',
        `Firehose ${name} under account ${ACCOUNT_ID} not found.`,
      );
    }
    return stream;
  }

  private addStream(config: StreamConfig): void {
    const { destination } = config;
    const bucket = (destination.BucketARN.match(BUCKET_ARN_PATTERN) ?? [])[1] ?? '';
    const delivery = new StreamDelivery(
      {
        streamName: config.name,
        versionId: config.versionId,
        bucket,
        prefix: destination.Prefix ?? '',
        sizeBytes: destination.BufferingHints.SizeInMBs * 1024 * 1024,
        intervalMs: destination.BufferingHints.IntervalInSeconds * 1000,
        gzip: destination.CompressionFormat === 'GZIP',
      },
      this.store,
      (report) => this.publishDelivery(config.name, report),
    );
    this.streams.set(config.name, {
      config,
      delivery,
      quota: {
        records: new TokenBucket(this.quotas.recordsPerSecond),
        requests: new TokenBucket(this.quotas.requestsPerSecond),
        bytes: new TokenBucket(this.quotas.bytesPerSecond),
      },
    });
  }

  private async save(): Promise<void> {
    const temp = `${this.stateFile}.tmp`;
    await writeFile(
      temp,
      JSON.stringify(
        [...this.streams.values()].map((s) => s.config),
        null,
        2,
      ),
    );
    await rename(temp, this.stateFile);
  }

  private describe(config: StreamConfig): unknown {
    const { destination } = config;
    const description = { ...destination, EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' } };
    const created = config.createdMs / 1000;
    return {
      DeliveryStreamName: config.name,
      DeliveryStreamARN: config.arn,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
      VersionId: config.versionId,
      CreateTimestamp: created,
      LastUpdateTimestamp: created,
      Destinations: [
        {
          DestinationId: 'destinationId-000000000001',
          S3DestinationDescription: description,
          ...(config.kind === DestinationKind.extended
            ? { ExtendedS3DestinationDescription: { ...description, S3BackupMode: 'Disabled' } }
            : {}),
        },
      ],
      HasMoreDestinations: false,
    };
  }
}
