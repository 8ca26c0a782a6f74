import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RunSummary } from '../../../functions/shared/run';
import { parseExecutionArn } from './arns';
import { type ExecutionDescription, summaryFromHistory } from './aws-summary';
import { getExecutionHistory } from './history';
import type { AwsTarget } from './settings';

// The stack's Firehose data prefix (lib/loader-delivery-stream.ts DATA_OUTPUT_PREFIX) starts here.
const DELIVERED_PREFIX = 'records/';

export interface FetchSummaryDeps {
  sfn: SFNClient;
  s3: S3Client;
  now: () => Date;
}

/** Describes the execution, reads its whole history and builds the run summary. */
export async function fetchSummary(
  executionArn: string,
  target: AwsTarget,
  deps: FetchSummaryDeps,
  known?: ExecutionDescription,
): Promise<RunSummary> {
  const execution = known ?? (await deps.sfn.send(new DescribeExecutionCommand({ executionArn })));
  const history = await getExecutionHistory(deps.sfn, executionArn);
  const output =
    target.destinationBucket && execution.startDate
      ? await deliveredSince(deps.s3, target.destinationBucket, execution.startDate)
      : undefined;
  return summaryFromHistory({
    execution,
    history,
    // The stack names its stream and state machine alike (lib/settings.ts physicalNamesOf).
    streamName: target.streamName ?? parseExecutionArn(executionArn)?.stateMachineName ?? '',
    ...(target.artifactBucket ? { artifactBucket: target.artifactBucket } : {}),
    ...(output ? { output } : {}),
    now: deps.now(),
  });
}

/**
 * Objects Firehose wrote since the execution started. Firehose buffers (60 s by default), so the last
 * ones may land after the execution ends; another run at the same time would be counted too.
 */
async function deliveredSince(s3: S3Client, bucket: string, since: Date) {
  const files: string[] = [];
  let bytes = 0;
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: DELIVERED_PREFIX },
  )) {
    for (const object of page.Contents ?? []) {
      if (!object.Key || (object.LastModified && object.LastModified < since)) continue;
      files.push(`s3://${bucket}/${object.Key}`);
      bytes += object.Size ?? 0;
    }
  }
  return { files, bytes };
}
