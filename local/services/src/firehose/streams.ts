import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isObject } from '../http/util';
import type { S3Store } from '../s3/store';
import { type BufferSettings, type DeliveryReport, StreamDelivery } from './delivery';
import { FirehoseErrorResponse } from './errors';
import {
  ACCOUNT_ID,
  BUCKET_ARN_PATTERN,
  parseDestination,
  type S3Destination,
  STREAM_NAME_PATTERN,
} from './input';
import type { FirehoseQuotas } from './settings';
import { QuotaClock, TokenBucket } from './token-bucket';

/** Local Firehose delivery streams: Create/Describe/List/DeleteDeliveryStream, kept in streams.json. */

// ListDeliveryStreams returns 10 names unless Limit says otherwise (Firehose API reference).
const DEFAULT_LIST_LIMIT = 10;

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

export interface Stream {
  config: StreamConfig;
  /** Until then the stream is CREATING: described so, and refusing records. */
  activeAtMs: number;
  delivery: StreamDelivery;
  quota: { clock: QuotaClock; records: TokenBucket; requests: TokenBucket; bytes: TokenBucket };
}

export class DeliveryStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly stateFile: string;
  private readonly bufferRoot: string;

  constructor(
    private readonly store: S3Store,
    private readonly region: string,
    dataDir: string,
    /** The quotas in force when a stream is added: its token buckets start at them. */
    private readonly quotas: () => FirehoseQuotas,
    private readonly onDelivery: (streamName: string, report: DeliveryReport) => void,
    /** How long a new stream stays CREATING before it is ACTIVE. */
    private readonly creatingMs: number,
    /** How accepted records are kept on disk until delivered (firehose-buffer.ts). */
    private readonly buffering: Omit<BufferSettings, 'dir'> = { sync: true },
  ) {
    this.stateFile = path.join(dataDir, 'firehose', 'streams.json');
    this.bufferRoot = path.join(dataDir, 'firehose', 'buffers');
  }

  /** Delivery stream definitions and accepted records survive restarts, and kill -9. */
  async init(): Promise<void> {
    await mkdir(path.dirname(this.stateFile), { recursive: true });
    let saved: StreamConfig[] = [];
    try {
      saved = JSON.parse(await readFile(this.stateFile, 'utf8')) as StreamConfig[];
    } catch {
      // First start: no streams yet.
    }
    // Streams from an earlier start finished creating long ago.
    for (const config of saved) this.addStream(config, 0);
    // Records a previous process accepted but did not deliver: delivered now, exactly once.
    for (const stream of this.streams.values()) await stream.delivery.init();
  }

  values(): IterableIterator<Stream> {
    return this.streams.values();
  }

  async createDeliveryStream(input: Record<string, unknown>): Promise<unknown> {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string' || !STREAM_NAME_PATTERN.test(name)) {
      throw new FirehoseErrorResponse(
        'InvalidArgumentException',
        `Invalid DeliveryStreamName: ${String(name)}`,
      );
    }
    const type = input.DeliveryStreamType ?? 'DirectPut';
    if (type !== 'DirectPut') {
      throw new FirehoseErrorResponse(
        'InvalidArgumentException',
        `Local Firehose supports only DirectPut streams, not ${String(type)}`,
      );
    }
    if (this.streams.has(name)) {
      throw new FirehoseErrorResponse(
        'ResourceInUseException',
        `Firehose ${name} under accountId ${ACCOUNT_ID} already exists`,
      );
    }
    const extended = input.ExtendedS3DestinationConfiguration;
    const plain = input.S3DestinationConfiguration;
    const source = isObject(extended) ? extended : isObject(plain) ? plain : undefined;
    if (!source) {
      throw new FirehoseErrorResponse(
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
    await this.addStream(config, config.createdMs + this.creatingMs).delivery.init();
    await this.save();
    return { DeliveryStreamARN: config.arn };
  }

  listDeliveryStreams(input: Record<string, unknown>): unknown {
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

  async deleteDeliveryStream(input: Record<string, unknown>): Promise<unknown> {
    const stream = this.stream(input.DeliveryStreamName);
    // DeleteDeliveryStream API reference: a stream cannot be deleted while it is CREATING.
    if (this.isCreating(stream)) {
      throw new FirehoseErrorResponse(
        'ResourceInUseException',
        `Firehose ${stream.config.name} under account ${ACCOUNT_ID} is in CREATING state and cannot be deleted.`,
      );
    }
    // Deliver what was accepted before the stream goes away: nothing accepted is lost.
    await stream.delivery.deliver();
    await stream.delivery.remove();
    this.streams.delete(stream.config.name);
    await this.save();
    return {};
  }

  stream(name: unknown): Stream {
    if (typeof name !== 'string' || !STREAM_NAME_PATTERN.test(name)) {
      throw new FirehoseErrorResponse(
        'InvalidArgumentException',
        `Invalid DeliveryStreamName: ${String(name)}`,
      );
    }
    const stream = this.streams.get(name);
    if (!stream) {
      throw new FirehoseErrorResponse(
        'ResourceNotFoundException',
        `Firehose ${name} under account ${ACCOUNT_ID} not found.`,
      );
    }
    return stream;
  }

  /**
   * The stream a PutRecord(Batch) writes to. "Attempts to send data to a delivery stream that is not in
   * the ACTIVE state cause an exception" (CreateDeliveryStream API reference); ResourceNotFoundException
   * is the one PutRecord's error list has for it (ResourceInUseException is not among them).
   */
  activeStream(name: unknown): Stream {
    const stream = this.stream(name);
    if (this.isCreating(stream)) {
      throw new FirehoseErrorResponse(
        'ResourceNotFoundException',
        `Firehose ${stream.config.name} under account ${ACCOUNT_ID} is not ACTIVE (it is CREATING): wait until DescribeDeliveryStream shows ACTIVE.`,
      );
    }
    return stream;
  }

  private isCreating(stream: Stream): boolean {
    return Date.now() < stream.activeAtMs;
  }

  private addStream(config: StreamConfig, activeAtMs: number): Stream {
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
      (report) => this.onDelivery(config.name, report),
      // Prefixed: a stream may be named "." or "..".
      { ...this.buffering, dir: path.join(this.bufferRoot, `stream-${config.name}`) },
    );
    const quotas = this.quotas();
    const clock = new QuotaClock(() => this.quotas().msPerRequest);
    const stream: Stream = {
      config,
      activeAtMs,
      delivery,
      quota: {
        clock,
        records: new TokenBucket(quotas.recordsPerSecond, clock.now),
        requests: new TokenBucket(quotas.requestsPerSecond, clock.now),
        bytes: new TokenBucket(quotas.bytesPerSecond, clock.now),
      },
    };
    this.streams.set(config.name, stream);
    return stream;
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

  describe(stream: Stream): unknown {
    const { config } = stream;
    const { destination } = config;
    const description = { ...destination, EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' } };
    const created = config.createdMs / 1000;
    return {
      DeliveryStreamName: config.name,
      DeliveryStreamARN: config.arn,
      DeliveryStreamStatus: this.isCreating(stream) ? 'CREATING' : 'ACTIVE',
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
