/**
 * The one place the console reaches into the run contract (functions/shared/run/), the local runner
 * and the local services' public API, so the rest of the console names none of their files.
 */

export { readDataLock } from '@firehose-loader/local-services';
export {
  buildSummary,
  DEFAULT_DATA_DIR,
  type EngineEventShape,
  isRunState,
  type RunStatus,
  type RunSummary,
} from '../../../functions/shared/run';
export type { RunState } from '../../../functions/shared/run-state';
export { type StateOutcome, type StateStats, statsFromEvents } from '../../graph/stats';
export { checkInputFile } from '../../runner/input-file';
export { RunProgress } from '../../runner/progress';
export { PROGRESS_LOG_MESSAGES, type ProgressModel, rateAndEstimate } from '../../runner/progress-model';
export { newRunId } from '../../runner/run-job';
