/**
 * What a Distributed Map's ResultWriter leaves in S3 with only Resource and Parameters set, i.e. the
 * defaults Transformation NONE and OutputType JSON. "ResultWriter (Map)",
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html, says:
 *
 * - NONE "returns the output of the child workflow executions unchanged, in addition to the workflow
 *   metadata"; "Step Functions consolidates all child workflow execution data, such as execution input
 *   and output, ARN, and execution status. It then exports executions with the same status to their
 *   respective files in the specified Amazon S3 location."
 * - The Map state's result is `{ "MapRunArn": ..., "ResultWriterDetails": { "Bucket", "Key" } }`, Key
 *   naming `<Prefix>/<map run id>/manifest.json`.
 *
 * The field lists below follow the page's examples and a published run's files
 * (https://sigpwned.com/2023/04/27/aws-step-functions-distributed-map-resultwriter-example):
 * manifest.json lists `{ Key, Size }` per status (SUCCEEDED_n.json, FAILED_n.json, PENDING_n.json, an
 * empty list when none), and each result file is a JSON array of entries whose `Output` and `Input` are
 * JSON *strings*. Nothing here depends on which statuses list which child, or on redrive details: a
 * chunk without a succeeded result is read from its outcome object.
 */
export interface ResultFileRef {
  Key: string;
  /** Bytes. */
  Size: number;
}

export interface ResultWriterManifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: { FAILED: ResultFileRef[]; PENDING: ResultFileRef[]; SUCCEEDED: ResultFileRef[] };
}

export type ChildStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING';

export interface MapRunResultEntry {
  ExecutionArn: string;
  Name: string;
  /** The child's input as a JSON string; absent when InputDetails.Included is false. */
  Input?: string;
  InputDetails: { Included: boolean };
  /** The child's output as a JSON string (succeeded children only). */
  Output?: string;
  OutputDetails?: { Included: boolean };
  Error?: string;
  Cause?: string;
  StartDate: string;
  StopDate?: string;
  Status: ChildStatus;
}
