import { join } from 'node:path';
import { checkRunForm, formArguments } from '../../../local/console/server/run-form';

describe('the start form is read as the run command line', () => {
  test('each filled field becomes its run option; empty ones keep the CLI defaults', () => {
    expect(
      formArguments({ records: '2550', concurrency: ' 4 ', pack: true, faultRate: '', seed: undefined }),
    ).toEqual(['--records', '2550', '--pack', '--concurrency', '4']);
  });

  test('a relative input path is made absolute, as the run starts in another folder', () => {
    expect(formArguments({ input: 'data/in.json' })).toEqual([
      '--input',
      join(process.cwd(), 'data/in.json'),
    ]);
  });

  test.each([
    ['concurrency', '0', '--concurrency must be a whole number from 1 to 10,000, got "0"'],
    ['faultRate', '1.5', '--fault-rate must be a probability from 0 to 1, got "1.5"'],
    ['requestErrorRate', 'x', '--request-error-rate must be a probability from 0 to 1, got "x"'],
    ['requeueRounds', '-1', '--requeue-rounds must be a whole number'],
    ['format', 'xml', '--format must be one of auto, json, jsonl, lines, got "xml"'],
  ])('a bad %s gets the CLI line next to that field', async (field, value, line) => {
    const check = await checkRunForm({ [field]: value });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors)).toEqual([field]);
    expect(check.errors[field as keyof typeof check.errors]).toContain(line);
  });

  test('a missing input file is refused with the CLI ConfigError line, before anything starts', async () => {
    const check = await checkRunForm({ input: '/no/such/records.json' });
    expect(check).toEqual({
      ok: false,
      errors: { input: 'ConfigError: --input /no/such/records.json: does not exist' },
    });
  });

  test('a good form gives the arguments to start the run with', async () => {
    expect(await checkRunForm({ records: '10', faultRate: '0.5', requeueRounds: '0' })).toEqual({
      ok: true,
      args: ['--records', '10', '--requeue-rounds', '0', '--fault-rate', '0.5'],
    });
  });
});
