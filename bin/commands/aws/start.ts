import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { type S3Location, s3Uri, uploadKey } from './arns';
import { type AwsDeps, defaultDeps } from './deps';
import { AwsCliError, type ErrorContext } from './errors';
import { reportingErrors } from './guard';
import { type LaunchOptions, launch, stateMachineOf } from './launch';
import { type AwsTargetOptions, requireSetting } from './settings';
import { completeTarget, type StackOption } from './target';

export interface StartOptions extends AwsTargetOptions, StackOption, LaunchOptions {
  /** The execution input as JSON; `{}` loads the deployed sample with every default. */
  input?: string;
  /** A local file to upload to the source bucket and load (sets `source`, other input fields kept). */
  file?: string;
}

/** `start`: upload a file if given, start an execution, optionally follow it to its summary. */
export async function startCommand(options: StartOptions, deps: AwsDeps = defaultDeps()): Promise<number> {
  const context: ErrorContext = {};
  return reportingErrors(deps, context, async () => {
    const input = parseInput(options.input);
    const target = await completeTarget(options, deps, [
      'stateMachineArn',
      ...(options.file ? (['sourceBucket'] as const) : []),
    ]);
    if (options.file) {
      // Checked before the upload, so a wrong ARN does not leave an orphan object behind.
      const { region } = stateMachineOf(target, context);
      const bucket = requireSetting(target, 'sourceBucket');
      const source = await uploadFile(deps.s3(region), options.file, bucket, deps.now());
      deps.stderr(`uploaded ${options.file} to ${s3Uri(source)}\n`);
      input.source = source;
    }
    return launch(input, target, options, deps, context);
  });
}

/** The --input text as a JSON object; Plan validates the fields and names any that are wrong. */
export function parseInput(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AwsCliError(`--input is not JSON (${error instanceof Error ? error.message : error}): ${text}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AwsCliError(`--input must be a JSON object such as {} or {"pack":true}, got ${text}`);
  return value as Record<string, unknown>;
}

/** Streams the file to `inputs/<timestamp>-<basename>`; lib-storage switches to multipart above 5 MiB. */
export async function uploadFile(s3: S3Client, file: string, bucket: string, now: Date): Promise<S3Location> {
  const isFile = await stat(file).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!isFile) throw new AwsCliError(`cannot read --file ${file}: no such file`);
  const key = uploadKey(now, basename(file));
  await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
  }).done();
  return { bucket, key };
}
