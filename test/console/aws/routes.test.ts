import { Readable } from 'node:stream';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { awsMetricsRoute, awsRecordsRoute, executionArnOf } from '../../../local/console/aws/routes';
import { ARTIFACT_BUCKET } from '../../cli/aws/fixtures';
import { describeSucceeded, EXECUTION_ARN, REGION, RUN_ID, STATE_MACHINE_ARN } from './fixtures';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const cw = mockClient(CloudWatchClient);
const context = {
  deps: {
    sfn: new SFNClient({ region: REGION }),
    s3: new S3Client({ region: REGION }),
    now: () => new Date('2025-03-01T13:00:00Z'),
  },
  target: {
    stateMachineArn: STATE_MACHINE_ARN,
    artifactBucket: ARTIFACT_BUCKET,
    streamName: 'firehose-loader',
  },
  cloudWatch: new CloudWatchClient({ region: REGION }),
};

beforeEach(() => {
  sfn.reset();
  s3.reset();
  cw.reset();
});

describe('the console routes for executions on AWS', () => {
  it('find the execution by its run id, and refuse an id that is not one', () => {
    expect(executionArnOf(STATE_MACHINE_ARN, RUN_ID)).toBe(EXECUTION_ARN);
    expect(() => executionArnOf(STATE_MACHINE_ARN, 'a:b')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => executionArnOf(undefined, RUN_ID)).toThrow(/--state-machine-arn/);
  });

  it("read the rejects of the run's artefacts in the artifact bucket", async () => {
    const text = '{"record":3,"line":4,"offset":90,"reason":"not valid JSON","excerpt":"{oops"}\n';
    s3.on(GetObjectCommand, { Bucket: ARTIFACT_BUCKET, Key: `runs/${RUN_ID}/rejects.jsonl` }).callsFake(
      () => ({
        Body: Readable.from([Buffer.from(text)]),
      }),
    );
    const page = await awsRecordsRoute(context, { id: RUN_ID, kind: 'rejects' }, {});
    expect(page).toMatchObject({ rows: 1, page: [{ record: 3, reason: 'not valid JSON' }] });
  });

  it("chart the stream's metrics over the execution's start to stop", async () => {
    sfn.on(DescribeExecutionCommand).resolves(describeSucceeded);
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const view = await awsMetricsRoute(context, { id: RUN_ID });
    expect(view).toMatchObject({
      streamName: 'firehose-loader',
      start: '2025-03-01T11:59:00.000Z',
      end: '2025-03-01T12:07:00.000Z',
      periodSeconds: 60,
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
  });
});
