import { buildSummary } from '../../../local/console/server/local-runs';
import { readSummaryText } from '../../../local/console/server/summary-check';

const summary = buildSummary({
  runId: 'run-20260101-000000-test',
  status: 'SUCCEEDED',
  streamName: 'stream',
  outputFiles: [],
  outputBytes: 0,
  deadLetterFiles: [],
  deadLetterManifest: null,
  rejectsFile: null,
  runDir: '/tmp/run',
  durationMs: 1000,
});

describe('reading a summary.json', () => {
  test('a summary the runner wrote is read as it is', () => {
    expect(readSummaryText(JSON.stringify(summary, null, 2))).toEqual({ summary });
  });

  test.each([
    ['{"runId":"x","sta', /^summary\.json is not JSON \(.+\)$/],
    ['[1,2]', /^summary\.json is not a JSON object$/],
    ['{"status":"DONE"}', /^summary\.json has no run status \(got "DONE"\)$/],
    ['{"status":"SUCCEEDED"}', /^summary\.json has no records field$/],
    ['{"status":"FAILED","records":{"input":"3"}}', /^summary\.json has no number at records\.input$/],
  ])('%s is named by its first problem', (text, problem) => {
    const read = readSummaryText(text);
    expect('problem' in read ? read.problem : 'read as a summary').toMatch(problem);
  });

  test('a summary without one of the sections the page shows is named by that section', () => {
    const { plan: _plan, ...withoutPlan } = summary;
    expect(readSummaryText(JSON.stringify(withoutPlan))).toEqual({
      problem: 'summary.json has no plan field',
    });
  });
});
