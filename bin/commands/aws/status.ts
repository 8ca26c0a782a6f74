import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { failureOf, formatSummary } from '../../../functions/shared/run';
import { executionConsoleUrl, requireExecutionArn } from './arns';
import { type AwsDeps, defaultDeps } from './deps';
import type { ErrorContext } from './errors';
import { fetchSummary } from './fetch-summary';
import { isRunning } from './follow';
import { reportingErrors } from './guard';
import type { AwsTargetOptions } from './settings';
import { completeTarget, type StackOption } from './target';

export interface StatusOptions extends AwsTargetOptions, StackOption {
  json?: boolean;
}

/**
 * `status ARN`: where an execution is, its summary once Plan has run, and why it failed (for dead
 * letters, the message that says where they are and how to rerun them). Exit code 1 once it ended
 * other than SUCCEEDED.
 */
export async function statusCommand(
  executionArn: string,
  options: StatusOptions,
  deps: AwsDeps = defaultDeps(),
): Promise<number> {
  const context: ErrorContext = { executionArn };
  return reportingErrors(deps, context, async () => {
    const { region } = requireExecutionArn(executionArn);
    const sfn = deps.sfn(region);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    // The summary's buckets and stream: from options, environment or a named stack, else left out.
    const target = await completeTarget(options, deps, []);
    const summary = await fetchSummary(
      executionArn,
      target,
      { sfn, s3: deps.s3(region), now: deps.now },
      execution,
    );
    const planned = summary.plan.chunks > 0 || summary.records.input > 0;
    const failure = execution.error || execution.cause ? failureOf(execution.error, execution.cause) : null;
    const report = {
      executionArn,
      runId: execution.name ?? null,
      status: execution.status ?? null,
      startDate: execution.startDate?.toISOString() ?? null,
      stopDate: execution.stopDate?.toISOString() ?? null,
      redriveStatus: execution.redriveStatus ?? null,
      redriveCount: execution.redriveCount ?? 0,
      consoleUrl: executionConsoleUrl(executionArn),
      error: failure,
      summary: planned ? summary : null,
    };
    if (options.json) deps.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const rows: [string, string | null][] = [
        ['execution', executionArn],
        ['status', report.status],
        ['started', report.startDate],
        ['stopped', report.stopDate],
        [
          'redrive',
          report.redriveStatus && `${report.redriveStatus} (redriven ${report.redriveCount} times)`,
        ],
        ['console', report.consoleUrl],
      ];
      const lines = rows.filter(([, value]) => value).map(([label, value]) => `${label.padEnd(9)}  ${value}`);
      deps.stdout(`${lines.join('\n')}\n`);
      if (report.summary) deps.stdout(`\n${formatSummary(report.summary)}\n`);
      // formatSummary shows the error only with a plan; a refused input has none.
      else if (failure) deps.stdout(`\nerror  ${failure.name}: ${failure.message}\n`);
    }
    return execution.status === 'SUCCEEDED' || isRunning(execution.status) ? 0 : 1;
  });
}
