import { ArnFormat, Aws, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUNS_PREFIX } from '../functions/shared/artifacts';
import {
  buildDefinitionSubstitutions,
  readDefinitionTemplate,
  substituteDefinition,
} from '../statemachine/substitutions';
import { MAP_RESULTS_PREFIX } from './loader-buckets';
import { acknowledge, nagResource } from './nag';
import type { StateMachineLogLevel } from './settings';

/** The Distributed Map's `Label` in loader.asl.json; child execution and redrive ARNs contain it. */
export const DISTRIBUTED_MAP_LABEL = 'LoadChunks';

export interface LoaderStateMachineProps {
  /**
   * Fixed name: the role must name the state machine's own ARN (Distributed Map child executions),
   * and an ARN built from a generated name would be a circular reference.
   */
  readonly stateMachineName: string;
  readonly functions: {
    readonly plan: IFunction;
    readonly putBatch: IFunction;
    readonly advanceRound: IFunction;
    readonly checkMetrics: IFunction;
  };
  /** Holds the chunk manifests (ItemReader) and the Map results (ResultWriter). */
  readonly artifactBucket: IBucket;
  /** The artifact bucket's customer managed key, if any. */
  readonly encryptionKey?: IKey;
  /**
   * ALL (default): every state transition of the parent and of the Express child executions is
   * logged. Express children keep no execution history of their own, so these logs are the only
   * record of a chunk's retries. Execution data is never logged: it holds bucket and key names and
   * would multiply the log volume, and nothing in it is needed to follow a run (the artefacts are in S3).
   */
  readonly logLevel: StateMachineLogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The first group of the stack id's UUID (`arn:…:stack/<name>/<uuid>`): 8 hex digits, new per create. */
export function stackIdSuffix(): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}

/**
 * The Standard workflow from statemachine/loader.asl.json, with the shared substitution builder so
 * the definition is inline in the template. A definition from a string gets no automatic grants:
 * every permission below is written out.
 */
export class LoaderStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  // Over 60 lines on purpose: the substituted definition, log group, role's policy statements and state
  // machine declared together, so what the ASL may call is read next to the permission that allows it.
  constructor(scope: Construct, id: string, props: LoaderStateMachineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { functions, artifactBucket } = props;

    const definition = substituteDefinition(
      readDefinitionTemplate(),
      buildDefinitionSubstitutions({
        planFunctionArn: functions.plan.functionArn,
        putBatchFunctionArn: functions.putBatch.functionArn,
        advanceRoundFunctionArn: functions.advanceRound.functionArn,
        checkMetricsFunctionArn: functions.checkMetrics.functionArn,
        artifactBucketName: artifactBucket.bucketName,
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Log delivery adds each log group to the account's CloudWatch Logs resource policy (5,120
      // characters at most) unless its name starts with /aws/vendedlogs/, which one wildcard covers.
      // The log group outlives the stack when retained: its name ends in a piece of this stack's own
      // id, new on every create, so deploying again after a destroy does not collide with it.
      logGroupName: Fn.join('', [`/aws/vendedlogs/states/${props.stateMachineName}-`, stackIdSuffix()]),
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: `firehose-loader state machine ${props.stateMachineName}`,
    });

    // Built from the name, not from this.stateMachine: the role is a dependency of the state machine.
    const selfArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsArn = (suffix: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${props.stateMachineName}${suffix}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });

    const allFunctions = [functions.plan, functions.putBatch, functions.advanceRound, functions.checkMetrics];
    const runObjects = artifactBucket.arnForObjects(`${RUNS_PREFIX}*`);
    const mapResultObjects = artifactBucket.arnForObjects(`${MAP_RESULTS_PREFIX}*`);
    const versionsOf = (fn: IFunction) => `${fn.functionArn}:*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'InvokeLoaderFunctions',
        actions: ['lambda:InvokeFunction'],
        // Unqualified and qualified (version/alias) ARNs of exactly these four functions.
        resources: allFunctions.flatMap((fn) => [fn.functionArn, versionsOf(fn)]),
      }),
      new iam.PolicyStatement({
        sid: 'StartMapChildExecutions',
        actions: ['states:StartExecution'],
        resources: [selfArn],
      }),
      new iam.PolicyStatement({
        sid: 'ManageMapChildExecutions',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        // Its own executions, and the Map's child executions, named `<name>/<Map label>:<id>`.
        resources: [executionsArn(':*'), executionsArn(`/${DISTRIBUTED_MAP_LABEL}:*`)],
      }),
      new iam.PolicyStatement({
        // A redriven parent redrives only the Map Run's unsuccessful child executions.
        sid: 'RedriveMapRun',
        actions: ['states:RedriveExecution'],
        resources: [executionsArn(`/${DISTRIBUTED_MAP_LABEL}:*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ItemReaderManifests',
        actions: ['s3:GetObject'],
        resources: [runObjects],
      }),
      new iam.PolicyStatement({
        sid: 'ResultWriter',
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [mapResultObjects],
      }),
    ];
    for (const statement of statements) role.addToPrincipalPolicy(statement);
    if (props.encryptionKey) {
      // ItemReader decrypts manifests; ResultWriter encrypts (and, for multipart, decrypts) its files.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ArtifactBucketKey',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
        }),
      );
    }

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      role,
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: props.logLevel === 'ALL' ? sfn.LogLevel.ALL : sfn.LogLevel.ERROR,
        includeExecutionData: false,
      },
    });

    acknowledge(
      role,
      'AwsSolutions-IAM5',
      "Wildcards name what exists only at run time, each within this stack: the functions' versions (:*), this state machine's executions and its Map Run children, the per-run manifests under runs/ and the ResultWriter files under map-results/.",
      [
        ...allFunctions.map((fn) => nagResource(this, versionsOf(fn))),
        nagResource(this, executionsArn(':*')),
        nagResource(this, executionsArn(`/${DISTRIBUTED_MAP_LABEL}:*`)),
        nagResource(this, runObjects),
        nagResource(this, mapResultObjects),
      ],
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5',
      'CloudWatch Logs vended log delivery (logs:CreateLogDelivery, ...) and X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) support no resource-level permissions.',
      ['Resource::*'],
    );
  }
}
