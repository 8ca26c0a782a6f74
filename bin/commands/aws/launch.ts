import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { formatSummary } from '../../../functions/shared/run';
import { executionConsoleUrl, isStateMachineArn, newExecutionName, regionOfStateMachineArn } from './arns';
import type { AwsDeps } from './deps';
import { AwsCliError, type ErrorContext } from './errors';
import { fetchSummary } from './fetch-summary';
import { followExecution } from './follow';
import { type AwsTarget, requireSetting } from './settings';

export interface LaunchOptions {
  follow?: boolean;
  json?: boolean;
  /** Seconds between polls with --follow. */
  interval?: number;
}

export const DEFAULT_POLL_SECONDS = 5;

/** The state machine ARN from option or environment, checked, and its region for the clients. */
export function stateMachineOf(target: AwsTarget, context: ErrorContext): { arn: string; region: string } {
  const arn = requireSetting(target, 'stateMachineArn');
  context.stateMachineArn = arn;
  const region = regionOfStateMachineArn(arn);
  if (!isStateMachineArn(arn) || !region)
    throw new AwsCliError(
      `"${arn}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
    );
  return { arn, region };
}

/**
 * Starts an execution with `input`, prints its ARN and console link, and with --follow waits for it and
 * prints the run summary. Exit code 0 when started (or, following, only when it SUCCEEDED).
 */
export async function launch(
  input: object,
  target: AwsTarget,
  options: LaunchOptions,
  deps: AwsDeps,
  context: ErrorContext,
): Promise<number> {
  const stateMachine = stateMachineOf(target, context);
  const sfn = deps.sfn(stateMachine.region);
  const name = newExecutionName(deps.now());
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stateMachine.arn, name, input: JSON.stringify(input) }),
  );
  const executionArn = started.executionArn ?? '';
  context.executionArn = executionArn;
  const consoleUrl = executionConsoleUrl(executionArn);
  // With --json the document is stdout's only content; people still see where the run is.
  const say = options.json ? deps.stderr : deps.stdout;
  if (options.json && !options.follow)
    deps.stdout(`${JSON.stringify({ executionArn, runId: name, consoleUrl, input }, null, 2)}\n`);
  else say(`started ${executionArn}\nconsole ${consoleUrl}\n`);
  if (!options.follow) return 0;

  const intervalMs = (options.interval ?? DEFAULT_POLL_SECONDS) * 1000;
  const final = await followExecution(sfn, executionArn, deps, intervalMs);
  const summary = await fetchSummary(
    executionArn,
    target,
    { sfn, s3: deps.s3(stateMachine.region), now: deps.now },
    final,
  );
  if (options.json) deps.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else deps.stdout(`\n${formatSummary(summary)}\n`);
  if (summary.status === 'SUCCEEDED') return 0;
  const reason = summary.error ? `${summary.error.name}: ${summary.error.message}` : 'the run failed';
  deps.stderr(`firehose-loader: ${reason}\n`);
  return 1;
}
