/**
 * One event of an execution as aws-local-stepfunctions' `eventLogs` gives it (StateEntered, StateExited,
 * StateRetried, MapIterationStarted…, ExecutionFailed). A local run writes them to events.jsonl; the AWS
 * CLI converts an execution history into the same shape (bin/commands/aws/history-events.ts), so the
 * graph and the progress display count both with one code.
 */
export interface EngineEventShape {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string; type: string; input: unknown };
  retry?: { attempt: number };
  Error?: string;
  Cause?: unknown;
}
