import {
  FirehoseClient,
  InvalidSourceException,
  PutRecordCommand,
  type PutRecordCommandInput,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { ChunkThrottledError, FirehoseRequestError } from '../../../functions/shared/errors';
import {
  BUDGET_EXHAUSTED_CODE,
  putRecord,
  putRecordsIndividually,
} from '../../../functions/shared/firehose/put-record';
import { FirehoseSendError } from '../../../functions/shared/firehose/send-error';
import type { CallReport } from '../../../functions/shared/firehose/types';
import { MAX_RECORD_BYTES } from '../../../functions/shared/limits';
import { decode, fakeDeps, makeRecords, networkError, testClient } from './harness';

const STREAM = 'web-traffic';
const POLICY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 60_000 };
const firehose = mockClient(FirehoseClient);
const slowDown = () =>
  new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } });

beforeEach(() => firehose.reset());

describe('putRecord', () => {
  it('returns the RecordId after retrying a throttle and a connection reset', async () => {
    firehose
      .on(PutRecordCommand)
      .rejectsOnce(slowDown())
      .rejectsOnce(networkError('ECONNRESET'))
      .resolves({ RecordId: 'rid-1' });
    const { deps, state } = fakeDeps();

    const result = await putRecord(testClient(), STREAM, makeRecords(1)[0] as Uint8Array, POLICY, deps);

    expect(result).toEqual({ recordId: 'rid-1', attempts: 3, calls: 3 });
    expect(state.sleeps).toHaveLength(2);
    expect(firehose.commandCalls(PutRecordCommand)[0]?.args[0].input).toMatchObject({
      DeliveryStreamName: STREAM,
    });
  });

  it('throws ChunkThrottledError naming the last error when every attempt was throttled', async () => {
    firehose.on(PutRecordCommand).rejects(slowDown());
    const { deps } = fakeDeps();

    const error = await putRecord(testClient(), STREAM, new Uint8Array([1]), POLICY, deps).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(ChunkThrottledError);
    expect((error as Error).message).toMatch(
      /not accepted after 4 attempts .*ServiceUnavailableException: Slow down\./,
    );
    expect(firehose.commandCalls(PutRecordCommand)).toHaveLength(4);
  });

  it('fails fast when the stream does not take Direct PUT', async () => {
    firehose
      .on(PutRecordCommand)
      .rejects(
        new InvalidSourceException({ message: 'source is Kinesis', $metadata: { httpStatusCode: 400 } }),
      );
    const { deps } = fakeDeps();

    await expect(putRecord(testClient(), STREAM, new Uint8Array([1]), POLICY, deps)).rejects.toThrow(
      /use a Direct PUT/,
    );
    expect(firehose.commandCalls(PutRecordCommand)).toHaveLength(1);
  });

  it('refuses a record over 1,000 KiB without calling Firehose', async () => {
    const { deps } = fakeDeps();
    await expect(
      putRecord(testClient(), STREAM, new Uint8Array(MAX_RECORD_BYTES + 1), POLICY, deps),
    ).rejects.toThrow(FirehoseRequestError);
    expect(firehose.commandCalls(PutRecordCommand)).toHaveLength(0);
  });
});

describe('putRecordsIndividually', () => {
  it('retries a refused record after the wait the pacing gives, reporting its bytes as throttled', async () => {
    let calls = 0;
    firehose.on(PutRecordCommand).callsFake((input: PutRecordCommandInput) => {
      calls += 1;
      if (calls === 2) throw slowDown();
      return { RecordId: decode(input.Record?.Data).trim() };
    });
    const records = makeRecords(3);
    const { deps, state } = fakeDeps();
    const reports: CallReport[] = [];

    await putRecordsIndividually(testClient(), STREAM, records, POLICY, {
      ...deps,
      afterCall: (call) => reports.push(call),
      throttledRetryDelay: (call) => (call.attempt === 1 ? 50 : undefined),
    });

    expect(state.sleeps).toEqual([50]);
    const size = records[1]?.byteLength;
    expect(reports[1]).toMatchObject({
      attempt: 1,
      entries: 1,
      throttled: 1,
      bytes: size,
      throttledBytes: size,
    });
    expect(reports[2]).toMatchObject({ attempt: 2, throttled: 0, throttledBytes: 0 });
  });

  it('sends each record once in order, retrying only the one that was throttled', async () => {
    let calls = 0;
    firehose.on(PutRecordCommand).callsFake((input: PutRecordCommandInput) => {
      calls += 1;
      if (calls === 2) throw slowDown(); // the first try of rec-1
      return { RecordId: decode(input.Record?.Data).trim() };
    });
    const records = makeRecords(3);
    const { deps } = fakeDeps();

    const outcome = await putRecordsIndividually(testClient(), STREAM, records, POLICY, deps);

    const sent = firehose
      .commandCalls(PutRecordCommand)
      .map((c) => decode(c.args[0].input.Record?.Data).trim());
    expect(sent).toEqual(['rec-0', 'rec-1', 'rec-1', 'rec-2']);
    const bytes = records.reduce((n, r) => n + r.byteLength, 0);
    expect(outcome).toEqual({
      accepted: 3,
      acceptedBytes: bytes,
      failed: [],
      attempts: 2,
      calls: 4,
      throttledEntries: 0,
      refusedRequests: 1,
      failedPutCount: 0,
      bytesSent: bytes + (records[1]?.byteLength ?? 0),
    });
  });

  it('reports records it had no time left to send as failed with BudgetExhausted', async () => {
    const { deps, advance } = fakeDeps();
    firehose.on(PutRecordCommand).callsFake(() => {
      advance(400);
      return { RecordId: 'x' };
    });
    const policy = { ...POLICY, budgetMs: 1_000 };

    const outcome = await putRecordsIndividually(testClient(), STREAM, makeRecords(5), policy, deps);

    expect(outcome.accepted).toBe(3);
    expect(outcome.failed.map((f) => [f.index, f.errorCode])).toEqual([
      [3, BUDGET_EXHAUSTED_CODE],
      [4, BUDGET_EXHAUSTED_CODE],
    ]);
    expect(outcome.calls).toBe(3);
  });

  it('carries the accepted count and the unsent records in the error when a later record fails fast', async () => {
    firehose
      .on(PutRecordCommand)
      .resolvesOnce({ RecordId: 'a' })
      .rejects(
        Object.assign(new Error('denied'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    const { deps } = fakeDeps();

    const error = await putRecordsIndividually(testClient(), STREAM, makeRecords(3), POLICY, deps).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(FirehoseSendError);
    const { outcome } = error as FirehoseSendError;
    expect(outcome.accepted).toBe(1);
    expect(outcome.failed.map((f) => [f.index, f.errorCode])).toEqual([
      [1, 'AccessDeniedException'],
      [2, 'AccessDeniedException'],
    ]);
  });
});
