import { backingOff, Phase, type ProgressModel, rateAndEstimate } from './progress-model';

/** The text of the progress display: pure functions of the model and `now`, wrapped to the terminal. */

export const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** A wall-clock time as HH:MM:SS (local time), for "until …". */
export const clockTime = (ms: number) => {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
};

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** What the job is doing now, as the first segments of the status. */
export function activity(model: ProgressModel, now: number): string[] {
  const r = model.round;
  switch (model.phase) {
    case Phase.starting:
      return ['starting'];
    case Phase.planning:
      return ['planning the source file'];
    case Phase.totalling:
      return [`round ${r}: totalling the round`];
    case Phase.waitingBeforeRound:
      return [
        model.waitUntil
          ? `waiting until ${clockTime(model.waitUntil)} before round ${r}`
          : `waiting before round ${r}`,
        `${count(model.roundRecords)} records to resend`,
      ];
    case Phase.checkingMetrics:
      return model.metricsRetries === 0
        ? ['checking CloudWatch metrics']
        : [
            `CloudWatch not caught up yet: check ${model.metricsRetries + 1}` +
              (model.waitUntil && model.waitUntil > now ? ` at ${clockTime(model.waitUntil)}` : ''),
          ];
    case Phase.finishing:
    case Phase.done:
      return ['finishing'];
    default:
      return sending(model, now);
  }
}

function sending(model: ProgressModel, now: number): string[] {
  const off = backingOff(model, now);
  const inFlight = model.chunksInFlight.size;
  const active = Math.max(0, inFlight - off.chunks);
  const until = off.until ? clockTime(off.until) : '';
  const doing =
    off.chunks === 0
      ? `round ${model.round}: sending`
      : active === 0
        ? `round ${model.round}: backing off until ${until}`
        : `round ${model.round}: sending, ${off.chunks} chunks backing off until ${until}`;
  const failed = model.chunksFailed ? `, ${count(model.chunksFailed)} failed` : '';
  return [doing, `${count(model.chunksDone)}/${count(model.roundChunks)} chunks done${failed}`];
}

/** The counts: input records delivered, rate and estimate, then Firehose entries refused. */
export function counts(model: ProgressModel, now: number, estimate = true): string[] {
  const parts = [`${count(model.delivered)}/${count(model.plannedRecords)} records delivered`];
  const { perSecond, secondsLeft } = rateAndEstimate(model, now);
  if (perSecond !== undefined) parts.push(`${count(perSecond)} records/s`);
  if (estimate && secondsLeft !== undefined && secondsLeft > 0)
    parts.push(`about ${duration(secondsLeft)} left`);
  parts.push(
    `entries refused: ${count(model.throttledEntries)} throttled, ${count(model.failedEntries)} failed`,
  );
  if (model.refusedCalls) parts.push(`${count(model.refusedCalls)} calls refused whole`);
  if (model.requeued) parts.push(`${count(model.requeued)} records re-queued`);
  if (model.chunkRetries) parts.push(`${count(model.chunkRetries)} chunk retries`);
  return parts;
}

/**
 * Segments joined by " · " into lines shorter than `width` (a line as wide as the terminal would wrap
 * by itself and break the redraw); a segment longer than a line is broken at spaces.
 */
export function wrapSegments(segments: string[], width: number): string[] {
  const max = Math.max(20, width - 1);
  const lines: string[] = [];
  let current = '';
  for (const segment of segments.flatMap((s) => breakWords(s, max - 2))) {
    const joined = current ? `${current} · ${segment}` : segment;
    if (joined.length <= max) current = joined;
    else {
      lines.push(current);
      current = `  ${segment}`;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** A long sentence in lines shorter than `width`, broken at spaces; continuation lines indented. */
export function wrapText(text: string, width: number): string[] {
  const max = Math.max(20, width - 1);
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const joined = current ? `${current} ${word}` : word;
    if (joined.length <= max || !current) current = joined;
    else {
      lines.push(current);
      current = `  ${word}`;
    }
  }
  if (current) lines.push(current);
  return lines;
}

function breakWords(segment: string, max: number): string[] {
  if (segment.length <= max) return [segment];
  return wrapText(segment, max + 1).map((line) => line.trim());
}

/** The whole status block at `now`. */
export function statusLines(model: ProgressModel, now: number, width: number): string[] {
  const showCounts = model.phase !== Phase.starting && model.phase !== Phase.planning;
  return wrapSegments([...activity(model, now), ...(showCounts ? counts(model, now) : [])], width);
}
