import { randomBytes } from 'node:crypto';
import type { MetricStore } from '../cloudwatch/metric-store';
import { BodyTooLargeError, isObject, type RequestContext, readBody, sendJson, sleep } from '../http/util';
import { mulberry32 } from '../prng';
import type { S3Store } from '../s3/store';
import type { BufferSettings } from './delivery';
import { FirehoseErrorResponse } from './errors';
import { decodeBatch, decodeRecord } from './input';
import { DEFAULT_FIREHOSE_LIMITS, type FirehoseLimits } from './limits';
import { FirehoseMetrics } from './metrics';
import {
  DEFAULT_FAULTS,
  DEFAULT_QUOTAS,
  DEFAULT_STREAM_CREATING_MS,
  type FaultSettings,
  type FirehoseQuotas,
} from './settings';
import { DeliveryStreams } from './streams';
import type { TokenBucket } from './token-bucket';

/** Local Amazon Data Firehose (awsJson1_1, Direct PUT into an S3 destination). */

export { DEFAULT_FAULTS, DEFAULT_QUOTAS, type FaultSettings, type FirehoseQuotas } from './settings';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'Firehose_20150804.';
// Base64 makes 4 MiB of records about 5.6 MiB of JSON; anything far beyond is not a Firehose call.
const MAX_REQUEST_BODY_BYTES = 16 * 1024 * 1024;
const SLOW_DOWN = 'Slow down.';

type EntryResult =
  | { RecordId: string }
  | { ErrorCode: FaultSettings['entryErrorCode']; ErrorMessage: string };
export interface FirehoseServiceSettings {
  region: string;
  dataDir: string;
  quotas?: Partial<FirehoseQuotas>;
  faults?: Partial<FaultSettings>;
  limits?: Partial<FirehoseLimits>;
  streamCreatingMs?: number;
  buffering?: Omit<BufferSettings, 'dir'>;
}

const FirehoseErrorName = { ServiceUnavailableException: 'ServiceUnavailableException' } as const;

export class FirehoseService {
  private readonly streams: DeliveryStreams;
  private readonly publisher: FirehoseMetrics;
  private quotas: FirehoseQuotas;
  private faults: FaultSettings;
  private random: () => number;
  private readonly limits: FirehoseLimits;
  private recordSequence = 0;
  private readonly recordIdPrefix = randomBytes(12).toString('base64url');

  constructor(store: S3Store, metrics: MetricStore, settings: FirehoseServiceSettings) {
    this.quotas = { ...DEFAULT_QUOTAS, ...settings.quotas };
    this.faults = { ...DEFAULT_FAULTS, ...settings.faults };
    this.limits = { ...DEFAULT_FIREHOSE_LIMITS, ...settings.limits };
    this.random = mulberry32(this.faults.seed);
    this.publisher = new FirehoseMetrics(metrics);
    this.streams = new DeliveryStreams(
      store,
      settings.region,
      settings.dataDir,
      () => this.quotas,
      (streamName, report) => this.publisher.publishDelivery(streamName, report),
      settings.streamCreatingMs ?? DEFAULT_STREAM_CREATING_MS,
      settings.buffering,
    );
  }

  async init(): Promise<void> {
    await this.streams.init();
    // The metric store lives in memory and starts empty, but a stream kept from an earlier start has
    // a quota history on AWS: publish its limits again, as on a quota change or a new stream.
    this.publishLimits();
  }

