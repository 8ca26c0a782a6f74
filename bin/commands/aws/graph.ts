import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { DescribeStateMachineForExecutionCommand } from '@aws-sdk/client-sfn';
import { renderMermaid, renderSvg, runInfoFromEvents } from '../../../local/graph';
import { requireExecutionArn } from './arns';
import { type AwsDeps, defaultDeps } from './deps';
import { AwsCliError, type ErrorContext } from './errors';
import { reportingErrors } from './guard';
import { describeMapRunCounts, getExecutionHistory } from './history';
import { eventsFromHistory, itemStartStates, type MapRunCounts } from './history-events';
import { mapRunArnsOf } from './history-state';

export interface GraphOptions {
  execution: string;
  /** .svg or .mmd; without it, Mermaid goes to stdout. */
  out?: string;
}

/**
 * `graph --execution ARN`: the definition the execution ran, coloured by its history and Map Run
 * counts with the same renderers as a local run.
 */
export async function graphCommand(options: GraphOptions, deps: AwsDeps = defaultDeps()): Promise<number> {
  const executionArn = options.execution;
  const context: ErrorContext = { executionArn };
  return reportingErrors(deps, context, async () => {
    const format = formatOf(options.out);
    const { region, executionName } = requireExecutionArn(executionArn);
    const sfn = deps.sfn(region);
    const [machine, history] = await Promise.all([
      sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
      getExecutionHistory(sfn, executionArn),
    ]);
    const definition = JSON.parse(machine.definition ?? '{}') as object;
    const counts = new Map<string, MapRunCounts>();
    for (const arn of new Set(mapRunArnsOf(history))) counts.set(arn, await describeMapRunCounts(sfn, arn));
    const events = eventsFromHistory(history, {
      mapRunCounts: counts,
      itemStartStates: itemStartStates(definition),
    });
    const run = runInfoFromEvents(executionName, events);
    const text = format === 'svg' ? renderSvg(definition, run) : renderMermaid(definition, run);
    if (!options.out) deps.stdout(text);
    else {
      // README writes under the git-ignored data folder, which a fresh clone does not have yet.
      await mkdir(dirname(options.out), { recursive: true });
      await writeFile(options.out, text);
      deps.stderr(`wrote ${options.out}\n`);
    }
    return 0;
  });
}

function formatOf(out: string | undefined): 'svg' | 'mermaid' {
  if (!out) return 'mermaid';
  const extension = extname(out).toLowerCase();
  if (extension === '.svg') return 'svg';
  if (extension === '.mmd') return 'mermaid';
  throw new AwsCliError(`--out ${out}: the file name must end in .svg or .mmd`);
}
