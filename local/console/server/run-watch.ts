import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDefinitionTemplate } from '../../../statemachine/substitutions';
import { LineTail, parseLine } from './line-tail';
import {
  buildSummary,
  type EngineEventShape,
  isRunState,
  PROGRESS_LOG_MESSAGES,
  RunProgress,
  type RunState,
  type RunSummary,
  rateAndEstimate,
  statsFromEvents,
} from './local-runs';
import { readSummaryText } from './summary-check';

/** The progress a run page shows, from the runner's own progress model (local/runner/progress-model.ts). */
export interface ProgressView {
  phase: string;
  round: number;
  roundChunks: number;
  chunksDone: number;
  chunksFailed: number;
  chunksInFlight: number;
  roundRecords: number;
  plannedRecords: number;
  delivered: number;
  requeued: number;
  throttledEntries: number;
  failedEntries: number;
  refusedCalls: number;
  chunkRetries: number;
  perSecond?: number;
  secondsLeft?: number;
}

let nextStates: Map<string, string> | undefined;

/** The checkpointed step (Plan, AdvanceRound, CheckMetrics) a resumed part goes on after (resume.ts). */
function checkpointBefore(state: string): string | undefined {
  nextStates ??= new Map(
    Object.entries(
      (JSON.parse(readDefinitionTemplate()) as { States: Record<string, { Next?: string }> }).States,
    )
      .filter(([name, each]) => CHECKPOINT_STEPS.includes(name) && each.Next)
      .map(([name, each]) => [each.Next ?? '', name]),
  );
  return nextStates.get(state);
}
const CHECKPOINT_STEPS = ['Plan', 'AdvanceRound', 'CheckMetrics'];

/** What a run's files say so far. */
export interface RunFacts {
  events: EngineEventShape[];
  /** The written summary (summary.json), once the run (or a part of it) ended. */
  summary?: RunSummary;
  /** Why summary.json, which is there, cannot be shown (torn, or not a summary of this version). */
  summaryProblem?: string;
  /** The summary so far, from the last run state in the events (the run is still going). */
  live?: RunSummary;
  stats: ReturnType<typeof statsFromEvents>;
  progress: ProgressView;
  /** The runner's progress lines, as a terminal without a TTY would show them. */
  lines: string[];
  ended: boolean;
}

// The handler log lines the progress reads (as log-tap.ts): the others are not parsed at all.
// The log lines the progress model counts (delivered and re-queued come from "chunk put"), as JSON
// strings, to skip the others without parsing them.
const PROGRESS_LOGS = PROGRESS_LOG_MESSAGES.map((message) => JSON.stringify(message));
// Lines kept for the page: the start of a run and its last rounds.
const MAX_LINES = 200;

/** Follows one run's folder: events.jsonl, functions.log.jsonl (for live throttling) and summary.json. */
export class RunWatch {
  readonly events: EngineEventShape[] = [];
  private readonly eventTail: LineTail;
  private readonly logTail: LineTail;
  private readonly lines: string[] = [];
  private clock = 0;
  private progress = this.newProgress();
  /** A resumed part's starting state, until its first state says which checkpoint it went on from. */
  private resumedFrom: RunState | undefined;
  private lastState: RunState | undefined;
  private summary: RunSummary | undefined;
  private summaryProblem: string | undefined;
  private summaryText = '';
  private cachedStats: { count: number; stats: RunFacts['stats'] } | undefined;

  constructor(
    readonly runId: string,
    readonly runDir: string,
  ) {
    this.eventTail = new LineTail(join(runDir, 'events.jsonl'));
    this.logTail = new LineTail(join(runDir, 'functions.log.jsonl'));
  }

  private newProgress(): RunProgress {
    return new RunProgress((text) => this.addLines(text), false, { fastTimers: true, now: () => this.clock });
  }

  /**
   * The events of every part of a run are in one file. A resumed part starts with the checkpoint's
   * state and a progress of its own, set as the runner sets its own (run-session.ts: resumeAfter).
   */
  private follow(event: EngineEventShape): void {
    if (event.type === 'ExecutionStarted' && this.events.length > 0) {
      this.progress.finish();
      this.progress = this.newProgress();
      const input = (event as { input?: unknown }).input;
      this.resumedFrom = isRunState(input) ? input : undefined;
    } else if (this.resumedFrom && event.type === 'StateEntered' && event.index === undefined) {
      // The engine enters a Choice of its own first (ResumeAfterCheckpoint): wait for a state of ours.
      const step = checkpointBefore(event.state?.name ?? '');
      if (step) {
        this.progress.resumeAfter(step, this.resumedFrom);
        this.resumedFrom = undefined;
      }
    }
    this.progress.onEvent(event);
  }

