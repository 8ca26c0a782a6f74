import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Launch, Launcher, LaunchKind } from './launcher';
import { parseLine } from './line-tail';
import { type RunSummary, readDataLock } from './local-runs';
import { type RunFacts, RunWatch } from './run-watch';

/** A run id is `run-YYYYMMDD-HHMMSS-xxxx` (newRunId): nothing else names a run folder. */
export const RUN_ID = /^run-[A-Za-z0-9-]+$/;

/** A run's status as the console shows it: the summary's, or what is known before there is one. */
export const ConsoleStatus = {
  starting: 'STARTING',
  running: 'RUNNING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  interrupted: 'INTERRUPTED',
  /** Asked to stop from this console (Ctrl-C): waiting for the calls in flight, then totalling. */
  stopping: 'STOPPING',
  /** Its summary.json is there but cannot be read (torn, or written by something else): see `error`. */
  unreadable: 'UNREADABLE',
  /** No summary and nothing running it: killed (kill -9, a crash); `resume` goes on. */
  stopped: 'STOPPED',
} as const;
export type ConsoleStatus = (typeof ConsoleStatus)[keyof typeof ConsoleStatus];

export interface RunRow {
  runId: string;
  status: ConsoleStatus;
  startedAt: number | null;
  durationMs: number | null;
  records: Pick<RunSummary['records'], 'input' | 'delivered' | 'deadLettered' | 'rejected' | 'pending'>;
  calls: number;
  canRerun: boolean;
  canResume: boolean;
  /** A run this console started and that is sending: Stop is Ctrl-C for it. */
  canStop: boolean;
  /** Why a going run has no Stop (started elsewhere, not begun yet, stopping already). */
  stopNote?: string;
  /** A run this console started: what it is (a rerun names the run it reruns). */
  launch?: { kind: LaunchKind; of?: string };
  /** Why a run stopped before it had a summary (the command's last line). */
  error?: string;
}

export interface RunDetail extends RunRow {
  facts: Omit<RunFacts, 'events'>;
  eventCount: number;
}

/** When a run id says it started (UTC), or null for an id made otherwise. */
export function startedAtOf(runId: string): number | null {
  const match = /^run-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(runId);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** The local runs of one data folder: on disk, and those this console started. */
export class ConsoleRuns {
  readonly launcher: Launcher;
  private readonly watches = new Map<string, RunWatch>();
  private readonly inputs = new Map<string, ExecutionInputLike>();

  constructor(
    readonly dataDir: string,
    onChange: () => void,
  ) {
    this.launcher = new Launcher(dataDir, onChange);
  }

  runDir(runId: string): string {
    return join(this.dataDir, 'runs', runId);
  }

  watch(runId: string): RunWatch {
    const found = this.watches.get(runId) ?? new RunWatch(runId, this.runDir(runId));
    this.watches.set(runId, found);
    return found;
  }

  async exists(runId: string): Promise<boolean> {
    if (!RUN_ID.test(runId)) return false;
    if (this.launcher.get(runId)) return true;
    return access(this.runDir(runId)).then(
      () => true,
      () => false,
    );
  }

  /** Every run, newest first. */
  async list(): Promise<RunRow[]> {
    const onDisk = (await readdir(join(this.dataDir, 'runs')).catch(() => [])).filter((id) =>
      RUN_ID.test(id),
    );
    const ids = new Set([...onDisk, ...this.launcher.ids()]);
    const rows: RunRow[] = [];
    // One run's folder that cannot be read is shown as such; the list (and its live stream) goes on.
    for (const runId of ids) rows.push(await this.row(runId).catch((error) => unreadableRow(runId, error)));
    return rows.sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0) || b.runId.localeCompare(a.runId));
  }

  async detail(runId: string): Promise<RunDetail> {
    await this.watch(runId).poll();
    const row = await this.row(runId);
    const { events, ...facts } = this.watch(runId).facts(Date.now(), isGoing(row.status));
    return { ...row, facts, eventCount: events.length };
  }

  async row(runId: string): Promise<RunRow> {
    const watch = this.watch(runId);
    const launch = this.launcher.get(runId);
    const going = launch !== undefined && !launch.exit;
    await watch.poll(going);
    const facts = watch.facts(Date.now(), going);
    const input = await this.executionInput(runId);
    const status = await this.statusOf(runId, launch, facts, input !== undefined);
    const summary = going ? (facts.live ?? facts.summary) : (facts.summary ?? facts.live);
    const started = startedAtOf(runId) ?? launch?.startedAt ?? null;
    const pending = summary?.records.pending ?? 0;
    const busy = this.launcher.active() !== undefined;
    const stop = stopOf(status, launch);
    const kind = launch ? { kind: launch.kind, ...(launch.of ? { of: launch.of } : {}) } : rerunOf(input);
    return {
      runId,
      status,
      startedAt: started,
      durationMs: isGoing(status) && started ? Date.now() - started : (summary?.durationMs ?? null),
      records: {
        input: summary?.records.input ?? 0,
        delivered: summary?.records.delivered ?? 0,
        deadLettered: summary?.records.deadLettered ?? 0,
        rejected: summary?.records.rejected ?? 0,
        pending,
      },
      calls: (summary?.firehose.putRecordCalls ?? 0) + (summary?.firehose.putRecordBatchCalls ?? 0),
      canRerun: !busy && !isGoing(status) && pending === 0 && (facts.summary?.records.deadLettered ?? 0) > 0,
      canResume:
        !busy &&
        input !== undefined &&
        (status === 'STOPPED' || status === 'INTERRUPTED' || (status === 'FAILED' && pending > 0)),
      ...stop,
      ...(kind ? { launch: kind } : {}),
      ...errorOf(facts, launch),
    };
  }

  /** The run's execution input (input.json): written once the run got its services and staged its input. */
  private async executionInput(runId: string): Promise<ExecutionInputLike | undefined> {
    const known = this.inputs.get(runId);
    if (known) return known;
    const text = await readFile(join(this.runDir(runId), 'input.json'), 'utf8').catch(() => '');
    const input = text ? parseLine<ExecutionInputLike>(text) : undefined;
    if (input) this.inputs.set(runId, input);
    return input;
  }

  private async statusOf(
    runId: string,
    launch: Launch | undefined,
    facts: RunFacts,
    began: boolean,
  ): Promise<ConsoleStatus> {
    if (launch && !launch.exit) {
      if (launch.stopping) return ConsoleStatus.stopping;
      return facts.events.length ? ConsoleStatus.running : ConsoleStatus.starting;
    }
    if (facts.summary) return facts.summary.status;
    if (facts.summaryProblem) return ConsoleStatus.unreadable;
    // Ended with no summary: refused before it began (its line says why), or killed mid-way (resumable).
    if (launch?.exit) return began ? ConsoleStatus.stopped : ConsoleStatus.failed;
    // Started elsewhere (npm start): running while its services hold the folder and it has not ended.
    const lock = await readDataLock(join(this.dataDir, 'services'));
    const newest = (await readdir(join(this.dataDir, 'runs')).catch(() => []))
      .filter((id) => RUN_ID.test(id))
      .sort()
      .at(-1);
    return lock && newest === runId && !facts.ended ? ConsoleStatus.running : ConsoleStatus.stopped;
  }
}

