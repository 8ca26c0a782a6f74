import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type RunningConsole, startConsole } from '../../../local/console/server/server';
import { ARTIFACT_BUCKET } from '../../cli/aws/fixtures';
import { REGION, STATE_MACHINE_ARN } from './fixtures';

/** The definition a DescribeStateMachineForExecution mock answers with: the repository's own. */
export const definition = readFileSync(join(__dirname, '../../../statemachine/loader.asl.json'), 'utf8');

/** A console in --aws mode on a free port, its clients to be answered by aws-sdk-client-mock. */
export const startAwsConsole = (now: () => Date): Promise<RunningConsole> =>
  startConsole({
    port: 0,
    dataDir: '/nonexistent-data-dir-unused-with-aws',
    log: () => undefined,
    aws: {
      deps: { sfn: new SFNClient({ region: REGION }), s3: new S3Client({ region: REGION }), now },
      target: {
        stateMachineArn: STATE_MACHINE_ARN,
        artifactBucket: ARTIFACT_BUCKET,
        streamName: 'firehose-loader',
      },
      cloudWatch: new CloudWatchClient({ region: REGION }),
    },
  });
