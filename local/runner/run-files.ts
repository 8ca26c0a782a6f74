import { access, appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../functions/shared/errors';
import type { RunPart, RunSummary } from '../../functions/shared/run';
import type { LocalJobOptions } from './job-options';

/** The options of a run that `resume` reuses (everything but callbacks, which are not data). */
export type SavedOptions = Pick<
  LocalJobOptions,
  | 'faults'
  | 'quotas'
  | 'metricPublishDelayMs'
  | 'streamCreatingMs'
  | 'duplicateChildren'
  | 'retry'
  | 'fastTimers'
  | 'paceToQuota'
  | 'handlerThreads'
  | 'inProcessServices'
  | 'names'
>;

/** What a resume needs of the run's first part, read back from its folder. */
export interface RunFiles {
  executionInput: unknown;
  before: Set<string>;
  options: SavedOptions;
  /** Parts started so far (one line each in attempts.jsonl). */
  attempts: number;
  summary?: RunSummary;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Saves the run's options, input and the destination keys that are not its own. input.json goes last:
 * a run folder without it was stopped before anything was sent, so there is nothing to resume.
 */
export async function saveRunFiles(
  runDir: string,
  files: { executionInput: unknown; before: ReadonlySet<string>; options: LocalJobOptions },
): Promise<void> {
  const { faults, quotas, retry, fastTimers, paceToQuota, handlerThreads, inProcessServices, names } =
    files.options;
  const { metricPublishDelayMs, streamCreatingMs, duplicateChildren } = files.options;
  const saved: SavedOptions = {
    faults,
    quotas,
    metricPublishDelayMs,
    streamCreatingMs,
    duplicateChildren,
    retry,
    fastTimers,
    paceToQuota,
    handlerThreads,
    inProcessServices,
    names,
  };
  await writeFile(join(runDir, 'local-options.json'), json(saved));
  await writeFile(join(runDir, 'destination-before.json'), json([...files.before]));
  await writeFile(join(runDir, 'input.json'), json(files.executionInput));
}

/** Notes that a part of the run starts (kept so a resume can tell a killed part from a finished one). */
export async function noteAttempt(runDir: string): Promise<void> {
  await appendFile(
    join(runDir, 'attempts.jsonl'),
    `${JSON.stringify({ startedAt: new Date().toISOString() })}\n`,
  );
}

export async function readRunFiles(runDir: string, runId: string): Promise<RunFiles> {
  const read = (name: string) => readFile(join(runDir, name), 'utf8');
  const executionInput = JSON.parse(
    await read('input.json').catch(async () => {
      const exists = await access(runDir).then(
        () => true,
        () => false,
      );
      throw new ConfigError(
        exists
          ? `run ${runId} stopped before it had staged its input (${join(runDir, 'input.json')} does not exist): nothing was sent; start it again`
          : `no local run ${runId}: ${runDir} does not exist (the same --data-dir as the run?)`,
      );
    }),
  ) as unknown;
  const before = new Set(JSON.parse(await read('destination-before.json')) as string[]);
  const options = JSON.parse(await read('local-options.json')) as SavedOptions;
  const attempts = (await read('attempts.jsonl').catch(() => '')).split('\n').filter(Boolean).length;
  const summary = await read('summary.json').then(
    (text) => JSON.parse(text) as RunSummary,
    () => undefined,
  );
  return { executionInput, before, options, attempts, ...(summary ? { summary } : {}) };
}

/**
 * The earlier parts of a run: those its last summary lists, that summary's own part, then every part
 * started since without a summary of its own, which was killed.
 */
export function earlierParts(files: Pick<RunFiles, 'attempts' | 'summary'>): RunPart[] {
  const parts: RunPart[] = [];
  if (files.summary) {
    const listed = files.summary.parts ?? [];
    const listedMs = listed.reduce((sum, part) => sum + (part.durationMs ?? 0), 0);
    parts.push(...listed, { status: files.summary.status, durationMs: files.summary.durationMs - listedMs });
  }
  while (parts.length < files.attempts) parts.push({ status: 'KILLED', durationMs: null });
  return parts;
}
