import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { putRecordBatch } from '../../../functions/shared/firehose/put-record-batch';
import { decode, fakeDeps, makeRecords, testClient } from './harness';

const firehose = mockClient(FirehoseClient);

// One scripted call: a whole-call throttle, or per-position failure flags (cycled over the entries sent).
const callScript = fc.oneof(
  { weight: 1, arbitrary: fc.constant('throttle' as const) },
  { weight: 4, arbitrary: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }) },
);

describe('putRecordBatch under random partial failures', () => {
  it('accounts for every record exactly once: accepted or failed, never both, never accepted twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.array(callScript, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 3_000 }),
        async (count, scripts, maxAttempts, budgetMs) => {
          firehose.reset();
          const acceptedNames: string[] = [];
          let call = 0;
          let scriptedFailures = 0;
          let throttled = 0;
          let refused = 0;
          firehose.on(PutRecordBatchCommand).callsFake((input: PutRecordBatchCommandInput) => {
            const script = scripts[call++ % scripts.length] ?? 'throttle';
            const entries = input.Records ?? [];
            if (script === 'throttle') {
              refused += 1;
              throw new ServiceUnavailableException({
                message: 'Slow down.',
                $metadata: { httpStatusCode: 503 },
              });
            }
            const responses = entries.map((r, i) => {
              if (script[i % script.length]) {
                scriptedFailures += 1;
                throttled += 1;
                return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
              }
              acceptedNames.push(decode(r.Data));
              return { RecordId: `id-${call}-${i}` };
            });
            const failed = responses.filter((r) => 'ErrorCode' in r).length;
            return { FailedPutCount: failed, RequestResponses: responses };
          });
          const records = makeRecords(count);
          const { deps } = fakeDeps(() => 0.42);
          const policy = { maxAttempts, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs };

          const outcome = await putRecordBatch(testClient(), 'stream', records, policy, deps);

          const failedIndices = outcome.failed.map((f) => f.index);
          const acceptedIndices = acceptedNames.map((name) => records.findIndex((r) => decode(r) === name));
          expect(outcome.accepted + outcome.failed.length).toBe(count);
          expect(new Set(acceptedIndices).size).toBe(acceptedIndices.length);
          expect(acceptedIndices.filter((i) => failedIndices.includes(i))).toEqual([]);
          expect(outcome.accepted).toBe(acceptedIndices.length);
          expect(new Set(failedIndices).size).toBe(failedIndices.length);
          expect(outcome.calls).toBe(call);
          expect(outcome.failedPutCount).toBe(scriptedFailures);
          expect(outcome.throttledEntries).toBe(throttled);
          expect(outcome.refusedRequests).toBe(refused);
          expect(outcome.attempts).toBeLessThanOrEqual(maxAttempts);
          const sent = firehose
            .commandCalls(PutRecordBatchCommand)
            .flatMap((c) => c.args[0].input.Records ?? []);
          expect(outcome.bytesSent).toBe(sent.reduce((n, r) => n + (r.Data?.byteLength ?? 0), 0));
        },
      ),
      { numRuns: 150 },
    );
  });
});
