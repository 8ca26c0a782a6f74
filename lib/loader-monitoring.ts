import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The custom metrics AdvanceRound publishes per round (functions/advance-round/advance.ts). */
export const CUSTOM_METRICS = {
  delivered: 'DeliveredRecords',
  requeued: 'RequeuedRecords',
  deadLettered: 'DeadLetteredRecords',
  // A PutRecordBatch response field, not an AWS/Firehose metric: the job publishes it itself.
  failedPutCount: 'FailedPutCount',
} as const;

// AWS/Firehose metrics are published per minute and arrive 1–3 minutes late; 5-minute sums smooth that.
const PERIOD = Duration.minutes(5);
// Rates against the quota use the finest AWS/Firehose period: a 5-minute average hides a load's shape.
const RATE_PERIOD = Duration.minutes(1);

export interface LoaderMonitoringProps {
  /** Dimension `DeliveryStreamName` of the AWS/Firehose and the custom metrics. */
  readonly deliveryStreamName: string;
  readonly stateMachine: IStateMachine;
  /** Namespace AdvanceRound publishes to. */
  readonly metricsNamespace: string;
  /** Where alarms notify (e.g. an SNS topic action). @default alarms without actions, visible in the console */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /** @default a name CloudFormation generates */
  readonly dashboardName?: string;
}

/** Alarms on throttling, dead letters and failed executions, and one dashboard of a load. */
export class LoaderMonitoring extends Construct {
  public readonly throttledRecordsAlarm: cloudwatch.Alarm;
  public readonly deadLetteredRecordsAlarm: cloudwatch.Alarm;
  public readonly executionsFailedAlarm: cloudwatch.Alarm;
  public readonly dashboard: cloudwatch.Dashboard;

  // Over 60 lines on purpose: the alarms and the dashboard's widgets as one declarative list, each
  // next to the metric it reads; splitting it would only pass the same metrics around.
  constructor(scope: Construct, id: string, props: LoaderMonitoringProps) {
    super(scope, id);
    const dimensionsMap = { DeliveryStreamName: props.deliveryStreamName };
    // Alarms get plain metrics (a label would turn them into metric-math alarms); graphs add labels.
    const sum = (namespace: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap,
        statistic: cloudwatch.Stats.SUM,
        period: PERIOD,
      });
    const firehose = (metricName: string) => sum('AWS/Firehose', metricName);
    const custom = (metricName: string) => sum(props.metricsNamespace, metricName);
    const labelled = (metric: cloudwatch.Metric, label: string) => metric.with({ label });

    const throttled = firehose('ThrottledRecords');
    const deadLettered = custom(CUSTOM_METRICS.deadLettered);
    const failed = props.stateMachine.metricFailed({ period: PERIOD, statistic: cloudwatch.Stats.SUM });

    // Any count above zero is worth a look; no data means no load ran, which is fine.
    const anyAboveZero = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.alarmAction) alarm.addAlarmAction(props.alarmAction);
      return alarm;
    };
    this.throttledRecordsAlarm = anyAboveZero(
      'ThrottledRecords',
      throttled,
      'Firehose throttled records: the stream is at its Direct PUT quota. Lower maxConcurrency or ask for a quota raise.',
    );
    this.deadLetteredRecordsAlarm = anyAboveZero(
      'DeadLetteredRecords',
      deadLettered,
      'Records were dead-lettered after every re-queue round; the execution output names the file to rerun.',
    );
    this.executionsFailedAlarm = anyAboveZero(
      'ExecutionsFailed',
      failed,
      'A loader execution failed (refused input, dead letters or an error); see its execution in the Step Functions console.',
    );

    const graph = (title: string, left: cloudwatch.IMetric[], right?: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, ...(right ? { right } : {}), width: 12, height: 6 });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      graph(
        'Incoming records and bytes (AWS/Firehose)',
        [labelled(firehose('IncomingRecords'), 'Incoming records')],
        [labelled(firehose('IncomingBytes'), 'Incoming bytes')],
      ),
      graph('Throttling and failed puts', [
        labelled(throttled, 'Throttled records'),
        labelled(custom(CUSTOM_METRICS.failedPutCount), 'FailedPutCount'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Chunk outcomes (records)', [
        labelled(custom(CUSTOM_METRICS.delivered), 'Delivered'),
        labelled(custom(CUSTOM_METRICS.requeued), 'Re-queued'),
        labelled(deadLettered, 'Dead-lettered'),
      ]),
      graph('Executions', [
        props.stateMachine.metricStarted({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        props.stateMachine.metricSucceeded({ period: PERIOD, statistic: cloudwatch.Stats.SUM }),
        failed,
      ]),
    );
    this.dashboard.addWidgets(...this.rateAgainstQuotaWidgets(dimensionsMap));
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [this.throttledRecordsAlarm, this.deadLetteredRecordsAlarm, this.executionsFailedAlarm],
        width: 24,
        height: 3,
      }),
    );
  }

  /**
   * Achieved rate against each of the stream's three limits (the Firehose guide's alarm recommendation:
   * Incoming* per second approaching *PerSecondLimit): what the job paces to, and how close it gets.
   */
  private rateAgainstQuotaWidgets(dimensionsMap: Record<string, string>): cloudwatch.GraphWidget[] {
    const pairs = [
      ['Bytes per second', 'IncomingBytes', 'BytesPerSecondLimit'],
      ['Records per second', 'IncomingRecords', 'RecordsPerSecondLimit'],
      ['Put requests per second', 'IncomingPutRequests', 'PutRequestsPerSecondLimit'],
    ] as const;
    return pairs.map(([title, incoming, limit]) => {
      const metric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Firehose',
          metricName,
          dimensionsMap,
          statistic,
          period: RATE_PERIOD,
        });
      const achieved = new cloudwatch.MathExpression({
        expression: 'incoming / PERIOD(incoming)',
        usingMetrics: { incoming: metric(incoming, cloudwatch.Stats.SUM) },
        label: `Achieved (${incoming} per second)`,
        period: RATE_PERIOD,
      });
      return new cloudwatch.GraphWidget({
        title: `${title}: achieved vs the stream's quota`,
        left: [achieved, metric(limit, cloudwatch.Stats.MINIMUM).with({ label: limit })],
        leftYAxis: { min: 0 },
        width: 8,
        height: 6,
      });
    });
  }
}
