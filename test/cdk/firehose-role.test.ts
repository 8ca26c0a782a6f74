import { permissionsOf, resourcesOfType, type Synthesized, synth } from './synth';

/** The role Firehose assumes for the S3 destination, as the delivery stream names it. */
function destinationRoleOf(s: Synthesized): string {
  const streams = resourcesOfType(s.json, 'AWS::KinesisFirehose::DeliveryStream');
  expect(streams).toHaveLength(1);
  const config = streams[0]?.[1].Properties.ExtendedS3DestinationConfiguration as { RoleARN: unknown };
  const roleArn = config.RoleARN as { 'Fn::GetAtt': [string, string] };
  return roleArn['Fn::GetAtt'][0];
}

describe('IAM: the Firehose destination role', () => {
  it('writes to the destination bucket and its error log, and cannot delete, tag, lock or retain objects', async () => {
    const s = await synth();
    const bucket = `<${s.id(s.stack.buckets.destination)}.Arn>`;
    const errors = `<${s.id(s.stack.deliveryStream.errorLogGroup)}.Arn>`;
    expect(permissionsOf(s.json, destinationRoleOf(s))).toEqual(
      [
        `s3:GetBucketLocation ${bucket}`,
        `s3:ListBucket ${bucket}`,
        `s3:ListBucketMultipartUploads ${bucket}`,
        `s3:PutObject ${bucket}/*`,
        `s3:GetObject ${bucket}/*`,
        `s3:AbortMultipartUpload ${bucket}/*`,
        `logs:PutLogEvents ${errors}`,
      ].sort(),
    );
  });

  it('with a customer managed key, may use the key only through S3, to encrypt and read back what it writes', async () => {
    const s = await synth({ encryption: 'KMS' });
    const key = `<${s.id(s.stack.encryptionKey as never)}.Arn>`;
    const kms = permissionsOf(s.json, destinationRoleOf(s)).filter((line) => line.startsWith('kms:'));
    const region = JSON.stringify({ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    const through = `if {"StringEquals":{"kms:ViaService":${region}}}`;
    expect(kms).toEqual([`kms:Decrypt ${key} ${through}`, `kms:GenerateDataKey ${key} ${through}`]);
  });
});
