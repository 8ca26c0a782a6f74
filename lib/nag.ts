import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The name cdk-nag gives a policy resource in its IAM5 findings (`Resource::<Bucket1234.Arn>/runs/*`),
 * so a suppression can name exactly the wildcard it accepts instead of a broad regex.
 */
export function nagResource(scope: IConstruct, arn: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}

/**
 * A CloudFormation value as one readable string, the way cdk-nag names it: `Fn::GetAtt` → `<Id.Arn>`,
 * `Ref` → `<Id>`, `Fn::Join` joined. The template tests read resources the same way.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const join = obj['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    if (typeof obj.Ref === 'string') return `<${obj.Ref}>`;
    if (typeof obj['Fn::Sub'] === 'string') return obj['Fn::Sub'];
  }
  throw new Error(`cannot name ${JSON.stringify(value)} the way cdk-nag does`);
}

/**
 * Acknowledges a cdk-nag rule on a construct and everything under it, with the reason. cdk-nag v3
 * matches each finding separately (`AwsSolutions-IAM5[Resource::*]`), so findings are listed.
 */
export function acknowledge(
  scope: IConstruct,
  rule: string,
  reason: string,
  findings?: readonly string[],
): void {
  const ids = findings ? findings.map((finding) => `${rule}[${finding}]`) : [rule];
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/**
 * The wildcard actions of CDK's `bucket.grantReadWrite` / `grantRead` (and of a KMS key grant), as
 * cdk-nag names them: used where a CDK-provided construct (Firehose's S3 destination role, the
 * BucketDeployment handler) is granted access by CDK itself.
 */
export const CDK_BUCKET_GRANT_ACTION_FINDINGS: readonly string[] = [
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
].map((action) => `Action::${action}`);
