import { type EngineEventShape, StepName } from '../../functions/shared/run';
import type { RunState } from '../../functions/shared/run-state';
import {
  backingOff,
  chunkFinished,
  type HandlerLogLine,
  handlerLogged,
  newProgressModel,
  Phase,
  type ProgressModel,
  startRound,
} from './progress-model';
import { clockTime, count, counts, statusLines, wrapText } from './progress-text';

export interface RunProgressOptions {
  /** Said once when Firehose first throttles: where the limit comes from and how to change it. */
  throttleHint?: string;
  /** Wait states take no time (tests): no "until" times for them. */
  fastTimers?: boolean;
  /** Terminal width (default: stderr's, else 80). */
  columns?: number;
  /** Tests: the clock. */
  now?: () => number;
}

// A terminal's status block is redrawn at most this often, and at least this often while waiting.
const REDRAW_MS = 100;
const TICK_MS = 500;
// Without a terminal: a line per tenth of a round's chunks, and a backoff line only when it is long.
const PIPE_BACKOFF_MIN_MS = 2_000;

/**
 * Live progress of a local run on stderr. On a terminal a status block says what the job is doing now
 * (sending, backing off until …, waiting before round N, checking metrics), input records delivered,
 * records/s, an estimate, and the Firehose entries refused so far (throttled or failed), wrapped so that
 * nothing is cut; without one, lines at each step. It reads the engine's events and the handlers' log
 * lines (onLog), nothing else.
 */
export class RunProgress {
  private readonly model = newProgressModel();
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastPipeTenth = -1;
  private pipeBackoffUntil = 0;
  private readonly now: () => number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
    private readonly options: RunProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** What the run is doing now, for a display other than the terminal (the console). */
  get current(): Readonly<ProgressModel> {
    return this.model;
  }

  private get width(): number {
    return this.options.columns ?? (process.stderr.columns || 80);
  }