  private addLines(text: string): void {
    this.lines.push(...text.split('\n').filter(Boolean));
    if (this.lines.length > MAX_LINES) this.lines.splice(20, this.lines.length - MAX_LINES);
  }

  private polling: Promise<unknown> = Promise.resolve();

  /** Reads what was written since the last poll, one poll at a time (pages share a watch). */
  poll(withEvents = true): Promise<void> {
    const next = this.polling.then(() => this.pollOnce(withEvents));
    this.polling = next.catch(() => undefined);
    return next;
  }

  /**
   * Without `withEvents` (the runs list), a run with a summary is read from its summary alone: the list
   * does not hold every old run's events in memory.
   */
  private async pollOnce(withEvents: boolean): Promise<void> {
    if (!withEvents) {
      await this.readSummary();
      if (this.summary || this.summaryProblem) return;
    }
    await this.readEvents();
    await this.readSummary();
  }

  private async readEvents(): Promise<void> {
    for (const line of await this.eventTail.read()) {
      const event = parseLine<EngineEventShape>(line);
      if (!event?.type) continue;
      this.clock = event.timestamp ?? this.clock;
      this.follow(event);
      const output = event.state?.output;
      if (event.type === 'StateExited' && isRunState(output)) this.lastState = output;
      this.events.push(event);
    }
    for (const line of await this.logTail.read()) {
      if (!PROGRESS_LOGS.some((message) => line.includes(message))) continue;
      const log = parseLine<Record<string, unknown>>(line);
      if (!log) continue;
      if (typeof log.timestamp === 'string') this.clock = Date.parse(log.timestamp) || this.clock;
      this.progress.onLog(log);
    }
  }

  private async readSummary(): Promise<void> {
    const text = await readFile(join(this.runDir, 'summary.json'), 'utf8').catch(() => '');
    if (text && text !== this.summaryText) {
      const read = readSummaryText(text);
      this.summary = 'summary' in read ? read.summary : undefined;
      this.summaryProblem = 'problem' in read ? read.problem : undefined;
      this.summaryText = text;
    }
  }

  /** Everything the page shows; `now` is the wall clock, for the rate and the time left. */
  facts(now: number, running: boolean): RunFacts {
    const stats =
      this.cachedStats?.count === this.events.length ? this.cachedStats.stats : statsFromEvents(this.events);
    this.cachedStats = { count: this.events.length, stats };
    const model = this.progress.current;
    const started = this.events[0]?.timestamp ?? now;
    return {
      events: this.events,
      ...(this.summary ? { summary: this.summary } : {}),
      ...(this.summaryProblem ? { summaryProblem: this.summaryProblem } : {}),
      ...(running || !this.summary ? { live: this.liveSummary(now - started) } : {}),
      stats,
      progress: {
        phase: model.phase,
        round: model.round,
        roundChunks: model.roundChunks,
        chunksDone: model.chunksDone,
        chunksFailed: model.chunksFailed,
        chunksInFlight: model.chunksInFlight.size,
        roundRecords: model.roundRecords,
        plannedRecords: model.plannedRecords,
        delivered: model.delivered,
        requeued: model.requeued,
        throttledEntries: model.throttledEntries,
        failedEntries: model.failedEntries,
        refusedCalls: model.refusedCalls,
        chunkRetries: model.chunkRetries,
        ...rateAndEstimate(model, running ? now : this.clock),
      },
      lines: [...this.lines],
      ended: this.events.some(
        (event) => event.type.startsWith('Execution') && event.type !== 'ExecutionStarted',
      ),
    };
  }

  /** The summary as it grows: built from the last run state the steps returned (nothing on disk yet). */
  private liveSummary(durationMs: number): RunSummary {
    return buildSummary({
      runId: this.runId,
      status: 'INTERRUPTED',
      ...(this.lastState ? { state: this.lastState } : {}),
      streamName: '',
      outputFiles: [],
      outputBytes: 0,
      deadLetterFiles: [],
      deadLetterManifest: null,
      rejectsFile: null,
      runDir: this.runDir,
      durationMs,
    });
  }
}
