import type { AwsDeps } from './deps';
import { type AwsTarget, type AwsTargetOptions, resolveTarget } from './settings';
import { STACK_ENV, targetFromStack } from './stack';

export interface StackOption {
  /** The CloudFormation stack to read the targets from (default: env, else the only loader stack). */
  stack?: string;
}

/**
 * The targets from options and environment, completed from the stack's outputs when a stack is
 * named or something `needed` is missing. Options win over the stack's outputs; environment values
 * win too, except over a stack named with --stack on the command line (the person asked for it).
 */
export async function completeTarget(
  options: AwsTargetOptions & StackOption,
  deps: Pick<AwsDeps, 'env' | 'cloudFormation'>,
  needed: (keyof AwsTarget)[],
): Promise<AwsTarget> {
  const target = resolveTarget(options, deps.env);
  const stack = options.stack?.trim() || deps.env[STACK_ENV]?.trim() || undefined;
  if (!stack && needed.every((key) => target[key])) return target;
  const cfn = deps.cloudFormation();
  const region = await cfn.config.region();
  const outputs = await targetFromStack(cfn, stack, region);
  if (!options.stack?.trim()) return { ...outputs, ...target };
  return { ...resolveTarget({}, deps.env), ...outputs, ...resolveTarget(options, {}) };
}