  onEvent(event: EngineEventShape): void {
    const name = event.state?.name ?? event.parentState?.name;
    const m = this.model;
    if (event.type === 'StateEntered' && name === StepName.plan) {
      m.phase = Phase.planning;
      this.line('planning the source file…');
    } else if (event.type === 'StateExited' && (name === StepName.plan || name === StepName.advanceRound)) {
      this.afterStep(name, event.state?.output as RunState | undefined);
    } else if (event.type === 'StateEntered' && name === StepName.loadChunks) {
      m.phase = Phase.sending;
    } else if (event.type === 'MapIterationStarted' && name === StepName.loadChunks) {
      m.sendingSince ??= this.now();
      if (event.index !== undefined) m.chunksInFlight.add(event.index);
    } else if (event.type === 'MapIterationSucceeded' || event.type === 'MapIterationFailed') {
      this.chunkDone(event);
    } else if (event.type === 'StateRetried') {
      if (event.state?.name === StepName.checkMetrics) m.metricsRetries += 1;
      else if (event.state?.name === StepName.putBatch) m.chunkRetries += 1;
    } else if (event.type === 'StateEntered' && name === StepName.advanceRound) {
      m.phase = Phase.totalling;
    } else if (event.type === 'StateEntered' && name === StepName.checkMetrics) {
      m.phase = Phase.checkingMetrics;
      this.line('checking CloudWatch metrics…');
    } else if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') {
      this.executionEnded();
      return;
    }
    this.changed();
  }

  /** A handler's log line (already parsed): chunks' outcomes, live refused entries and calls, backoffs. */
  onLog(line: HandlerLogLine): void {
    const now = this.now();
    const first = handlerLogged(this.model, line, now);
    if (first) {
      const hint = this.options.throttleHint ? `: ${this.options.throttleHint}` : '';
      this.line(`Firehose started throttling ("Slow down.")${hint}`);
    }
    if (this.model.phase === Phase.finishing) return;
    if (!this.interactive && line.message === 'Retrying failed Firehose entries') this.pipeBackoff(now);
    this.changed();
  }

  private chunkDone(event: EngineEventShape): void {
    const output = (event as { output?: unknown }).output as
      | { chunkId?: string; childFailed?: boolean }
      | undefined;
    const failed = event.type === 'MapIterationFailed' || Boolean(output?.childFailed);
    chunkFinished(this.model, event.index, failed ? undefined : output, failed);
    if (this.interactive) return;
    const m = this.model;
    const tenth = m.roundChunks ? Math.floor((m.chunksDone / m.roundChunks) * 10) : 10;
    if (tenth !== this.lastPipeTenth) {
      this.lastPipeTenth = tenth;
      this.line(statusLines(m, this.now(), Number.MAX_SAFE_INTEGER)[0] ?? '');
    }
  }

  private pipeBackoff(now: number): void {
    const off = backingOff(this.model, now);
    if (!off.until || off.until - now < PIPE_BACKOFF_MIN_MS || off.until <= this.pipeBackoffUntil) return;
    if (now < this.pipeBackoffUntil) return;
    this.pipeBackoffUntil = off.until;
    this.line(`round ${this.model.round}: backing off until ${clockTime(off.until)}`);
  }

  /** A resumed run starts after this step's checkpoint: show the round it goes on with. */
  resumeAfter(step: string, state: RunState): void {
    this.line(`resuming after ${step} (round ${state.round.number})…`);
    if (step === StepName.plan || step === StepName.advanceRound) this.afterStep(step, state);
  }

  private afterStep(step: string, state: RunState | undefined): void {
    if (!state?.plan) return;
    const m = this.model;
    if (step === StepName.plan) {
      const p = state.plan;
      m.plannedRecords = p.records;
      startRound(m, state.round.number, state.round.chunks, state.round.records);
      this.line(
        `planned ${count(p.records)} records (${count(p.rejected)} rejected) into ${count(p.chunks)} chunk${p.chunks === 1 ? '' : 's'}: ` +
          `${count(p.batchChunks)} for PutRecordBatch, ${count(p.individualChunks)} sent record by record with PutRecord`,
      );
      return;
    }
    const next = state.round.next === 'requeue';
    const finished = m.round;
    this.line(
      `round ${finished} done (in input records): ${count(state.totals.delivered)} of ` +
        `${count(m.plannedRecords)} delivered so far` +
        (next ? `, ${count(state.round.records)} re-queued for round ${state.round.number}` : ''),
    );
    if (!next) return;
    startRound(m, state.round.number, state.round.chunks, state.round.records);
    m.phase = Phase.waitingBeforeRound;
    m.waitUntil = this.options.fastTimers ? undefined : this.now() + state.round.waitSeconds * 1000;
    this.lastPipeTenth = -1;
    if (!this.interactive) {
      const until = m.waitUntil ? ` until ${clockTime(m.waitUntil)}` : '';
      this.line(`waiting${until} before round ${m.round} (${count(m.roundRecords)} records to resend)`);
    }
  }

  /** A permanent line above the status block. */
  line(text: string): void {
    if (!this.interactive) {
      this.write(`${text}\n`);
      return;
    }
    this.write(`${this.clear()}${wrapText(text, this.width).join('\n')}\n`);
    this.drawn = 0;
    this.draw();
  }

  private changed(): void {
    const still: Phase[] = [Phase.done, Phase.finishing];
    if (!this.interactive || still.includes(this.model.phase)) return;
    this.timer ??= setInterval(() => this.draw(), TICK_MS).unref();
    if (this.now() - this.lastDraw >= REDRAW_MS) this.draw();
  }

  private draw(): void {
    // Starting and planning have a line of their own; the block starts with the first round.
    const quiet: Phase[] = [Phase.done, Phase.finishing, Phase.starting, Phase.planning];
    if (!this.interactive || quiet.includes(this.model.phase)) return;
    const now = this.now();
    this.lastDraw = now;
    const lines = statusLines(this.model, now, this.width);
    this.write(`${this.clear()}${lines.join('\n')}`);
    this.drawn = lines.length;
  }

  /** Moves back to the start of the status block and erases it. */
  private clear(): string {
    if (this.drawn === 0) return '';
    return `\r${this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : ''}\x1b[J`;
  }

  /**
   * The execution has ended, but not the run: calls still in flight (a stop waits for them) and the
   * handler threads' last log lines are still counted, so the final line waits for finish(). The
   * status block is erased now: what the run says next (stopping, salvaging) is written below it.
   */
  private executionEnded(): void {
    if (this.model.phase === Phase.done || this.model.phase === Phase.finishing) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.model.phase = Phase.finishing;
    if (this.interactive) this.write(this.clear());
    this.drawn = 0;
  }

  /**
   * Ends the display: the status block gives way to one line of the final counts. Called once every
   * handler log line of the run has been read (after the environment is disposed, run-session.ts).
   */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.model.phase === Phase.done) return;
    const sent = this.model.sendingSince !== undefined;
    this.model.phase = Phase.done;
    if (!sent) {
      if (this.interactive) this.write(this.clear());
      this.drawn = 0;
      return;
    }
    this.line(`sent: ${counts(this.model, this.now(), false).join(' · ')}`);
  }
}
