/**
 * The state names of statemachine/loader.asl.json that code outside the definition refers to (the
 * runner's checkpoints and progress, the AWS CLI's history reader, the graph, the console). A test
 * checks each is a state of the definition.
 */
export const StepName = {
  plan: 'Plan',
  loadChunks: 'LoadChunks',
  putBatch: 'PutBatch',
  advanceRound: 'AdvanceRound',
  checkMetrics: 'CheckMetrics',
  metricsStillLagging: 'MetricsStillLagging',
  recordsDeadLettered: 'RecordsDeadLettered',
  inputRefused: 'InputRefused',
} as const;
export type StepName = (typeof StepName)[keyof typeof StepName];

/**
 * Error names a run summary may carry besides the functions' error classes (LOADER_ERROR_NAMES in
 * functions/shared/errors.ts) and the States.* / Lambda.* names.
 */
export const RunErrorName = {
  /** The Fail state's error when records were dead-lettered (statemachine/loader.asl.json). */
  deadLettered: 'RecordsDeadLettered',
  /** Local runs only: Firehose accepted records the local destination never received. */
  notDelivered: 'NotDelivered',
} as const;
export type RunErrorName = (typeof RunErrorName)[keyof typeof RunErrorName];

/** The Fail state's error when records were dead-lettered. */
export const DEAD_LETTERED = RunErrorName.deadLettered;
