import { DescribeExecutionCommand, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import type { AwsMapRunInfo, AwsRunPage } from '../aws/aws-runs';
import { readAwsSummaries } from '../aws/aws-runs';
import { type AwsDataContext, awsRunRoute, awsRunsRoute, executionArnOf } from '../aws/routes';
import { type RunSummary, type StateStats, statsFromEvents } from './local-runs';

/** A row of the runs list for an execution on AWS: the local row's fields, read-only, with its console link. */
export interface AwsRunRow {
  runId: string;
  status: string;
  startedAt: number | null;
  durationMs: number | null;
  /** Null until the execution's summary is read (its history). */
  records: Pick<
    RunSummary['records'],
    'input' | 'delivered' | 'deadLettered' | 'rejected' | 'pending'
  > | null;
  calls: number | null;
  canRerun: false;
  canResume: false;
  aws: { executionArn: string; consoleUrl: string };
}

export interface AwsRunDetail extends Omit<AwsRunRow, 'aws'> {
  eventCount: number;
  facts: {
    summary?: RunSummary;
    live?: RunSummary;
    stats: Record<string, StateStats>;
    progress: ReturnType<typeof progressOf>;
    lines: string[];
    ended: boolean;
  };
  aws: AwsRunRow['aws'] & { mapRuns: AwsMapRunInfo[] };
}

const isRunning = (status: string | undefined) => status === 'RUNNING';
/** What changes while an execution runs or is redriven: a finished one with the same key is read once. */
const keyOf = (execution: Pick<DescribeExecutionOutput, 'status' | 'stopDate' | 'redriveCount'>) =>
  `${execution.status}|${execution.stopDate?.toISOString() ?? ''}|${execution.redriveCount ?? 0}`;

/**
 * The executions of the deployed state machine as the console's runs: listed with ListExecutions, each
 * page read with the CLI's own readers (aws/aws-runs.ts). A finished execution is read once and kept;
 * a running one is read again on each poll. Nothing here changes anything on AWS.
 */
export class AwsRuns {
  private readonly summaries = new Map<string, { key: string; summary: RunSummary }>();
  private readonly pages = new Map<
    string,
    { key: string; page: AwsRunPage; execution: DescribeExecutionOutput }
  >();

  constructor(readonly context: AwsDataContext) {}

  /** The newest page of executions (50), with the summaries of those not read yet. */
  async list(): Promise<AwsRunRow[]> {
    const { runs } = await awsRunsRoute(this.context, {});
    const stale = runs.filter((run) => this.summaries.get(run.executionArn)?.key !== keyOf(describedOf(run)));
    // No destination bucket: listing everything Firehose wrote per execution is for the run page only.
    const { destinationBucket: _skip, ...target } = this.context.target;
    const read = await readAwsSummaries(
      this.context.deps,
      target,
      stale.map((run) => run.executionArn),
    );
    for (const run of stale) {
      const summary = read[run.executionArn];
      if (summary) this.summaries.set(run.executionArn, { key: keyOf(describedOf(run)), summary });
    }
    return runs.map((run) => {
      const summary = this.summaries.get(run.executionArn)?.summary;
      const startedAt = run.startDate ? Date.parse(run.startDate) : null;
      return {
        runId: run.runId,
        status: run.status,
        startedAt,
        durationMs:
          run.durationMs ?? (startedAt !== null ? this.context.deps.now().getTime() - startedAt : null),
        records: summary ? recordsOf(summary) : null,
        calls: summary ? summary.firehose.putRecordCalls + summary.firehose.putRecordBatchCalls : null,
        canRerun: false,
        canResume: false,
        aws: { executionArn: run.executionArn, consoleUrl: run.consoleUrl },
      };
    });
  }

  /** One execution's page: read again while it runs, kept once it has ended. */
  async page(runId: string): Promise<{ page: AwsRunPage; execution: DescribeExecutionOutput }> {
    const executionArn = executionArnOf(this.context.target.stateMachineArn, runId);
    const execution = await this.context.deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const cached = this.pages.get(runId);
    if (cached && !isRunning(execution.status) && cached.key === keyOf(execution)) return cached;
    const page = await awsRunRoute(this.context, { id: runId });
    const entry = { key: keyOf(execution), page, execution };
    this.pages.set(runId, entry);
    return entry;
  }

  async detail(runId: string): Promise<{ detail: AwsRunDetail; page: AwsRunPage }> {
    const { page, execution } = await this.page(runId);
    const running = isRunning(page.status);
    const started = execution.startDate?.getTime() ?? null;
    const stopped = execution.stopDate?.getTime();
    const summary = page.summary;
    const detail: AwsRunDetail = {
      runId: page.runId,
      status: page.status,
      startedAt: started,
      durationMs: started === null ? null : (stopped ?? this.context.deps.now().getTime()) - started,
      records: recordsOf(summary),
      calls: summary.firehose.putRecordCalls + summary.firehose.putRecordBatchCalls,
      canRerun: false,
      canResume: false,
      eventCount: page.events.length,
      facts: {
        ...(running ? { live: summary } : { summary }),
        stats: statsFromEvents(page.events),
        progress: progressOf(page),
        lines: [],
        ended: !running,
      },
      aws: { executionArn: page.executionArn, consoleUrl: page.consoleUrl, mapRuns: page.mapRuns },
    };
    return { detail, page };
  }
}

const describedOf = (run: { status: string; stopDate: string | null }) => ({
  status: run.status as DescribeExecutionOutput['status'],
  ...(run.stopDate ? { stopDate: new Date(run.stopDate) } : {}),
});

const recordsOf = (summary: RunSummary) => ({
  input: summary.records.input,
  delivered: summary.records.delivered,
  deadLettered: summary.records.deadLettered,
  rejected: summary.records.rejected,
  pending: summary.records.pending,
});

/** The progress line of an execution: rounds and chunks from its Map Runs' counts, records from its summary. */
export function progressOf(page: AwsRunPage) {
  const last = page.mapRuns.at(-1)?.counts;
  const s = page.summary;
  return {
    phase: isRunning(page.status) ? (last?.running ? 'sending' : 'running') : 'done',
    round: Math.max(0, page.mapRuns.length - 1),
    roundChunks: last?.total ?? 0,
    chunksDone: (last?.succeeded ?? 0) + (last?.failed ?? 0),
    chunksFailed: last?.failed ?? 0,
    chunksInFlight: last?.running ?? 0,
    roundRecords: s.records.input,
    plannedRecords: s.records.input,
    delivered: s.records.delivered,
    requeued: s.records.requeued,
    throttledEntries: s.firehose.throttledEntries,
    failedEntries: s.firehose.failedPutCount,
    refusedCalls: s.firehose.refusedRequests,
    chunkRetries: 0,
  };
}
