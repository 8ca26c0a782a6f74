import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { defineRunOptions } from '../../../bin/commands/run-options';
import { LoaderError } from '../../../functions/shared/errors';
import { checkInputFile } from './local-runs';

/**
 * The start form, field by field, and the `run` option each one is. The form is read as the
 * command line `run` would get, and parsed by the same option definitions (bin/commands/run-options.ts),
 * so a bad value gets the CLI's own one-line error, shown next to its field.
 */
export const FORM_FIELDS = {
  input: '--input',
  records: '--records',
  seed: '--seed',
  format: '--format',
  individual: '--individual',
  pack: '--pack',
  concurrency: '--concurrency',
  requeueRounds: '--requeue-rounds',
  faultRate: '--fault-rate',
  requestErrorRate: '--request-error-rate',
  throttleRps: '--throttle-rps',
  latencyMs: '--latency-ms',
} as const;
export type FormField = keyof typeof FORM_FIELDS;

/** What the browser posts: each field as typed (empty: the CLI's default), pack as a checkbox. */
export type RunForm = Partial<Record<FormField, string | boolean>>;

export type FormCheck =
  | { ok: true; args: string[] }
  | { ok: false; errors: Partial<Record<FormField | 'form', string>> };

/** The `run` arguments the form stands for; an input path is made absolute (the run's cwd differs). */
export function formArguments(form: RunForm): string[] {
  const args: string[] = [];
  for (const [field, flag] of Object.entries(FORM_FIELDS) as [FormField, string][]) {
    const value = form[field];
    if (value === undefined || value === false || value === '') continue;
    if (value === true) args.push(flag);
    else args.push(flag, field === 'input' ? resolve(String(value)) : String(value).trim());
  }
  return args;
}

const fieldOfFlag = (flag: string): FormField | 'form' =>
  (Object.entries(FORM_FIELDS).find(([, each]) => each === flag)?.[0] as FormField | undefined) ?? 'form';

/** Parses the arguments as `run` would; the first refusal, with the field it belongs to. */
function parseAsRun(args: string[]): { field: FormField | 'form'; message: string } | undefined {
  const command = defineRunOptions(new Command('run'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    command.parse(args, { from: 'user' });
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const flag = /option '(--[a-z-]+)/.exec(error.message)?.[1] ?? '';
    return { field: fieldOfFlag(flag), message: error.message };
  }
}

/** Checks the form as `run` checks its command line, input file included, before anything starts. */
export async function checkRunForm(form: RunForm): Promise<FormCheck> {
  const args = formArguments(form);
  const refused = parseAsRun(args);
  if (refused) return { ok: false, errors: { [refused.field]: refused.message } };
  if (typeof form.input === 'string' && form.input.trim() !== '') {
    try {
      await checkInputFile(form.input.trim());
    } catch (error) {
      if (!(error instanceof LoaderError)) throw error;
      return { ok: false, errors: { input: `${error.name}: ${error.message}` } };
    }
  }
  return { ok: true, args };
}
