import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { FirehoseLoaderStack } from '../../lib/firehose-loader-stack';
import { writeSampleFolder } from '../../lib/loader-sample';
import { DEFAULT_SETTINGS } from '../../lib/settings';
import { CDK_JSON_CONTEXT, synth } from './synth';

/** Unacknowledged AwsSolutions findings, as `rule @ construct path` lines. */
function findings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`),
  );
}

/** Every acknowledgment in the tree: rule id and reason. */
function acknowledgments(scope: IConstruct): { id: string; reason: string; path: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack with default settings', async () => {
    const { stack } = await synth();
    expect(findings(stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with KMS, DESTROY, access logs and an alarm topic', async () => {
    const { stack } = await synth({
      encryption: 'KMS',
      removalPolicy: 'destroy',
      serverAccessLogs: true,
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:loader-alarms',
    });
    expect(findings(stack)).toEqual([]);
  });

  it('gives every acknowledgment a reason, and acknowledges wildcards one finding at a time', async () => {
    const { stack } = await synth({ encryption: 'KMS', removalPolicy: 'destroy', serverAccessLogs: true });
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ id: ack.id, long: ack.reason.length >= 40 }).toEqual({ id: ack.id, long: true });
      // A bare IAM4/IAM5 acknowledgment would accept any future wildcard or managed policy.
      expect(ack.id).not.toMatch(/^AwsSolutions-IAM[45]$/);
    }
    // Runtime findings are acknowledged only for our functions and CDK's BucketDeployment handler.
    const l1 = acks.filter((a) => a.id === 'AwsSolutions-L1').map((a) => a.path);
    expect(l1).toEqual([
      'FirehoseLoader/Functions',
      expect.stringMatching(/^FirehoseLoader\/Custom::CDKBucketDeployment[0-9A-F]+$/),
    ]);
  });
});

describe('the app as `cdk synth` builds it', () => {
  it('passes cdk-nag and CDK’s built-in CloudFormation validation with nothing left in the validation report', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'firehose-loader-cdk-out-'));
    const app = new App({ outdir, context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    new FirehoseLoaderStack(app, 'FirehoseLoader', {
      settings: DEFAULT_SETTINGS,
      sampleFolder: await writeSampleFolder(DEFAULT_SETTINGS.sampleKey, DEFAULT_SETTINGS.sampleRecords),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    // CDK writes the report whenever a validation plugin ran, as cdk-nag's did: a missing file would
    // mean nothing was checked, so its absence fails the test instead of passing it.
    const reportFile = join(outdir, 'validation-report.json');
    expect(existsSync(reportFile)).toBe(true);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };
    const left = report.pluginReports.flatMap((p) =>
      p.violations.map((v) => `${p.pluginName}: ${v.ruleName}`),
    );
    expect(left).toEqual([]);
  });

  it('fails the synth when a finding is left unacknowledged, so the check above can fail', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'firehose-loader-cdk-out-')) });
    new Bucket(new Stack(app, 'Bare'), 'WithoutTlsPolicy');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
