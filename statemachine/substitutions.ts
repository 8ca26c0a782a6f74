import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the state machine's definition lives; the CDK stack and the local runner read this one file. */
export const DEFINITION_PATH = join(__dirname, 'loader.asl.json');

/** What the definition refers to by `${Placeholder}`; the CDK stack passes tokens, the local runner fake ARNs. */
export interface DefinitionRefs {
  planFunctionArn: string;
  putBatchFunctionArn: string;
  advanceRoundFunctionArn: string;
  checkMetricsFunctionArn: string;
  artifactBucketName: string;
}

/** The one substitution map builder, shared by the CDK stack and the local runner. */
export function buildDefinitionSubstitutions(refs: DefinitionRefs): Record<string, string> {
  return {
    PlanFunctionArn: refs.planFunctionArn,
    PutBatchFunctionArn: refs.putBatchFunctionArn,
    AdvanceRoundFunctionArn: refs.advanceRoundFunctionArn,
    CheckMetricsFunctionArn: refs.checkMetricsFunctionArn,
    ArtifactBucketName: refs.artifactBucketName,
  };
}

export function readDefinitionTemplate(): string {
  return readFileSync(DEFINITION_PATH, 'utf8');
}

/** Every `${Name}` placeholder in a definition, in order of first appearance. */
export function placeholdersIn(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1] as string))];
}

/** Replaces every placeholder; an unknown one is an error, so a renamed key cannot slip through. */
export function substituteDefinition(definition: string, substitutions: Record<string, string>): string {
  return definition.replace(/\$\{([A-Za-z0-9]+)\}/g, (_match, name: string) => {
    const value = substitutions[name];
    if (value === undefined)
      throw new Error(`state machine definition placeholder \${${name}} has no substitution`);
    return value;
  });
}
