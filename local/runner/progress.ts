import { SingleBar } from 'cli-progress';
import type { RunState } from '../../functions/shared/run-state';
import type { EngineEventShape } from './execute-definition';

/**
 * Live progress of a local run on stderr: a bar per round of chunks (on a terminal) or a line per step,
 * with counts of state-machine retries and re-queued entries. It reads only the engine's event log.
 */
export class RunProgress {
  private bar: SingleBar | undefined;
  private done = 0;
  private failed = 0;
  private retries = 0;
  private lastLinePercent = -1;
  private roundNumber = 0;
  private roundChunks = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly interactive: boolean,
  ) {}

  onEvent(event: EngineEventShape): void {
    const name = event.state?.name ?? event.parentState?.name;
    if (event.type === 'StateEntered' && name === 'Plan') this.line('planning the source file…');
    if (event.type === 'StateExited' && (name === 'Plan' || name === 'AdvanceRound')) {
      this.afterStep(name, event.state?.output as RunState | undefined);
    }
    if (event.type === 'MapIterationSucceeded') this.tick(false);
    if (event.type === 'MapIterationFailed') this.tick(true);
    if (event.type === 'StateRetried') {
      this.retries += 1;
      this.bar?.update(this.done, { retries: this.retries });
    }
    if (event.type === 'StateEntered' && name === 'CheckMetrics') this.line('checking CloudWatch metrics…');
  }

  /** A resumed run starts after this step's checkpoint: show the round it goes on with. */
  resumeAfter(step: string, state: RunState): void {
    this.line(`resuming after ${step} (round ${state.round.number})…`);
    if (step === 'Plan' || step === 'AdvanceRound') this.afterStep(step, state);
  }

  private afterStep(step: string, state: RunState | undefined): void {
    this.stopBar();
    if (!state?.plan) return;
    if (step === 'Plan') {
      const p = state.plan;
      this.line(
        `planned ${p.records.toLocaleString('en-US')} records (${p.rejected} rejected) into ${p.chunks} chunks: ` +
          `${p.batchChunks} PutRecordBatch, ${p.individualChunks} of PutRecord`,
      );
    } else {
      const t = state.totals;
      this.line(
        `round ${this.roundNumber} done: ${t.delivered.toLocaleString('en-US')} delivered so far, ` +
          `${t.requeued} entries re-queued, ${t.throttledEntries} throttled, ${this.retries} retries` +
          (state.round.next === 'requeue'
            ? `; round ${state.round.number} will resend ${state.round.records} records`
            : ''),
      );
    }
    this.startRound(
      state.round.number,
      state.round.next === 'requeue' || step === 'Plan' ? state.round.chunks : 0,
    );
  }

  private startRound(number: number, chunks: number): void {
    this.roundNumber = number;
    this.roundChunks = chunks;
    this.done = 0;
    this.failed = 0;
    this.lastLinePercent = -1;
    if (chunks === 0 || !this.interactive) return;
    this.bar = new SingleBar({
      format: `round ${number} chunks [{bar}] {value}/{total}  failed {failed}  retries {retries}`,
      stream: { write: (text: string) => this.write(text), isTTY: true } as unknown as NodeJS.WritableStream,
      hideCursor: true,
    });
    this.bar.start(chunks, 0, { failed: 0, retries: this.retries });
  }

  private tick(failed: boolean): void {
    this.done += 1;
    if (failed) this.failed += 1;
    if (this.bar) {
      this.bar.update(this.done, { failed: this.failed, retries: this.retries });
      return;
    }
    const percent = this.roundChunks ? Math.floor((this.done / this.roundChunks) * 10) * 10 : 100;
    if (percent !== this.lastLinePercent) {
      this.lastLinePercent = percent;
      this.line(
        `round ${this.roundNumber}: ${this.done}/${this.roundChunks} chunks (${this.failed} failed, ${this.retries} retries)`,
      );
    }
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  line(text: string): void {
    this.stopBar();
    this.write(`${text}\n`);
  }
}