  private publishLimits(): void {
    for (const stream of this.streams.values()) this.publisher.publishLimits(stream.config.name, this.quotas);
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
    this.publishLimits();
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
          throw new FirehoseErrorResponse('InvalidArgumentException', error.message);
        throw new FirehoseErrorResponse('SerializationException', 'The request body is not valid JSON');
      }
      if (!isObject(input))
        throw new FirehoseErrorResponse('SerializationException', 'The request body must be a JSON object');
      const output = await this.dispatch(operation, input, started);
      sendJson(ctx, 200, JSON_CONTENT_TYPE, output);
    } catch (error) {
      const failure =
        error instanceof FirehoseErrorResponse
          ? error
          : new FirehoseErrorResponse('InternalFailure', String(error));
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
        return this.streams.createDeliveryStream(input).then((created) => {
          this.publishLimits();
          return created;
        });
      case 'DescribeDeliveryStream':
        return {
          DeliveryStreamDescription: this.streams.describe(this.streams.stream(input.DeliveryStreamName)),
        };
      case 'ListDeliveryStreams':
        return this.streams.listDeliveryStreams(input);
      case 'DeleteDeliveryStream':
        return this.streams.deleteDeliveryStream(input);
      case 'PutRecord':
      case 'PutRecordBatch':
        this.countReceived(input.DeliveryStreamName, operation === 'PutRecordBatch');
        return this.putRecords(input, operation === 'PutRecordBatch', started);
    }
    throw new FirehoseErrorResponse(
      'UnknownOperationException',
      `Operation ${operation || '(none)'} is not supported by local Firehose`,
    );
  }

  /**
   * Counts a Put request on its stream before any check can refuse it (a local-only metric, metrics.ts);
   * a name that is no stream is not counted (no metric per made-up name), and its request fails anyway.
   */
  private countReceived(name: unknown, batch: boolean): void {
    if (typeof name !== 'string' || ![...this.streams.values()].some((s) => s.config.name === name)) return;
    this.publisher.publishReceived(name, batch ? 'PutRecordBatch' : 'PutRecord');
  }

  private async putRecords(
    input: Record<string, unknown>,
    batch: boolean,
    started: number,
  ): Promise<unknown> {
    const faults = this.faults;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const data = batch ? decodeBatch(input.Records, this.limits) : [decodeRecord(input.Record, this.limits)];
    const stream = this.streams.activeStream(input.DeliveryStreamName);
    const operation = batch ? 'PutRecordBatch' : 'PutRecord';

    if (this.random() < faults.requestErrorRate) {
      throw faults.requestErrorStatus === 500
        ? new FirehoseErrorResponse('InternalFailure', 'Internal service failure.')
        : new FirehoseErrorResponse('ServiceUnavailableException', SLOW_DOWN);
    }
    stream.quota.clock.tick();
    if (!stream.quota.requests.take(1)) {
      this.publisher.publishThrottled(stream.config.name, data.length);
      throw new FirehoseErrorResponse('ServiceUnavailableException', SLOW_DOWN);
    }

    const { responses, accepted, throttled } = this.answerEntries(data, stream.quota);
    try {
      // Answered only once the accepted records are on disk (fsynced): an acknowledged record survives a crash.
      await stream.delivery.append(accepted, Date.now());
    } catch (error) {
      // Nothing of this request was kept (the buffer file is cut back), so a retry duplicates nothing.
      const reason = error instanceof Error ? error.message : String(error);
      throw new FirehoseErrorResponse(
        'InternalFailure',
        `Local Firehose could not store the records: ${reason}`,
      );
    }
    this.publisher.publishPut(
      stream.config.name,
      operation,
      accepted,
      throttled,
      performance.now() - started,
      this.quotas,
    );

    if (!batch) {
      const response = responses[0];
      if ('ErrorCode' in response) {
        throw new FirehoseErrorResponse(response.ErrorCode, response.ErrorMessage);
      }
      return { RecordId: response.RecordId, Encrypted: false };
    }
    return { FailedPutCount: data.length - accepted.length, Encrypted: false, RequestResponses: responses };
  }

  /** Each entry's answer: an injected fault, throttled by the records or bytes quota, or accepted. */
  private answerEntries(
    data: Buffer[],
    quota: { records: TokenBucket; bytes: TokenBucket },
  ): { responses: EntryResult[]; accepted: Buffer[]; throttled: number } {
    const faults = this.faults;
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
      const { records, bytes } = quota;
      const withinRecords = records.take(1);
      if (!withinRecords || !bytes.take(record.length)) {
        if (withinRecords) records.refund(1);
        throttled++;
        return { ErrorCode: FirehoseErrorName.ServiceUnavailableException, ErrorMessage: SLOW_DOWN };
      }
      accepted.push(record);
      return { RecordId: this.nextRecordId() };
    });
    return { responses, accepted, throttled };
  }

  private nextRecordId(): string {
    this.recordSequence++;
    return `${this.recordIdPrefix}${this.recordSequence.toString(16).padStart(16, '0')}`;
  }
}
