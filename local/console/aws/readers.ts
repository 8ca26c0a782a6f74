/**
 * The one place the console's AWS pages reach into the CLI's AWS readers (bin/commands/aws/), which
 * they reuse rather than rewrite: execution history, Map Runs, the history → engine events conversion,
 * the run summary and the console links.
 */
export { executionConsoleUrl, parseExecutionArn } from '../../../bin/commands/aws/arns';
export { type FetchSummaryDeps, fetchSummary } from '../../../bin/commands/aws/fetch-summary';
export { describeMapRunCounts, getExecutionHistory, listMapRuns } from '../../../bin/commands/aws/history';
export {
  eventsFromHistory,
  itemStartStates,
  type MapRunCounts,
} from '../../../bin/commands/aws/history-events';
export type { AwsTarget } from '../../../bin/commands/aws/settings';
export type { EngineEventShape } from '../../../functions/shared/run';
