/**
 * The run contract: what a run of the loader reports and how its pieces are named, shared by the
 * functions, the local runner, the AWS CLI, the graph and the console. It depends on nothing outside
 * functions/shared (no local runner, no AWS client).
 */

export type {
  DeadLetterSummary,
  MapRunOutput,
  MetricsReport,
  ResultWriterDetails,
  RunState,
  RunTotals,
} from '../run-state';
export {
  combineRerun,
  type LoadSummary,
  partOf,
  type SummaryPart,
} from './combine-summary';
export type { EngineEventShape } from './engine-events';
export { DEFAULT_DATA_DIR, formatSummary, resumeCommandLine } from './format-summary';
export { DEAD_LETTERED, RunErrorName, StepName } from './names';
export type {
  ChildStatus,
  MapRunResultEntry,
  ResultFileRef,
  ResultWriterManifest,
} from './result-writer';
export { failureOf, handsOnRound, isRunState, STATE_STEPS } from './run-states';
export {
  addCounts,
  addSendCounts,
  emptySendCounts,
  FIREHOSE_COUNT_FIELDS,
  SEND_COUNT_FIELDS,
  type SendCountField,
  type SendCounts,
  zeroCounts,
} from './send-counts';
export {
  buildSummary,
  type RunPart,
  type RunStatus,
  type RunSummary,
  type SummaryInputs,
} from './summary';
