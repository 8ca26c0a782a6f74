import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { FirehoseLoaderStack } from '../../lib/firehose-loader-stack';
import { writeSampleFolder } from '../../lib/loader-sample';
import { DEFAULT_SETTINGS, type LoaderSettings } from '../../lib/settings';

/** Shared by the CDK template tests: synth once per file, read the template as plain JSON. */

export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export interface Synthesized {
  stack: FirehoseLoaderStack;
  template: Template;
  json: TemplateJson;
  /** Logical ID of a construct's CloudFormation resource (its default child for L2s). */
  id(construct: IConstruct): string;
}

export interface TemplateJson {
  Resources: Record<string, CfnResourceJson>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
}

export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

let sampleFolder: Promise<string> | undefined;

/**
 * Builds the stack as `cdk synth` does (cdk.json context, feature flags included) but without
 * bundling the handlers (`aws:cdk:bundling-stacks: []`) and, unless asked, without CDK's built-in
 * CloudFormation validation (most of a synth's time; nag.test.ts runs it once), so a synth stays
 * short.
 */
export async function synth(
  settings: Partial<LoaderSettings> = {},
  options: { cloudFormationValidation?: boolean; stackName?: string } = {},
): Promise<Synthesized> {
  sampleFolder ??= writeSampleFolder(DEFAULT_SETTINGS.sampleKey, DEFAULT_SETTINGS.sampleRecords);
  const folder = await sampleFolder;
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const stack = new FirehoseLoaderStack(app, options.stackName ?? 'FirehoseLoader', {
    settings,
    sampleFolder: settings.sampleKey ? await writeSampleFolder(settings.sampleKey, 10) : folder,
  });
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    json: template.toJSON() as TemplateJson,
    id: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
  };
}

import { flatten } from '../../lib/nag';

export { flatten };

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

interface StatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/**
 * Every permission of a role, one line per action × resource (`s3:GetObject <Bucket.Arn>/runs/*`,
 * plus ` if {condition}`), sorted. Comparing these lines is exact whatever way CDK merged the statements.
 */
export function permissionsOf(json: TemplateJson, roleLogicalId: string): string[] {
  const lines: string[] = [];
  for (const resource of Object.values(json.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = asArray(resource.Properties.Roles as unknown[]).map(flatten);
    if (!roles.includes(`<${roleLogicalId}>`)) continue;
    const document = resource.Properties.PolicyDocument as { Statement: StatementJson[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') throw new Error('only Allow statements are expected');
      const condition = statement.Condition ? ` if ${JSON.stringify(statement.Condition)}` : '';
      for (const action of asArray(statement.Action)) {
        for (const target of asArray(statement.Resource))
          lines.push(`${action} ${flatten(target)}${condition}`);
      }
    }
  }
  return lines.sort();
}

/** A resource's properties; throws if the logical ID is not in the template. */
export function propsOf(json: TemplateJson, logicalId: string): Record<string, unknown> {
  const resource = json.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties;
}

/** The artifact bucket's lifecycle rules. */
export function lifecycleRulesOf(
  json: TemplateJson,
  bucketLogicalId: string,
): { Prefix?: string; ExpirationInDays?: number; Status?: string }[] {
  const config = propsOf(json, bucketLogicalId).LifecycleConfiguration as { Rules: [] } | undefined;
  return config?.Rules ?? [];
}

/** A Lambda function's environment variables. */
export function envOf(json: TemplateJson, functionLogicalId: string): Record<string, string> {
  const environment = json.Resources[functionLogicalId]?.Properties.Environment as
    | { Variables: Record<string, string> }
    | undefined;
  if (!environment) throw new Error(`no Environment on ${functionLogicalId}`);
  return environment.Variables;
}

/** Resources of one type, by logical ID. */
export function resourcesOfType(json: TemplateJson, type: string): [string, CfnResourceJson][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/** A stack's pseudo-parameter ARN prefix as flatten() renders it. */
export const ARN = (service: string) => `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>`;
