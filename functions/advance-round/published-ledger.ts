import { randomUUID } from 'node:crypto';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AcceptedByMinute, isAcceptedByMinute, sumAccepted } from '../shared/accepted-minutes';
import { artifactKeys } from '../shared/artifacts';
import { isNoSuchKey, putIf } from '../shared/claim-store';
import { AccountingError } from '../shared/errors';
import type { LoggerLike } from '../shared/logger';
import { getText, listKeys } from '../shared/s3-io';
import {
  minuteDatums,
  minuteGroups,
  publishAccepted,
  publishableMinutes,
  unpublished,
} from './accepted-metrics';

/**
 * The round's ledger of published minutes: under `runs/<runId>/round-NN/accepted-published/`, one object
 * per PutMetricData request that succeeded, holding the minutes it sent. PutMetricData adds and has no
 * idempotency token, so a retry of AdvanceRound (a lost answer, a Lambda service error), a local
 * resume and a redrive (same input, same round) publish only what the ledger does not hold yet. An
 * entry is written after its request succeeded. A request is still sent twice after a crash between
 * the two, or when CloudWatch stored it but its answer was lost and it is retried (README, CheckMetrics).
 */

export interface LedgerDeps {
  s3: S3Client;
  cloudWatch: CloudWatchClient;
  artifactBucket: string;
  namespace: string;
  streamName: string;
  logger: LoggerLike;
}

export interface LedgerEntry {
  published: AcceptedByMinute;
  publishedAt: string;
  /** Which invocation wrote it, so a write the SDK retried after a lost answer is known as its own. */
  writer: string;
}

export interface PublishReport {
  /** Minutes of the round with anything accepted. */
  acceptedMinutes: number;
  /** Minutes sent by this invocation, and in how many requests. */
  publishedMinutes: number;
  requests: number;
  /** Minutes still unpublished but over two weeks old: PutMetricData would refuse them. */
  tooOld: number;
}

// Each lost create means another invocation of the same round wrote that index meanwhile; a few at most.
const MAX_INDEX_TRIES = 20;

/** Publishes what of the round's accepted minutes its ledger does not hold yet, recording each request. */
export async function publishAcceptedOnce(
  deps: LedgerDeps,
  round: { runId: string; number: number },
  accepted: AcceptedByMinute,
  now: Date = new Date(),
): Promise<PublishReport> {
  const acceptedMinutes = Object.keys(accepted).length;
  // Nothing accepted, nothing to publish: no LIST either.
  if (acceptedMinutes === 0) return { acceptedMinutes, publishedMinutes: 0, requests: 0, tooOld: 0 };
  const ledger = await readLedger(deps, round);
  const { pending, overPublished } = unpublished(accepted, sumAccepted(ledger.entries));
  if (overPublished.length > 0) {
    deps.logger.warn('the ledger holds more than the round accepted: those minutes count twice', {
      minutes: overPublished,
    });
  }
  const { minutes, tooOld } = publishableMinutes(pending, now);
  if (tooOld > 0) {
    // Without them CheckMetrics finds the job's figure short and ends `lagging`, which is the truth.
    deps.logger.warn('accepted minutes too old for PutMetricData, not published', { minutes: tooOld });
  }
  const groups = minuteGroups(minutes);
  let index = ledger.nextIndex;
  const writer = randomUUID();
  for (const group of groups) {
    await publishAccepted(deps.cloudWatch, deps.namespace, minuteDatums(group, deps.streamName));
    const entry = { published: group, publishedAt: now.toISOString(), writer };
    index = (await recordPublished(deps, round, index, entry)) + 1;
  }
  const publishedMinutes = Object.keys(minutes).length;
  return { acceptedMinutes, publishedMinutes, requests: groups.length, tooOld };
}

/** Every entry of the round's ledger, and the index after the highest. Existence comes from a LIST. */
async function readLedger(
  deps: LedgerDeps,
  round: { runId: string; number: number },
): Promise<{ entries: AcceptedByMinute[]; nextIndex: number }> {
  const entries: AcceptedByMinute[] = [];
  let nextIndex = 0;
  const prefix = artifactKeys.publishedPrefix(round.runId, round.number);
  for await (const key of listKeys(deps.s3, deps.artifactBucket, prefix)) {
    const index = /^(\d+)\.json$/.exec(key.slice(prefix.length))?.[1];
    const published = index === undefined ? undefined : (await readEntry(deps, key))?.published;
    if (index === undefined || !isAcceptedByMinute(published)) {
      // Without it nobody can tell what CloudWatch already holds: guessing would count minutes twice or never.
      throw new AccountingError(
        `s3://${deps.artifactBucket}/${key} is not an entry of the round's published-minutes ledger`,
      );
    }
    entries.push(published);
    nextIndex = Math.max(nextIndex, Number(index) + 1);
  }
  return { entries, nextIndex };
}

/** readEntry, or 'absent' when the key does not exist (404: the role may list the run's keys). */
async function readEntryIfPresent(
  deps: LedgerDeps,
  key: string,
): Promise<Partial<LedgerEntry> | undefined | 'absent'> {
  try {
    return await readEntry(deps, key);
  } catch (error) {
    if (isNoSuchKey(error)) return 'absent';
    throw error;
  }
}

/** An entry as stored, to be checked by the caller; undefined when the object is not JSON. */
async function readEntry(deps: LedgerDeps, key: string): Promise<Partial<LedgerEntry> | undefined> {
  const text = await getText(deps.s3, { bucket: deps.artifactBucket, key });
  try {
    return (JSON.parse(text) as Partial<LedgerEntry> | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the ledger entry at `index` with If-None-Match: * (S3 user guide, "How to prevent object
 * overwrites with conditional writes"); the index it landed at. A 412 means the key exists: if it holds
 * this invocation's own entry, the SDK re-sent a create that had landed. Otherwise another invocation
 * of this round published at the same time, and both publications count in CloudWatch: this entry
 * goes at the next free index, so the ledger stays what CloudWatch holds, and the possible double is
 * logged, never hidden. A 409 ("a conflicting operation occurred; retry the upload") may leave the key
 * absent: then the same index is tried again. A failed read is thrown: guessing could record the
 * minutes twice, and the step's retry re-lists the ledger.
 */
async function recordPublished(
  deps: LedgerDeps,
  round: { runId: string; number: number },
  index: number,
  entry: LedgerEntry,
): Promise<number> {
  let at = index;
  for (let tries = 0; tries < MAX_INDEX_TRIES; tries++) {
    const ref = { bucket: deps.artifactBucket, key: artifactKeys.published(round.runId, round.number, at) };
    if ((await putIf(deps.s3, ref, entry, { ifNoneMatch: '*' })) !== undefined) return at;
    const found = await readEntryIfPresent(deps, ref.key);
    if (found === 'absent') continue;
    if (found?.writer === entry.writer) return at;
    deps.logger.warn('another invocation of this round published accepted minutes at the same time', {
      key: ref.key,
      minutes: Object.keys(entry.published).length,
    });
    at++;
  }
  throw new AccountingError(
    `round ${round.number} of run ${round.runId}: no free index in the published-minutes ledger after ` +
      `${MAX_INDEX_TRIES} tries from ${index}; the minutes just published are not recorded`,
  );
}
