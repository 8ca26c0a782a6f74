#!/usr/bin/env node
/**
 * The CDK app (cdk.json `app`). Settings come from cdk.json context (`firehose-loader:*`), which
 * `cdk synth -c firehose-loader:<setting>=<value>` overrides. The stack is environment-agnostic
 * unless CDK_DEFAULT_ACCOUNT/REGION are set, so `cdk synth` works offline without credentials.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FirehoseLoaderStack } from '../lib/firehose-loader-stack';
import { writeSampleFolder } from '../lib/loader-sample';
import { DEFAULT_STACK_NAME, resolveSettings, settingsFromContext } from '../lib/settings';

async function main(): Promise<void> {
  const app = new App();
  const settings = resolveSettings(settingsFromContext(app.node));
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;

  // `-c firehose-loader:name=team-b` deploys a second, independent stack named team-b.
  new FirehoseLoaderStack(app, settings.name || DEFAULT_STACK_NAME, {
    description:
      'firehose-loader: loads a file of records from S3 into Amazon Data Firehose with Step Functions',
    ...(account && region ? { env: { account, region } } : {}),
    settings,
    sampleFolder: await writeSampleFolder(settings.sampleKey, settings.sampleRecords),
  });

  // Every synth is checked against the AwsSolutions pack; an unacknowledged finding fails the synth.
  // `-c firehose-loader:nag=false` skips it (e.g. for a quick look at the template).
  const nag = app.node.tryGetContext('firehose-loader:nag');
  if (nag !== false && nag !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
