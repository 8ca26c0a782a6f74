import type { LambdaHandler, LambdaHandlers } from './local-lambdas';

/** What an invocation meets once the run is stopping; named in no Retry, so nothing retries it. */
export class RunStoppedError extends Error {
  constructor() {
    super('the run is stopping: no new invocation starts');
    this.name = 'RunStopped';
  }
}

/**
 * Lets a run stop sending without losing count: once closed, a new invocation fails at once without
 * running (the engine has been aborted, so nothing it does after that is totalled or kept), while the
 * invocations already running finish and write their outcomes.
 */
export class HandlerGate {
  private readonly running = new Set<Promise<unknown>>();
  private open = true;

  get isOpen(): boolean {
    return this.open;
  }

  wrap(handlers: LambdaHandlers): LambdaHandlers {
    return new Map([...handlers].map(([arn, handler]) => [arn, this.guard(handler)]));
  }

  private guard(handler: LambdaHandler): LambdaHandler {
    return (event: never) => {
      if (!this.open) return Promise.reject(new RunStoppedError());
      const call = handler(event);
      this.running.add(call);
      const forget = () => this.running.delete(call);
      call.then(forget, forget);
      return call;
    };
  }

  close(): void {
    this.open = false;
  }

  /** Waits until no invocation is running (those started while waiting included). */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
