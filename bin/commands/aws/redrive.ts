import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { DEAD_LETTERED } from '../../../functions/shared/run';
import { requireExecutionArn } from './arns';
import { type AwsDeps, defaultDeps } from './deps';
import { AwsCliError, type ErrorContext } from './errors';
import { reportingErrors } from './guard';

// Failures a redrive cannot fix: it re-enters the failed state with the same input and fails again.
const INPUT_REFUSALS = new Set(['InvalidInputError', 'ConfigError', 'MalformedSourceError']);

/**
 * `redrive ARN`: RedriveExecution continues a failed execution from its failed step. Refused up front
 * (with what to do instead) when that step would just fail again.
 */
export async function redriveCommand(executionArn: string, deps: AwsDeps = defaultDeps()): Promise<number> {
  const context: ErrorContext = { executionArn };
  return reportingErrors(deps, context, async () => {
    const { region, executionName } = requireExecutionArn(executionArn);
    const sfn = deps.sfn(region);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const rerun = `firehose-loader rerun --dead-letter ${executionName}`;
    if (execution.error === DEAD_LETTERED)
      throw new AwsCliError(
        `${executionName} failed in RecordsDeadLettered after every re-queue round; a redrive would only fail there again. Load its dead letters with a new execution: ${rerun}`,
      );
    if (INPUT_REFUSALS.has(execution.error ?? ''))
      throw new AwsCliError(
        `${executionName} was refused by Plan (${execution.error}); a redrive would send the same input. Fix the input and start a new execution (firehose-loader start)`,
      );
    try {
      const result = await sfn.send(new RedriveExecutionCommand({ executionArn }));
      deps.stdout(
        `redriven ${executionArn} at ${result.redriveDate?.toISOString() ?? 'now'}\nfollow it: firehose-loader status ${executionArn}\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionNotRedrivable')
        throw new AwsCliError(
          `${executionName} cannot be redriven (${error.message}); start a new execution instead: ${rerun} for its dead letters, or firehose-loader start with its input`,
        );
      throw error;
    }
  });
}
