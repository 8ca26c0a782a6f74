import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ConfigError } from '../../functions/shared/errors';
import type { AwsDataContext } from '../../local/console/aws/routes';
import { startConsole } from '../../local/console/server/server';
import { regionOfStateMachineArn } from './aws/arns';
import { type AwsDeps, defaultDeps } from './aws/deps';
import { reportingErrors } from './aws/guard';
import { type AwsTargetOptions, requireSetting } from './aws/settings';
import { completeTarget, type StackOption } from './aws/target';

export interface ConsoleOptions extends AwsTargetOptions, StackOption {
  port: number;
  dataDir: string;
  /** Executions of the deployed state machine, read-only, instead of local runs. */
  aws?: boolean;
}

/** `console`: serves the web console until Ctrl-C; the runs it started are interrupted, resumable. */
export async function consoleCommand(
  options: ConsoleOptions,
  deps: AwsDeps = defaultDeps(),
): Promise<number> {
  if (!options.aws) return serve(options, undefined);
  return reportingErrors(deps, {}, async () => serve(options, await awsContext(options, deps)));
}

/**
 * Where the executions are: the AWS commands' own target resolution (--stack, FIREHOSE_LOADER_STACK,
 * the stack's outputs, or each setting's option and variable); clients in the state machine's region.
 */
async function awsContext(options: ConsoleOptions, deps: AwsDeps): Promise<AwsDataContext> {
  const target = await completeTarget(options, deps, ['stateMachineArn', 'artifactBucket', 'streamName']);
  const region = regionOfStateMachineArn(requireSetting(target, 'stateMachineArn'));
  return {
    deps: { sfn: deps.sfn(region), s3: deps.s3(region), now: deps.now },
    target,
    cloudWatch: new CloudWatchClient(region ? { region } : {}),
  };
}

async function serve(options: ConsoleOptions, aws: AwsDataContext | undefined): Promise<number> {
  const running = await startConsole({
    port: options.port,
    dataDir: options.dataDir,
    ...(aws ? { aws } : {}),
  }).catch((error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConfigError(`--port ${options.port} is in use on 127.0.0.1; give another, or 0 for a free one`);
  });
  const what = aws
    ? `executions of ${aws.target.stateMachineArn}, read-only`
    : `data folder ${options.dataDir}`;
  process.stdout.write(`firehose-loader console on ${running.url} (${what}; Ctrl-C stops it)\n`);
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
  process.stderr.write(
    aws ? 'console: stopping\n' : 'console: stopping (runs it started are interrupted; resume them later)\n',
  );
  await running.close();
  return 0;
}
