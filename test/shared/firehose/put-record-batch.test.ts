import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  type PutRecordBatchCommandOutput,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { FirehoseRequestError } from '../../../functions/shared/errors';
import { putRecordBatch } from '../../../functions/shared/firehose/put-record-batch';
import { FirehoseSendError } from '../../../functions/shared/firehose/send-error';
import type { CallReport } from '../../../functions/shared/firehose/types';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES } from '../../../functions/shared/limits';
import { decode, fakeDeps, makeRecords, networkError, serviceError, testClient } from './harness';

const STREAM = 'web-traffic';
const POLICY = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 60_000 };
const firehose = mockClient(FirehoseClient);

type Entry = 'ok' | 'throttled' | 'internal';
/** A response whose entries follow `script`, position by position. */
function respond(script: readonly Entry[]): PutRecordBatchCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    FailedPutCount: script.filter((e) => e !== 'ok').length,
    RequestResponses: script.map((e, i) =>
      e === 'ok'
        ? { RecordId: `id-${i}` }
        : e === 'throttled'
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
    ),
  };
}

function sentPerCall(): string[][] {
  return firehose
    .commandCalls(PutRecordBatchCommand)
    .map((call) => (call.args[0].input.Records ?? []).map((r) => decode(r.Data).trim()));
}

/** Fails the entries whose content is listed for that call number, accepts the rest; tracks acceptance. */
function scripted(failByCall: Record<number, ReadonlySet<string>>, accepted: string[]) {
  let call = 0;
  return (input: PutRecordBatchCommandInput) => {
    const fail = failByCall[call++] ?? new Set<string>();
    const script = (input.Records ?? []).map((r): Entry => {
      const name = decode(r.Data).trim();
      if (fail.has(name)) return 'throttled';
      accepted.push(name);
      return 'ok';
    });
    return respond(script);
  };
}

beforeEach(() => firehose.reset());

