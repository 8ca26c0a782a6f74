import { type FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { ChunkThrottledError } from '../errors';
import { resolveDeps } from './deps';
import { summarize, validateRecordSizes } from './put-record-batch';
import { regionOf } from './region';
import { type RoundResult, sendWithRetries } from './retry-loop';
import type { RetryPolicy } from './retry-policy';
import { FirehoseSendError } from './send-error';
import { emptyOutcome, FirehoseOperation, type SenderDeps, type SendOutcome } from './types';

/** errorCode of records never sent because the shared time budget ran out before their turn. */
export const BUDGET_EXHAUSTED_CODE = 'BudgetExhausted';

/**
 * PutRecord for each record in order, each with its own retries (up to `maxAttempts`), all within
 * one shared time budget: once it has run out, the records not yet tried are reported failed with
 * BUDGET_EXHAUSTED_CODE instead of sent. `attempts` is the most rounds any one record needed.
 */
export async function putRecordsIndividually(
  client: FirehoseClient,
  streamName: string,
  records: readonly Uint8Array[],
  policy: RetryPolicy,
  deps: Partial<SenderDeps> = {},
): Promise<SendOutcome> {
  validateRecordSizes(streamName, records);
  const resolved = resolveDeps(deps);
  const outcome = emptyOutcome();
  const startedAt = resolved.now();
  for (let index = 0; index < records.length; index++) {
    if (resolved.now() - startedAt >= policy.budgetMs) {
      outcome.failed.push(...notSent(records.length, index, policy.budgetMs));
      resolved.logger.error('PutRecord budget ran out', {
        deliveryStream: streamName,
        notSent: records.length - index,
        budgetMs: policy.budgetMs,
      });
      break;
    }
    try {
      await resolved.beforeRecord?.(index);
      await sendOne(client, streamName, records, index, policy, resolved, startedAt, outcome);
    } catch (error) {
      if (error instanceof FirehoseSendError) {
        // Report the records after the fatal one too, so accepted + failed still covers the input.
        outcome.failed.push(
          ...notSent(records.length, index + 1, policy.budgetMs).map((f) => ({
            ...f,
            errorCode: error.errorCode,
            errorMessage: 'not sent: an earlier record failed with a non-retryable error',
          })),
        );
      }
      throw error;
    }
  }
  resolved.logger.info('PutRecord run finished', {
    deliveryStream: streamName,
    records: records.length,
    ...summarize(outcome),
  });
  return outcome;
}

/**
 * One record with retries. Throws FirehoseRequestError (FirehoseSendError) for errors a retry cannot
 * fix, and ChunkThrottledError when attempts or budget ran out with the record not accepted.
 */
export async function putRecord(
  client: FirehoseClient,
  streamName: string,
  data: Uint8Array,
  policy: RetryPolicy,
  deps: Partial<SenderDeps> = {},
): Promise<{ recordId: string; attempts: number; calls: number }> {
  const records = [data];
  validateRecordSizes(streamName, records);
  const resolved = resolveDeps(deps);
  const outcome = emptyOutcome();
  const recordId = await sendOne(client, streamName, records, 0, policy, resolved, resolved.now(), outcome);
  const failure = outcome.failed[0];
  if (failure) {
    // Nothing was accepted, so the caller (or the state machine) may safely try again later.
    throw new ChunkThrottledError(
      `PutRecord to "${streamName}" was not accepted after ${outcome.attempts} attempts ` +
        `(last error ${failure.errorCode}: ${failure.errorMessage})`,
    );
  }
  resolved.logger.info('PutRecord finished', { deliveryStream: streamName, recordId, ...summarize(outcome) });
  // Firehose always returns a RecordId; a local emulator might not, and the record was still accepted.
  return { recordId: recordId ?? '', attempts: outcome.attempts, calls: outcome.calls };
}

async function sendOne(
  client: FirehoseClient,
  streamName: string,
  records: readonly Uint8Array[],
  index: number,
  policy: RetryPolicy,
  deps: ReturnType<typeof resolveDeps>,
  startedAt: number,
  outcome: SendOutcome,
): Promise<string | undefined> {
  const ids = await sendWithRetries({
    operation: FirehoseOperation.putRecord,
    streamName,
    records,
    indices: [index],
    policy,
    deps,
    startedAt,
    region: () => regionOf(client),
    outcome,
    callLogLevel: 'debug',
    sendRound: async (): Promise<RoundResult> => {
      const response = await client.send(
        new PutRecordCommand({ DeliveryStreamName: streamName, Record: { Data: records[index] } }),
      );
      return {
        accepted: [{ index, recordId: response.RecordId }],
        failed: [],
        throttled: 0,
        failedPutCount: 0,
      };
    },
  });
  return ids.get(index);
}

function notSent(total: number, from: number, budgetMs: number) {
  const failures = [];
  for (let index = from; index < total; index++) {
    failures.push({
      index,
      errorCode: BUDGET_EXHAUSTED_CODE,
      errorMessage: `not sent: the time budget of ${budgetMs} ms ran out`,
    });
  }
  return failures;
}
