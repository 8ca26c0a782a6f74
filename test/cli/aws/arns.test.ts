import {
  deadLetterLocation,
  executionConsoleUrl,
  newExecutionName,
  parseExecutionArn,
  parseS3Uri,
  regionOfStateMachineArn,
  uploadKey,
} from '../../../bin/commands/aws/arns';
import { ARTIFACT_BUCKET, EXECUTION_ARN, RUN_ID, STATE_MACHINE_ARN } from './fixtures';

describe('ARNs, URIs and names', () => {
  it('reads region, state machine and run id out of an execution ARN', () => {
    expect(parseExecutionArn(EXECUTION_ARN)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      stateMachineName: 'firehose-loader',
      executionName: RUN_ID,
    });
    expect(parseExecutionArn(STATE_MACHINE_ARN)).toBeUndefined();
    expect(regionOfStateMachineArn(STATE_MACHINE_ARN)).toBe('eu-west-1');
  });

  it('links an execution to its page in the Step Functions console of its own region', () => {
    expect(executionConsoleUrl(EXECUTION_ARN)).toBe(
      `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
  });

  it('splits an s3:// URI into bucket and key, and refuses anything else', () => {
    expect(parseS3Uri('s3://bucket/a/b.jsonl')).toEqual({ bucket: 'bucket', key: 'a/b.jsonl' });
    expect(parseS3Uri('s3://bucket/')).toBeUndefined();
    expect(parseS3Uri('https://bucket/a')).toBeUndefined();
  });

  it('finds the dead-letter records from a URI, an execution ARN or a run id with the artifact bucket', () => {
    const expected = { bucket: ARTIFACT_BUCKET, key: `runs/${RUN_ID}/dead-letter/records.jsonl` };
    expect(deadLetterLocation(`s3://${ARTIFACT_BUCKET}/${expected.key}`, undefined)).toEqual(expected);
    expect(deadLetterLocation(EXECUTION_ARN, ARTIFACT_BUCKET)).toEqual(expected);
    expect(deadLetterLocation(RUN_ID, ARTIFACT_BUCKET)).toEqual(expected);
  });

  it('refuses a run id without the artifact bucket and a URI that is not a dead-letter file, saying what it needs', () => {
    expect(() => deadLetterLocation(RUN_ID, undefined)).toThrow(
      /--artifact-bucket or set FIREHOSE_LOADER_ARTIFACT_BUCKET/,
    );
    expect(() =>
      deadLetterLocation(`s3://${ARTIFACT_BUCKET}/runs/${RUN_ID}/dead-letter/manifest.jsonl`, undefined),
    ).toThrow(/expected s3:\/\/<artifact bucket>\/runs\/<runId>\/dead-letter\/records\.jsonl/);
    expect(() => deadLetterLocation('not a run id!', ARTIFACT_BUCKET)).toThrow(/neither an s3:\/\/ URI/);
  });

  it('names executions like local runs and uploads by time and file name', () => {
    const now = new Date('2025-03-01T12:34:56.789Z');
    expect(newExecutionName(now, () => 0.5)).toBe('run-20250301-123456-i000');
    expect(newExecutionName(now)).toMatch(/^run-20250301-123456-[a-z0-9]{4}$/);
    expect(uploadKey(now, 'my file (1).json')).toBe('inputs/20250301T123456Z-my_file__1_.json');
  });
});
