import { ARN, permissionsOf, type Synthesized, synth } from './synth';

const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = ['xray:PutTelemetryRecords *', 'xray:PutTraceSegments *'];

describe('IAM: each role holds exactly what its caller needs', () => {
  let s: Synthesized;
  let source: string;
  let artifacts: string;
  let runs: string;
  beforeAll(async () => {
    s = await synth();
    source = `<${s.id(s.stack.buckets.source)}.Arn>`;
    artifacts = `<${s.id(s.stack.buckets.artifacts)}.Arn>`;
    runs = `${artifacts}/runs/*`;
  });

  const roleOf = (fn: { role?: { node: unknown } | undefined }) => {
    if (!fn.role) throw new Error('function has no role');
    return s.id(fn.role as never);
  };
  const logsOf = (logGroup: { node: unknown }) =>
    LOG_WRITE.map((a) => `${a} <${s.id(logGroup as never)}.Arn>`);
  const sorted = (lines: string[]) => [...lines].sort();

  it('Plan reads and lists the source, reads and writes run artefacts, reads metrics (the stream quota), nothing else', () => {
    const fn = s.stack.functions.plan;
    expect(permissionsOf(s.json, roleOf(fn))).toEqual(
      sorted([
        // The stream's *PerSecondLimit metrics; GetMetricData has no resource scoping.
        'cloudwatch:GetMetricData *',
        `s3:GetObject ${source}/*`,
        `s3:ListBucket ${source}`,
        `s3:GetObject ${runs}`,
        `s3:ListBucket ${artifacts} if {"StringLike":{"s3:prefix":"runs/*"}}`,
        `s3:PutObject ${runs}`,
        `s3:AbortMultipartUpload ${runs}`,
        ...logsOf(fn.logGroup),
        ...XRAY,
      ]),
    );
  });

  it('PutBatch puts to this delivery stream only, reads source ranges, reads and writes run artefacts, and lists the artifact bucket so a pace board not yet written is 404, not 403', () => {
    const fn = s.stack.functions.putBatch;
    const stream = `<${s.id(s.stack.deliveryStream.deliveryStream)}.Arn>`;
    expect(permissionsOf(s.json, roleOf(fn))).toEqual(
      sorted([
        `firehose:PutRecord ${stream}`,
        `firehose:PutRecordBatch ${stream}`,
        `s3:GetObject ${source}/*`,
        `s3:GetObject ${runs}`,
        `s3:PutObject ${runs}`,
        // Unconditional: a grant held to an s3:prefix applies to LIST requests only, not to the GET.
        `s3:ListBucket ${artifacts}`,
        ...logsOf(fn.logGroup),
        ...XRAY,
      ]),
    );
  });

  it('AdvanceRound lists only runs/, reads and writes run artefacts, reads the Map results and the source, and publishes only to its namespace', () => {
    const fn = s.stack.functions.advanceRound;
    expect(permissionsOf(s.json, roleOf(fn))).toEqual(
      sorted([
        `s3:ListBucket ${artifacts} if {"StringLike":{"s3:prefix":"runs/*"}}`,
        `s3:GetObject ${runs}`,
        `s3:GetObject ${artifacts}/map-results/*`,
        `s3:PutObject ${runs}`,
        `s3:AbortMultipartUpload ${runs}`,
        `s3:GetObject ${source}/*`,
        'cloudwatch:PutMetricData * if {"StringEquals":{"cloudwatch:namespace":"FirehoseLoader"}}',
        ...logsOf(fn.logGroup),
        ...XRAY,
      ]),
    );
  });

  it('only AdvanceRound may read the Map results, and only read them: no function writes map-results/ or lists it by a grant of its own (PutBatch lists the whole artifact bucket: key names only)', () => {
    const lines = (fn: { role?: { node: unknown } }) => permissionsOf(s.json, roleOf(fn));
    const touching = (fn: { role?: { node: unknown } }) => lines(fn).filter((l) => l.includes('map-results'));
    const { plan, putBatch, advanceRound, checkMetrics } = s.stack.functions;
    expect(touching(advanceRound)).toEqual([`s3:GetObject ${artifacts}/map-results/*`]);
    for (const fn of [plan, putBatch, checkMetrics]) expect(touching(fn)).toEqual([]);
  });

  it('CheckMetrics can only read metrics (GetMetricData has no resource scoping)', () => {
    const fn = s.stack.functions.checkMetrics;
    expect(permissionsOf(s.json, roleOf(fn))).toEqual(
      sorted(['cloudwatch:GetMetricData *', ...logsOf(fn.logGroup), ...XRAY]),
    );
  });

  it('the state machine invokes exactly the four functions and runs its Distributed Map on runs/ and map-results/', () => {
    const fns = s.stack.functions.all.map((fn) => `<${s.id(fn)}.Arn>`);
    const role = s.id(s.stack.loader.stateMachine.role);
    const machine = 'FirehoseLoader';
    expect(permissionsOf(s.json, role)).toEqual(
      sorted([
        ...fns.flatMap((fn) => [`lambda:InvokeFunction ${fn}`, `lambda:InvokeFunction ${fn}:*`]),
        `states:StartExecution ${ARN('states')}:stateMachine:${machine}`,
        `states:DescribeExecution ${ARN('states')}:execution:${machine}:*`,
        `states:DescribeExecution ${ARN('states')}:execution:${machine}/LoadChunks:*`,
        `states:StopExecution ${ARN('states')}:execution:${machine}:*`,
        `states:StopExecution ${ARN('states')}:execution:${machine}/LoadChunks:*`,
        `states:RedriveExecution ${ARN('states')}:execution:${machine}/LoadChunks:*`,
        `s3:GetObject ${runs}`,
        ...['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map(
          (action) => `${action} ${artifacts}/map-results/*`,
        ),
        // Added by StateMachine for its CloudWatch Logs destination and X-Ray tracing; none has resource scoping.
        ...[
          'logs:CreateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:DescribeLogGroups',
          'logs:DescribeResourcePolicies',
          'logs:GetLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:UpdateLogDelivery',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ].map((action) => `${action} *`),
      ]),
    );
  });

  it('no role of ours is granted an action wildcard or a managed policy', () => {
    const ours = [...s.stack.functions.all.map((fn) => fn.role), s.stack.loader.stateMachine.role];
    for (const role of ours) {
      if (!role) throw new Error('missing role');
      const id = s.id(role);
      for (const line of permissionsOf(s.json, id)) expect(line.split(' ')[0]).not.toContain('*');
      expect(s.json.Resources[id]?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('IAM with a customer managed key', () => {
  let s: Synthesized;
  beforeAll(async () => {
    s = await synth({ encryption: 'KMS' });
  });

  it('the functions that touch S3 and the state machine may use the key to decrypt and generate data keys, nothing more', () => {
    const key = `<${s.id(s.stack.encryptionKey as never)}.Arn>`;
    const { plan, putBatch, advanceRound, checkMetrics } = s.stack.functions;
    for (const role of [plan.role, putBatch.role, advanceRound.role, s.stack.loader.stateMachine.role]) {
      const kms = permissionsOf(s.json, s.id(role as never)).filter((line) => line.startsWith('kms:'));
      expect(kms).toEqual([`kms:Decrypt ${key}`, `kms:GenerateDataKey ${key}`]);
    }
    expect(permissionsOf(s.json, s.id(checkMetrics.role as never)).some((l) => l.startsWith('kms:'))).toBe(
      false,
    );
  });
});
