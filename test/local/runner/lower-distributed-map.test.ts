import {
  type JsonObject,
  lowerDistributedMaps,
  UnsupportedDefinitionError,
} from '../../../local/runner/distributed-map';
import { LOCAL_ITEMS_KEY } from '../../../local/runner/distributed-map/state-keys';
import { readDefinitionTemplate } from '../../../statemachine/substitutions';

const distributedMap = (extra: JsonObject = {}): JsonObject => ({
  Type: 'Map',
  ItemReader: {
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: 'JSONL' },
    Parameters: { Bucket: 'b', 'Key.$': '$.key' },
  },
  ItemSelector: { 'item.$': '$$.Map.Item.Value' },
  ItemProcessor: {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
  },
  ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'results' } },
  ResultPath: '$.mapRun',
  Next: 'After',
  ...extra,
});

const definitionWith = (map: JsonObject): JsonObject => ({
  StartAt: 'Before',
  States: {
    Before: { Type: 'Pass', Next: 'Fan' },
    Fan: map,
    After: { Type: 'Succeed' },
  },
});

describe('lowering a Distributed Map for the local engine', () => {
  it('reads the items first, runs an inline Map over them, then writes the results', () => {
    const { definition, maps } = lowerDistributedMaps(definitionWith(distributedMap()));
    const states = definition.States as Record<string, JsonObject>;
    expect(states.Before?.Next).toBe('Fan.ReadItems');
    expect(states['Fan.ReadItems']).toEqual(
      expect.objectContaining({ Type: 'Task', Parameters: { Bucket: 'b', 'Key.$': '$.key' }, Next: 'Fan' }),
    );
    expect(states.Fan).toEqual(
      expect.objectContaining({
        Type: 'Map',
        ItemsPath: `$.${LOCAL_ITEMS_KEY}`,
        ItemSelector: { 'item.$': '$$.Map.Item.Value' },
        Next: 'Fan.WriteResults',
      }),
    );
    expect(states.Fan).not.toHaveProperty('ItemReader');
    expect(states.Fan).not.toHaveProperty('ResultWriter');
    expect(states['Fan.WriteResults']).toEqual(expect.objectContaining({ Next: 'After' }));
    // Its output is the whole next state (with the Map's ResultPath set), so no ResultPath of its own.
    expect(states['Fan.WriteResults']).not.toHaveProperty('ResultPath');
    expect(maps).toEqual([
      expect.objectContaining({ name: 'Fan', inputType: 'JSONL', resultPathKey: 'mapRun' }),
    ]);
  });

  it('keeps the other items running when one fails, as a 100% failure tolerance does on AWS', () => {
    const { definition } = lowerDistributedMaps(
      definitionWith(distributedMap({ ToleratedFailurePercentage: 100 })),
    );
    const processor = (definition.States as Record<string, JsonObject>).Fan?.ItemProcessor as JsonObject;
    const states = processor.States as Record<string, JsonObject>;
    expect(processor.StartAt).toBe('ChildExecution');
    expect(states.ChildExecution?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], Next: 'ChildExecutionFailed' },
    ]);
    expect(states.ChildExecutionFailed?.Parameters).toEqual(expect.objectContaining({ childFailed: true }));
  });

  it.each(['concurrent', 'late'] as const)(
    'runs each item twice when asked to start children twice (%s), the copy under its own state names',
    (mode) => {
      const { definition } = lowerDistributedMaps(
        definitionWith(distributedMap({ ToleratedFailurePercentage: 100 })),
        { duplicateChildren: mode },
      );
      const text = JSON.stringify((definition.States as Record<string, JsonObject>).Fan?.ItemProcessor);
      expect(text.match(/"Work":/g)).toHaveLength(1);
      expect(text.match(/"Work\.Duplicate":/g)).toHaveLength(1);
    },
  );

  it('refuses to start children twice in a Map that does not tolerate failed children', () => {
    expect(() =>
      lowerDistributedMaps(definitionWith(distributedMap()), { duplicateChildren: 'concurrent' }),
    ).toThrow(UnsupportedDefinitionError);
  });

  it('does not change the definition it was given', () => {
    const original = definitionWith(distributedMap());
    const before = JSON.stringify(original);
    lowerDistributedMaps(original);
    expect(JSON.stringify(original)).toBe(before);
  });

  it.each([
    ['an ItemBatcher', { ItemBatcher: { MaxItemsPerBatch: 10 } }, 'ItemBatcher'],
    ['a partial failure tolerance', { ToleratedFailurePercentage: 10 }, 'ToleratedFailurePercentage'],
    ['a failure count tolerance', { ToleratedFailureCount: 3 }, 'ToleratedFailureCount'],
    [
      'a CSV reader',
      {
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'CSV' },
          Parameters: {},
        },
      },
      'CSV',
    ],
    [
      'a writer config',
      { ResultWriter: { WriterConfig: { OutputType: 'JSONL' }, Parameters: { Bucket: 'b' } } },
      'ResultWriter',
    ],
    ['a nested ResultPath', { ResultPath: '$.a.b' }, 'ResultPath'],
  ])('refuses loudly a map with %s rather than run it wrong', (_label, extra, named) => {
    expect(() => lowerDistributedMaps(definitionWith(distributedMap(extra as JsonObject)))).toThrow(
      UnsupportedDefinitionError,
    );
    expect(() => lowerDistributedMaps(definitionWith(distributedMap(extra as JsonObject)))).toThrow(named);
  });

  it('refuses a JSONata definition, which the local engine would silently get wrong', () => {
    expect(() =>
      lowerDistributedMaps({ ...definitionWith(distributedMap()), QueryLanguage: 'JSONata' }),
    ).toThrow('JSONata');
  });

  it('lowers the project definition without refusing anything', () => {
    const { maps } = lowerDistributedMaps(JSON.parse(readDefinitionTemplate()) as JsonObject);
    expect(maps.map((map) => map.name)).toEqual(['LoadChunks']);
  });
});
