import { dirname, resolve } from 'node:path';
import { DEAD_LETTERED, type RunSummary } from '../../functions/shared/run';

/**
 * The one line on stderr after a run that failed. For dead letters it is the only place their message
 * is printed (the table has the file), with the command that sends them again as typed in the clone
 * (`npm run cli` runs in the clone's root, so a data folder other than the default is given in full).
 */
export function failureLine(summary: RunSummary, defaultDataDir: string): string {
  const error = summary.error;
  if (error?.name === DEAD_LETTERED) {
    const dataDir = dirname(dirname(summary.runDir));
    const option = dataDir === resolve(defaultDataDir) ? '' : ` --data-dir ${dataDir}`;
    const count = summary.records.deadLettered.toLocaleString('en-US');
    return (
      `${count} record${summary.records.deadLettered === 1 ? ' was' : 's were'} not delivered after every ` +
      `re-queue round (dead letters); send them again with: npm run cli -- rerun-failed ${summary.runId}${option}`
    );
  }
  return error ? `${error.name}: ${error.message}` : 'the run failed';
}
