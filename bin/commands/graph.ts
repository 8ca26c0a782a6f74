import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { ConfigError } from '../../functions/shared/errors';
import type { EngineEventShape } from '../../functions/shared/run';
import { type GraphRunInfo, renderMermaid, renderSvg, runInfoFromEvents } from '../../local/graph';
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
  // Refused before any work: a .png holding Mermaid text would look written and open as nothing.
  const format = options.out ? outFormat(options.out) : undefined;
  const definition = JSON.parse(readDefinitionTemplate()) as object;
  const run = options.run ? await localRunInfo(options.dataDir, options.run) : undefined;
  const outputs: [string, string][] = [];
  if (options.out) {
    const text =
      format === 'svg'
        ? renderSvg(definition, run)
        : format === 'markdown'
          ? `\`\`\`mermaid\n${renderMermaid(definition, run).trimEnd()}\n\`\`\`\n`
          : renderMermaid(definition, run);
    outputs.push([options.out, text]);
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

const OUT_FORMATS = { '.svg': 'svg', '.mmd': 'mermaid', '.md': 'markdown' } as const;

/** The format a file name asks for; anything this command cannot write is refused, naming what it can. */
function outFormat(out: string): (typeof OUT_FORMATS)[keyof typeof OUT_FORMATS] {
  const extension = extname(out).toLowerCase();
  const format = OUT_FORMATS[extension as keyof typeof OUT_FORMATS];
  if (!format) {
    throw new ConfigError(
      `--out ${out}: cannot write ${extension ? `a ${extension} file` : 'a file without an extension'}; ` +
        'the file name must end in .svg (SVG), .mmd (Mermaid) or .md (Mermaid in Markdown)',
    );
  }
  return format;
}
