import { handler as advanceRound } from '../../functions/advance-round/handler';
import { handler as checkMetrics } from '../../functions/check-metrics/handler';
import { handler as plan } from '../../functions/plan/handler';
import { handler as putBatch } from '../../functions/put-batch/handler';
import { buildDefinitionSubstitutions, type DefinitionRefs } from '../../statemachine/substitutions';
import type { LocalResourceNames } from './local-resources';

/** The function names the local definition is substituted with, as the CDK stack would give them ARNs. */
export function localDefinitionRefs(names: LocalResourceNames): DefinitionRefs {
  const arn = (name: string) =>
    `arn:aws:lambda:${names.region}:${names.accountId}:function:firehose-loader-${name}`;
  return {
    planFunctionArn: arn('plan'),
    putBatchFunctionArn: arn('put-batch'),
    advanceRoundFunctionArn: arn('advance-round'),
    checkMetricsFunctionArn: arn('check-metrics'),
    artifactBucketName: names.artifactBucket,
  };
}

export const localSubstitutions = (names: LocalResourceNames) =>
  buildDefinitionSubstitutions(localDefinitionRefs(names));

export type LambdaHandler = (event: never) => Promise<unknown>;
export type LambdaHandlers = Map<string, LambdaHandler>;

/** Function ARN → the real handler, run in this process. */
export function localHandlers(names: LocalResourceNames): LambdaHandlers {
  const refs = localDefinitionRefs(names);
  return new Map<string, LambdaHandler>([
    [refs.planFunctionArn, plan as LambdaHandler],
    [refs.putBatchFunctionArn, putBatch as LambdaHandler],
    [refs.advanceRoundFunctionArn, advanceRound as LambdaHandler],
    [refs.checkMetricsFunctionArn, checkMetrics as LambdaHandler],
  ]);
}

/**
 * A failed Lambda invocation as Step Functions sees it: the error name is the function's `errorType`
 * (what Retry/Catch match) and the Cause is the JSON Lambda reports, so a definition that parses it
 * (States.StringToJson) behaves the same locally.
 */
export class LambdaInvocationError extends Error {
  constructor(errorType: string, errorMessage: string) {
    super(JSON.stringify({ errorType, errorMessage, trace: [] }));
    this.name = errorType;
  }
}

/** Invokes a handler the way `arn:aws:states:::lambda:invoke` does: `{FunctionName, Payload}` in, `{Payload}` out. */
export async function invokeLocally(handlers: LambdaHandlers, parameters: unknown): Promise<unknown> {
  const { FunctionName, Payload } = parameters as { FunctionName: string; Payload: unknown };
  const handler = handlers.get(FunctionName);
  if (!handler)
    throw new LambdaInvocationError('Lambda.ResourceNotFoundException', `no local function ${FunctionName}`);
  try {
    return { StatusCode: 200, Payload: await handler(Payload as never) };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new LambdaInvocationError(name, message);
  }
}
