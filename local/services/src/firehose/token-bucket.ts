/**
 * A token bucket refilled continuously at `rate` per second, holding at most one second's worth:
 * Firehose quotas are per-second rates, so a burst of up to one second of quota passes at once.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.last = now();
  }

  /** Takes `amount` tokens if they are all there; otherwise takes none. */
  take(amount: number): boolean {
    this.refill();
    if (this.tokens < amount) return false;
    this.tokens -= amount;
    return true;
  }

  /** Gives back tokens taken for work that another quota then refused. */
  refund(amount: number): void {
    this.tokens = Math.min(this.rate, this.tokens + amount);
  }

  /** Changing the rate keeps what is left, capped at the new one-second capacity. */
  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
  }

  private refill(): void {
    const now = this.now();
    // max(0, ...): a clock switched from real to request time starts over at 0.
    this.tokens = Math.min(this.rate, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}

/**
 * The time a stream's token buckets see: real time, or with `msPerRequest` (tests) a clock that moves
 * only by that much per Put request. Then what is throttled depends on the requests alone, never on
 * how fast the machine sends them.
 */
export class QuotaClock {
  private requestMs = 0;

  constructor(private readonly msPerRequest: () => number | undefined) {}

  readonly now = (): number => (this.msPerRequest() === undefined ? performance.now() : this.requestMs);

  /** One Put request arrived. */
  tick(): void {
    this.requestMs += this.msPerRequest() ?? 0;
  }
}