interface ExecutionInputLike {
  source?: { key?: string };
}

/** A rerun's input is another run's dead-letter file (rerun-failed.ts): that run is what it reruns. */
function rerunOf(input: ExecutionInputLike | undefined): RunRow['launch'] {
  const of = /^runs\/(run-[A-Za-z0-9-]+)\/dead-letter\/records\.jsonl$/.exec(input?.source?.key ?? '')?.[1];
  return of ? { kind: LaunchKind.rerun, of } : undefined;
}

const isGoing = (status: ConsoleStatus) =>
  status === 'STARTING' || status === 'RUNNING' || status === 'STOPPING';

/**
 * Stop is Ctrl-C sent to a run's process, so only a run this console started has it, once it has
 * begun (before, the runner has not taken over Ctrl-C yet and the signal would just end the process).
 */
export function stopOf(
  status: ConsoleStatus,
  launch: Launch | undefined,
): Pick<RunRow, 'canStop' | 'stopNote'> {
  if (!isGoing(status)) return { canStop: false };
  if (!launch)
    return {
      canStop: false,
      stopNote: 'started outside this console (a terminal): stop it there with Ctrl-C',
    };
  if (status === ConsoleStatus.stopping)
    return { canStop: false, stopNote: 'stopping: waiting for the calls in flight, then totalling' };
  if (status === ConsoleStatus.starting)
    return { canStop: false, stopNote: 'starting: Stop is possible once the run has begun' };
  return {
    canStop: true,
    stopNote: 'stops sending as Ctrl-C does: the calls in flight end, the run can be resumed',
  };
}

/** What went wrong, when it is not in a summary: an unreadable summary, or the command's last line. */
function errorOf(facts: RunFacts, launch: Launch | undefined): Pick<RunRow, 'error'> {
  if (!facts.summary && facts.summaryProblem) return { error: `summary unreadable: ${facts.summaryProblem}` };
  if (launch?.exit && !facts.summary && launch.tail.length) return { error: launch.tail.at(-1) };
  return {};
}

/** A run whose folder could not be read at all: named with the reason, counts unknown (zero). */
function unreadableRow(runId: string, error: unknown): RunRow {
  return {
    runId,
    status: ConsoleStatus.unreadable,
    startedAt: startedAtOf(runId),
    durationMs: null,
    records: { input: 0, delivered: 0, deadLettered: 0, rejected: 0, pending: 0 },
    calls: 0,
    canRerun: false,
    canResume: false,
    canStop: false,
    error: `run unreadable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
  };
}
