import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ConfigError } from '../../functions/shared/errors';
import { type GraphRunInfo, renderMermaid, renderSvg, runInfoFromEvents } from '../../local/graph';
import type { EngineEventShape } from '../../local/runner/execute-definition';
import { readDefinitionTemplate } from '../../statemachine/substitutions';

async function localRunInfo(dataDir: string, runId: string): Promise<GraphRunInfo> {
  const file = join(resolve(dataDir), 'runs', runId, 'events.jsonl');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new ConfigError(`no events for run ${runId}: ${file} does not exist (is --data-dir right?)`);
  });
  const events = text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as EngineEventShape);
  return runInfoFromEvents(runId, events);
}

/**
 * `graph [--run RUN_ID] [--out FILE]`: the state machine as SVG and Mermaid, coloured by a local run.
 * With --out the extension chooses (.svg, or .mmd/.md for Mermaid); without it both files are written
 * next to the run (or in the data folder).
 */
export async function graphCommand(options: {
  run?: string;
  out?: string;
  dataDir: string;
}): Promise<number> {
  const definition = JSON.parse(readDefinitionTemplate()) as object;
  const run = options.run ? await localRunInfo(options.dataDir, options.run) : undefined;
  const outputs: [string, string][] = [];
  if (options.out) {
    const isSvg = extname(options.out).toLowerCase() === '.svg';
    outputs.push([options.out, isSvg ? renderSvg(definition, run) : renderMermaid(definition, run)]);
  } else {
    const folder = options.run
      ? join(resolve(options.dataDir), 'runs', options.run)
      : resolve(options.dataDir);
    outputs.push([join(folder, 'graph.svg'), renderSvg(definition, run)]);
    outputs.push([join(folder, 'graph.mmd'), renderMermaid(definition, run)]);
  }
  for (const [file, content] of outputs) {
    await writeFile(file, content);
    process.stderr.write(`wrote ${file}\n`);
  }
  return 0;
}
