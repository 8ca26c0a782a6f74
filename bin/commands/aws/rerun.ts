import { RecordFormat } from '../../../functions/shared/chunk';
import type { ExecutionInput } from '../../../functions/shared/run-state';
import { deadLetterLocation } from './arns';
import { type AwsDeps, defaultDeps } from './deps';
import type { ErrorContext } from './errors';
import { reportingErrors } from './guard';
import { type LaunchOptions, launch } from './launch';
import type { AwsTargetOptions } from './settings';
import { completeTarget, type StackOption } from './target';

export interface RerunOptions extends AwsTargetOptions, StackOption, LaunchOptions {
  /** s3:// URI of a dead-letter records file, an execution ARN or a run id. */
  deadLetter: string;
}

/**
 * The input that loads a run's dead-lettered records, exactly as AdvanceRound's dead-letter message
 * gives it: the records file holds the payload lines Firehose would have received, so `lines` reads
 * them back unchanged, and none are sent one by one.
 */
export function rerunInput(location: { bucket: string; key: string }): ExecutionInput {
  return {
    source: { bucket: location.bucket, key: location.key },
    format: RecordFormat.lines,
    individualRecords: 0,
  };
}

/** `rerun --dead-letter REF`: a new execution over another run's dead letters. */
export async function rerunCommand(options: RerunOptions, deps: AwsDeps = defaultDeps()): Promise<number> {
  const context: ErrorContext = {};
  return reportingErrors(deps, context, async () => {
    const target = await completeTarget(options, deps, ['stateMachineArn']);
    const location = deadLetterLocation(options.deadLetter, target.artifactBucket);
    return launch(rerunInput(location), target, options, deps, context);
  });
}
