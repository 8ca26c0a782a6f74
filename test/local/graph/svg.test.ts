import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderSvg, runInfoFromEvents } from '../../../local/graph';
import { loadDefinition, syntheticRun } from './events';

const definition = loadDefinition();
const allStates = [...Object.keys(definition.States as object), 'PutBatch'];

interface Rect {
  '@_x': string;
  '@_y': string;
  '@_width': string;
  '@_height': string;
  '@_fill': string;
  '@_stroke': string;
}
interface StateGroup {
  '@_data-state': string;
  '@_data-outcome': string;
  rect: Rect[];
  text: unknown[];
}
interface Path {
  '@_class': string;
  '@_data-from': string;
  '@_data-to': string;
  '@_d': string;
}

function parse(svg: string) {
  const parsed = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['g', 'rect', 'path', 'text'].includes(name),
  }).parse(svg);
  const root = parsed.svg as { g: StateGroup[]; path: Path[] };
  const states = root.g.filter((g) => g['@_data-state'] !== undefined);
  return { states, edges: root.path };
}

const box = (g: StateGroup) => {
  const r = g.rect[0] as Rect;
  return { x: Number(r['@_x']), y: Number(r['@_y']), w: Number(r['@_width']), h: Number(r['@_height']) };
};

describe('renderSvg', () => {
  const svg = renderSvg(definition);
  const { states, edges } = parse(svg);

  it('is well-formed, self-contained XML', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/<script|<image|<foreignObject|@import|@font-face|href=/);
  });

  it('has exactly one box per state of the definition, Map children included', () => {
    expect(states.map((g) => g['@_data-state']).sort()).toEqual([...allStates].sort());
  });

  it('never shows an ARN or a definition placeholder', () => {
    expect(svg).not.toMatch(/arn:|\$\{/);
  });

  it('draws an edge for every Next, Default, Choice and Catch transition', () => {
    const drawn = edges.map((p) => `${p['@_data-from']}->${p['@_data-to']} ${p['@_class']}`);
    for (const expected of [
      'Plan->AnythingToLoad edge edge-next',
      'AnythingToLoad->LoadChunks edge edge-default',
      'AnythingToLoad->AllRecordsAccountedFor edge edge-choice',
      'Plan->DescribeRefusal edge edge-catch',
      'DescribeRefusal->InputRefused edge edge-next',
      'LoadChunks->AdvanceRound edge edge-next',
      'MoreRounds->WaitBeforeRequeue edge edge-choice',
      'MoreRounds->CheckMetrics edge edge-default',
      'CheckMetrics->MetricsStillLagging edge edge-catch',
      'AllRecordsAccountedFor->RecordsDeadLettered edge edge-choice',
      'AllRecordsAccountedFor->Loaded edge edge-default',
    ]) {
      expect(drawn).toContain(expected);
    }
    expect(svg).toContain('$.round.next == &quot;requeue&quot;');
    expect(svg).toContain('Catch: MetricsLaggingError');
  });

  it('draws the re-queue loop from WaitBeforeRequeue back to LoadChunks beside every box it passes', () => {
    const loop = edges.find(
      (p) => p['@_data-from'] === 'WaitBeforeRequeue' && p['@_data-to'] === 'LoadChunks',
    );
    expect(loop?.['@_class']).toContain('edge-back');
    // The path runs out of the source's side, up a vertical lane (its first Q control point), into the target.
    const lane = Number(/Q([\d.]+)/.exec(loop?.['@_d'] ?? '')?.[1]);
    const boxes = Object.fromEntries(states.map((g) => [g['@_data-state'], box(g)]));
    const right = (name: string) => (boxes[name]?.x ?? 0) + (boxes[name]?.w ?? 0);
    const left = (name: string) => boxes[name]?.x ?? 0;
    const passed = ['LoadChunks', 'AdvanceRound', 'MoreRounds', 'WaitBeforeRequeue', 'CheckMetrics'];
    // On whichever side the layout puts it, the lane clears every box of the rows it climbs.
    const outside = passed.every((name) => lane > right(name)) || passed.every((name) => lane < left(name));
    expect(outside).toBe(true);
  });

  it('lays the states out top to bottom without overlapping boxes, and PutBatch inside LoadChunks', () => {
    const boxes = states.map((g) => ({ name: g['@_data-state'], ...box(g) }));
    const inside = (a: (typeof boxes)[number], b: (typeof boxes)[number]) =>
      a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
    const map = boxes.find((b) => b.name === 'LoadChunks');
    const put = boxes.find((b) => b.name === 'PutBatch');
    expect(map && put && inside(put, map)).toBe(true);
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b || (a === put && b === map) || (a === map && b === put)) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap ? `${a.name} overlaps ${b.name}` : 'apart').toBe('apart');
      }
    }
    const y = (name: string) => boxes.find((b) => b.name === name)?.y ?? 0;
    expect(y('Plan')).toBeLessThan(y('LoadChunks'));
    expect(y('LoadChunks')).toBeLessThan(y('AdvanceRound'));
    expect(y('AllRecordsAccountedFor')).toBeLessThan(y('Loaded'));
  });

  it('with a run, colours each box by its outcome and shows counts, a legend and the run in the title', () => {
    const run = runInfoFromEvents('run-20240101-abcd', syntheticRun());
    const colored = renderSvg(definition, run);
    expect(XMLValidator.validate(colored)).toBe(true);
    const outcome = Object.fromEntries(parse(colored).states.map((g) => [g['@_data-state'], g]));
    const fill = (name: string) => outcome[name]?.rect[0]?.['@_fill'];
    expect(outcome.PutBatch?.['@_data-outcome']).toBe('failed');
    expect(fill('PutBatch')).toBe('#fce8e6');
    expect(outcome.LoadChunks?.['@_data-outcome']).toBe('caught');
    expect(fill('LoadChunks')).toBe('#fef7e0');
    expect(fill('Plan')).toBe('#e6f4ea');
    expect(fill('DescribeRefusal')).toBe('#f1f3f4');
    expect(colored).toContain('entered 4 · ok 3 · failed 1');
    expect(colored).toContain('retried 2');
    expect(colored).toContain('iterations: 3 ok · 1 failed');
    expect(colored).toContain('Run run-20240101-abcd · SUCCEEDED');
    for (const label of ['succeeded', 'failed', 'caught / retried', 'not run'])
      expect(colored).toContain(`>${label}<`);
  });

  it('escapes names that are not safe in XML', () => {
    const odd = renderSvg({ StartAt: 'A<&>"B\'', States: { 'A<&>"B\'': { Type: 'Succeed' } } });
    expect(XMLValidator.validate(odd)).toBe(true);
    expect(odd).toContain('A&lt;&amp;&gt;&quot;B&apos;');
  });

  it('draws a state that loops to itself and states no edge reaches', () => {
    const odd = renderSvg({
      StartAt: 'Poll',
      States: { Poll: { Type: 'Wait', Seconds: 1, Next: 'Poll' }, Orphan: { Type: 'Succeed' } },
    });
    expect(XMLValidator.validate(odd)).toBe(true);
    expect(parse(odd).states).toHaveLength(2);
    expect(odd).toContain('class="edge edge-next edge-back" data-from="Poll" data-to="Poll"');
  });
});