describe('putRecordBatch', () => {
  it('reports each call as it is answered, with its entries, throttled entries and attempt', async () => {
    const accepted: string[] = [];
    firehose.on(PutRecordBatchCommand).callsFake(scripted({ 0: new Set(['rec-1', 'rec-2']) }, accepted));
    const { deps } = fakeDeps();
    const calls: CallReport[] = [];

    await putRecordBatch(testClient(), STREAM, makeRecords(4), POLICY, {
      ...deps,
      afterCall: (call) => calls.push(call),
    });

    expect(calls.map(({ attempt, entries, throttled }) => ({ attempt, entries, throttled }))).toEqual([
      { attempt: 1, entries: 4, throttled: 2 },
      { attempt: 2, entries: 2, throttled: 0 },
    ]);
    const size = (name: string) => Buffer.byteLength(`${name}\n`);
    expect(calls[0]?.throttledBytes).toBe(size('rec-1') + size('rec-2'));
    expect(calls[1]?.sentAtMs).toBeGreaterThan(calls[0]?.sentAtMs ?? Number.POSITIVE_INFINITY);
  });

  it('sends all records in one call and reports them accepted when Firehose takes them all', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .callsFake((input: PutRecordBatchCommandInput) => respond(input.Records?.map(() => 'ok') ?? []));
    const records = makeRecords(4);
    const { deps, state } = fakeDeps();

    const outcome = await putRecordBatch(testClient(), STREAM, records, POLICY, deps);

    const bytes = records.reduce((n, r) => n + r.byteLength, 0);
    expect(outcome).toEqual({
      accepted: 4,
      acceptedBytes: bytes,
      failed: [],
      attempts: 1,
      calls: 1,
      throttledEntries: 0,
      refusedRequests: 0,
      failedPutCount: 0,
      bytesSent: bytes,
    });
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]?.args[0].input.DeliveryStreamName).toBe(STREAM);
    expect(state.sleeps).toEqual([]);
  });

  it('resends exactly the failed entries of each call and delivers every record exactly once', async () => {
    const accepted: string[] = [];
    firehose
      .on(PutRecordBatchCommand)
      .callsFake(scripted({ 0: new Set(['rec-1', 'rec-3', 'rec-4']), 1: new Set(['rec-4']) }, accepted));
    const records = makeRecords(6);
    const { deps } = fakeDeps();

    const outcome = await putRecordBatch(testClient(), STREAM, records, POLICY, deps);

    expect(sentPerCall()).toEqual([
      ['rec-0', 'rec-1', 'rec-2', 'rec-3', 'rec-4', 'rec-5'],
      ['rec-1', 'rec-3', 'rec-4'],
      ['rec-4'],
    ]);
    expect([...accepted].sort()).toEqual(records.map((r) => decode(r).trim()).sort());
    const size = records[0]?.byteLength ?? 0; // all records here have the same length
    expect(outcome).toEqual({
      accepted: 6,
      acceptedBytes: 6 * size,
      failed: [],
      attempts: 3,
      calls: 3,
      throttledEntries: 4,
      refusedRequests: 0,
      failedPutCount: 4,
      bytesSent: (6 + 3 + 1) * size,
    });
  });

  it('retries a whole-call throttle with all entries and counts the refused calls, not their entries', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      )
      .rejectsOnce(networkError('ECONNRESET'))
      .callsFake((input: PutRecordBatchCommandInput) => respond(input.Records?.map(() => 'ok') ?? []));
    const records = makeRecords(3);
    const { deps, state } = fakeDeps();

    const outcome = await putRecordBatch(testClient(), STREAM, records, POLICY, deps);

    expect(outcome).toMatchObject({
      accepted: 3,
      attempts: 3,
      calls: 3,
      throttledEntries: 0,
      refusedRequests: 2,
      failedPutCount: 0,
    });
    expect(outcome.bytesSent).toBe(3 * records.reduce((n, r) => n + r.byteLength, 0));
    expect(sentPerCall()).toHaveLength(3);
    expect(state.sleeps).toHaveLength(2);
  });

  it('reports the entries still failed after maxAttempts with their last error and original index', async () => {
    const accepted: string[] = [];
    const always = new Set(['rec-2']);
    firehose
      .on(PutRecordBatchCommand)
      .callsFake(scripted({ 0: always, 1: always, 2: always, 3: always, 4: always }, accepted));
    const { deps, state } = fakeDeps();

    const outcome = await putRecordBatch(testClient(), STREAM, makeRecords(4), POLICY, deps);

    expect(outcome.failed).toEqual([
      { index: 2, errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' },
    ]);
    expect(outcome).toMatchObject({ accepted: 3, attempts: 5, calls: 5, failedPutCount: 5 });
    expect(state.sleeps).toHaveLength(POLICY.maxAttempts - 1);
    expect(accepted.sort()).toEqual(['rec-0', 'rec-1', 'rec-3']);
  });

  it('keeps every backoff delay within [0, min(cap, base * 2^retry)]', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(() => respond(['throttled']));
    let seed = 7;
    const lcg = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const policy = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 800, budgetMs: 600_000 };
    const { deps, state } = fakeDeps(lcg);

    await putRecordBatch(testClient(), STREAM, makeRecords(1), policy, deps);

    expect(state.sleeps).toHaveLength(9);
    state.sleeps.forEach((delay, retry) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(800, 50 * 2 ** retry));
    });
  });

  it('waits for the next one-second quota window, plus jitter, before retrying an attempt that was only throttled', async () => {
    const { deps, state, advance } = fakeDeps(() => 0.5);
    const script: Entry[][] = [['throttled', 'throttled'], ['ok', 'internal'], ['ok']];
    firehose.on(PutRecordBatchCommand).callsFake(() => {
      advance(250); // each call takes 250 ms
      return respond(script.shift() ?? []);
    });
    const policy = { ...POLICY, throttleWindowMs: 1_000 };

    const outcome = await putRecordBatch(testClient(), STREAM, makeRecords(2), policy, deps);

    // Throttled at 1,000,250: 750 ms to the next window plus 0.5 × 100; then a plain InternalFailure
    // with one entry accepted keeps the documented full jitter, 0.5 × 200.
    expect(outcome.calls).toBe(3);
    expect(state.sleeps).toEqual([800, 100]);
  });

  it('stops before a sleep that would end past the time budget, counting time spent in calls', async () => {
    const { deps, state, advance } = fakeDeps(() => 0.999_999);
    firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
      advance(150); // each call takes 150 ms
      return respond(
        (input.Records ?? []).map((r) => (decode(r.Data).startsWith('rec-0') ? 'internal' : 'ok')),
      );
    });
    const policy = { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 1_500 };
    const started = state.clock;

    const outcome = await putRecordBatch(testClient(), STREAM, makeRecords(2), policy, deps);

    // Elapsed after each call: 150, 399 (+99 +150), 748 (+199 +150), 1297 (+399 +150); the next delay,
    // 799 ms, would end at 2096 > 1500, so the sender stops after the fourth call without sleeping.
    expect(state.sleeps).toEqual([99, 199, 399]);
    expect(outcome.calls).toBe(4);
    expect(state.clock - started).toBeLessThanOrEqual(policy.budgetMs);
    expect(outcome.failed.map((f) => f.index)).toEqual([0]);
    expect(outcome.accepted).toBe(1);
  });

  it('fails fast on a missing stream with a FirehoseRequestError that says what to check and keeps the cause', async () => {
    const cause = new ResourceNotFoundException({
      message: 'Firehose web-traffic under account 1 not found.',
      $metadata: { httpStatusCode: 400 },
    });
    firehose.on(PutRecordBatchCommand).rejects(cause);
    const { deps, state } = fakeDeps();

    const error = await putRecordBatch(testClient(), STREAM, makeRecords(2), POLICY, deps).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(FirehoseRequestError);
    expect((error as Error).name).toBe('FirehoseRequestError');
    expect((error as Error).message).toContain('Delivery stream "web-traffic" not found in region eu-west-1');
    expect((error as Error).message).toContain('DELIVERY_STREAM_NAME');
    expect((error as Error).cause).toBe(cause);
    expect(sentPerCall()).toHaveLength(1);
    expect(state.sleeps).toEqual([]);
  });

  it('keeps what was accepted in the error when a later round fails with expired credentials', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce(respond(['ok', 'throttled', 'ok']))
      .rejects(
        serviceError('ExpiredTokenException', 400, 'The security token included in the request is expired'),
      );
    const { deps } = fakeDeps();

    const error = await putRecordBatch(testClient(), STREAM, makeRecords(3), POLICY, deps).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(FirehoseSendError);
    const { outcome } = error as FirehoseSendError;
    expect(outcome).toMatchObject({ accepted: 2, calls: 2, attempts: 2 });
    expect(outcome.failed).toEqual([
      expect.objectContaining({ index: 1, errorCode: 'ExpiredTokenException' }),
    ]);
  });

  it('refuses to resend when RequestResponses do not line up with the records sent', async () => {
    firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }] });
    const { deps } = fakeDeps();

    await expect(putRecordBatch(testClient(), STREAM, makeRecords(2), POLICY, deps)).rejects.toThrow(
      /1 RequestResponses for 2 records/,
    );
    expect(sentPerCall()).toHaveLength(1);
  });

  it.each([
    ['more than 500 records', makeRecords(MAX_BATCH_RECORDS + 1), /caller must split/],
    [
      'more than 4 MiB',
      Array.from(
        { length: Math.floor(MAX_BATCH_BYTES / MAX_RECORD_BYTES) + 1 },
        () => new Uint8Array(MAX_RECORD_BYTES),
      ),
      /caller must split/,
    ],
    [
      'a record over 1,000 KiB',
      [new Uint8Array(10), new Uint8Array(MAX_RECORD_BYTES + 1)],
      /Record 1 .* split or truncate/,
    ],
  ])('rejects %s before calling Firehose', async (_label, records, message) => {
    const { deps } = fakeDeps();
    await expect(putRecordBatch(testClient(), STREAM, records, POLICY, deps)).rejects.toThrow(
      FirehoseRequestError,
    );
    await expect(putRecordBatch(testClient(), STREAM, records, POLICY, deps)).rejects.toThrow(message);
    expect(sentPerCall()).toHaveLength(0);
  });

  it('makes no call for an empty batch', async () => {
    const { deps } = fakeDeps();
    const outcome = await putRecordBatch(testClient(), STREAM, [], POLICY, deps);
    expect(outcome).toMatchObject({ accepted: 0, calls: 0, attempts: 0, failed: [] });
  });

  it('logs every call, retry and the result with structured keys and never the record contents', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce(respond(['ok', 'throttled']))
      .resolves(respond(['ok']));
    const { deps, state } = fakeDeps();

    await putRecordBatch(testClient(), STREAM, makeRecords(2, 'SECRET-PAYLOAD'), POLICY, deps);

    const messages = state.logs.map((l) => l.message);
    expect(messages).toEqual([
      'Firehose call done',
      'Retrying failed Firehose entries',
      'Firehose call done',
      'PutRecordBatch finished',
    ]);
    expect(state.logs[1]?.attributes).toMatchObject({
      operation: 'PutRecordBatch',
      deliveryStream: STREAM,
      attempt: 1,
      nextAttempt: 2,
      reason: 'entryFailures',
      entries: 1,
      errorCodes: { ServiceUnavailableException: 1 },
    });
    expect(state.logs[3]?.attributes).toMatchObject({ accepted: 2, failed: 0, calls: 2, failedPutCount: 1 });
    expect(JSON.stringify(state.logs)).not.toContain('SECRET-PAYLOAD');
  });
});
