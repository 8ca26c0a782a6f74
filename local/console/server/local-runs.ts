/**
 * The one place the console reaches into the run contract and the local runner. The contract
 * (RunSummary, buildSummary, run-state helpers, the engine event shape) is moving to
 * functions/shared/run/; repoint these exports when it lands, and nothing else in the console changes.
 */
export type { RunState } from '../../../functions/shared/run-state';
export { type StateOutcome, type StateStats, statsFromEvents } from '../../graph/stats';
export type { EngineEventShape } from '../../runner/execute-definition';
export { checkInputFile } from '../../runner/input-file';
export { RunProgress } from '../../runner/progress';
export { type ProgressModel, rateAndEstimate } from '../../runner/progress-model';
export { isRunState } from '../../runner/run-events';
export { newRunId } from '../../runner/run-job';
export {
  buildSummary,
  DEFAULT_DATA_DIR,
  type RunStatus,
  type RunSummary,
} from '../../runner/summary';
export { readDataLock } from '../../services/data-lock';
