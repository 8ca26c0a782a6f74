import { renderMermaid, runInfoFromEvents } from '../../../local/graph';
import { loadDefinition, syntheticRun } from './events';

const definition = loadDefinition();
const topLevel = Object.keys(definition.States as object);

describe('renderMermaid', () => {
  const text = renderMermaid(definition);

  it('is a top-down flowchart with a node for every state of the definition', () => {
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    for (const name of [...topLevel, 'PutBatch'])
      expect(text).toMatch(new RegExp(`^\\s*(subgraph )?${name}[("{\\[]`, 'm'));
  });

  it('draws the Distributed Map as a subgraph that contains its ItemProcessor states', () => {
    const subgraph = /subgraph LoadChunks\["(.*)"\]\n([\s\S]*?)\n\s*end\n/.exec(text);
    expect(subgraph?.[1]).toContain('Distributed Map');
    expect(subgraph?.[2]).toContain('PutBatch(');
  });

  it('has the Next, Default, Choice and Catch edges, Catch dashed with its errors, Choice with its condition', () => {
    expect(text).toContain('Plan --> AnythingToLoad');
    expect(text).toContain('AnythingToLoad -->|"Default"| LoadChunks');
    expect(text).toContain('WaitBeforeRequeue --> LoadChunks');
    expect(text).toContain('MoreRounds -->|"$.round.next == #quot;requeue#quot;"| WaitBeforeRequeue');
    expect(text).toContain('MoreRounds -->|"Default"| CheckMetrics');
    expect(text).toContain('AllRecordsAccountedFor -->|"$.totals.deadLettered #gt; 0"| RecordsDeadLettered');
    expect(text).toContain('Plan -.->|"Catch: InvalidInputError, MalformedSourceError"| DescribeRefusal');
    expect(text).toContain('CheckMetrics -.->|"Catch: MetricsLaggingError"| MetricsStillLagging');
  });

  it('shows retries on the node label and never an ARN or a placeholder', () => {
    expect(text).toContain('retry: ChunkThrottledError, TransientAwsError, ChunkInProgressError ×2');
    expect(text).toContain('retry: MetricsLaggingError ×8');
    expect(text).not.toMatch(/arn:|\$\{/);
  });

  it('with a run, gives each state its outcome class and its counts', () => {
    const run = runInfoFromEvents('run-1', syntheticRun());
    const colored = renderMermaid(definition, run);
    expect(colored).toMatch(/classDef failed fill:#fce8e6/);
    expect(colored).toMatch(/^\s*class .*\bPutBatch\b.* failed$/m);
    expect(colored).toMatch(/^\s*class .*\bDescribeRefusal\b.* not_run$/m);
    expect(colored).toMatch(/^\s*class .*\bCheckMetrics\b.* caught$/m);
    expect(colored).toMatch(/^\s*style LoadChunks fill:#fef7e0/m);
    expect(colored).toContain('entered 4 · ok 3 · failed 1<br/>retried 2<br/>iterations: 3 ok · 1 failed');
  });

  it('escapes state names and conditions that Mermaid would read as syntax', () => {
    const odd = renderMermaid({
      StartAt: 'a "b" #1 <c>',
      States: {
        'a "b" #1 <c>': {
          Type: 'Choice',
          Choices: [{ Variable: '$.x', StringEquals: 'y|z', Next: 'end' }],
          Default: 'end',
        },
        end: { Type: 'Succeed' },
      },
    });
    expect(odd).toContain('a #quot;b#quot; #35;1 #lt;c#gt;');
    expect(odd).toContain('"$.x == #quot;y#124;z#quot;"');
    expect(odd).not.toMatch(/^\s*end\(/m);
  });
});
