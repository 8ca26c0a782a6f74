import { describeAwsError } from '../../../bin/commands/aws/errors';

/**
 * An AWS call the console made on a page's behalf failed: the CLI's one line for it (no credentials, a
 * missing execution, access denied), as 404 for what does not exist and 502 for the rest; undefined
 * for anything else, which is a bug and the server's to report.
 */
export function awsErrorResponse(
  error: unknown,
  executionArn?: string,
): { status: number; body: { error: string } } | undefined {
  const line = describeAwsError(error, executionArn ? { executionArn } : {});
  if (line === undefined) return undefined;
  const name = error instanceof Error ? error.name : '';
  return { status: /DoesNotExist|NoSuchKey|NotFound/.test(name) ? 404 : 502, body: { error: line } };
}
