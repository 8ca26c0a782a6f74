import type { AwsDeps } from './deps';
import { describeAwsError, type ErrorContext } from './errors';

/**
 * Runs a command body; an error a person caused becomes one line on stderr and exit code 1. The
 * context is filled in by the body as it learns which ARN it is working on.
 */
export async function reportingErrors(
  deps: Pick<AwsDeps, 'stderr'>,
  context: ErrorContext,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const line = describeAwsError(error, context);
    if (line === undefined) throw error;
    deps.stderr(`firehose-loader: ${line}\n`);
    return 1;
  }
}
