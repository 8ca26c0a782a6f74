/**
 * aws-local-stepfunctions runs Map states inline only and silently ignores ItemReader, ItemBatcher,
 * ResultWriter and Distributed mode. This step rewrites each Distributed Map of a definition into what
 * the engine does honour, with the same observable behaviour for this project's definition:
 *
 *   <Map>.ReadItems    Task: reads the ItemReader's S3 object (JSON or JSONL) into `$.localMapItems`
 *   <Map>              inline Map over `$.localMapItems` with the same ItemSelector, MaxConcurrencyPath and
 *                      ItemProcessor; with ToleratedFailurePercentage 100 each item runs inside a Parallel
 *                      whose Catch turns a failed item into `{ "childFailed": true, Error, Cause }`, as a
 *                      tolerated child-execution failure leaves the other items running on AWS
 *   <Map>.WriteResults Task: writes the results to the ResultWriter's bucket and prefix, removes the
 *                      local keys and sets the Map's ResultPath to `{ ResultWriterDetails }`
 *
 * Anything it cannot honour faithfully is refused with an error that names the state and the field.
 */

import { type DuplicateChildren, duplicatedChildProcessor } from './duplicate-children';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class UnsupportedDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDefinitionError';
  }
}

export const LOCAL_ITEMS_KEY = 'localMapItems';
/** The errors a Distributed Map reports when its ItemReader or ResultWriter fails. */
export const ITEM_READER_FAILED = 'States.ItemReaderFailed';
export const RESULT_WRITER_FAILED = 'States.ResultWriterFailed';
export const LOCAL_RESULTS_KEY = 'localMapResults';
export const readItemsStateName = (map: string) => `${map}.ReadItems`;
export const writeResultsStateName = (map: string) => `${map}.WriteResults`;

/** What the runner needs to serve the two inserted Task states. */
export interface LoweredMap {
  name: string;
  readItemsState: string;
  writeResultsState: string;
  inputType: 'JSON' | 'JSONL';
  resultPathKey: string | null;
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SUPPORTED_MAP_FIELDS = new Set([
  'Type',
  'Comment',
  'Label',
  'ItemReader',
  'ItemSelector',
  'MaxConcurrency',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentage',
  'ItemProcessor',
  'ResultWriter',
  'ResultPath',
  'Next',
  'End',
  'Retry',
  'Catch',
]);

function refuse(state: string, message: string): never {
  throw new UnsupportedDefinitionError(`the local runner cannot honour state "${state}": ${message}`);
}

export interface LoweringOptions {
  /** Fault: start every item's child execution twice (duplicate-children.ts). */
  duplicateChildren?: DuplicateChildren;
}

/** Returns a new definition; the input is not changed. */
export function lowerDistributedMaps(
  definition: JsonObject,
  options: LoweringOptions = {},
): { definition: JsonObject; maps: LoweredMap[] } {
  if (definition.QueryLanguage === 'JSONata') {
    refuse(
      '(top level)',
      'QueryLanguage JSONata is ignored by the local engine, which would give wrong results',
    );
  }
  // A JSON copy, not structuredClone: the engine treats only plain objects of its own realm as
  // Parameters templates, and structuredClone builds them in Node's main realm (not jest's).
  const copy = JSON.parse(JSON.stringify(definition)) as JsonObject;
  const states = copy.States;
  if (!isObject(states)) refuse('(top level)', 'the definition has no States object');
  const maps: LoweredMap[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state) || state.Type !== 'Map') continue;
    const processor = state.ItemProcessor;
    if (!isObject(processor) || !isObject(processor.ProcessorConfig)) continue;
    if (processor.ProcessorConfig.Mode !== 'DISTRIBUTED') continue;
    maps.push(lowerOne(copy, states, name, state, processor, options));
  }
  return { definition: copy, maps };
}

function lowerOne(
  definition: JsonObject,
  states: JsonObject,
  name: string,
  map: JsonObject,
  processor: JsonObject,
  options: LoweringOptions,
): LoweredMap {
  for (const field of Object.keys(map)) {
    if (!SUPPORTED_MAP_FIELDS.has(field)) refuse(name, `field ${field} is not supported locally`);
  }
  if (map.QueryLanguage === 'JSONata') refuse(name, 'QueryLanguage JSONata');
  const reader = map.ItemReader;
  if (
    !isObject(reader) ||
    reader.Resource !== 'arn:aws:states:::s3:getObject' ||
    !isObject(reader.Parameters)
  ) {
    refuse(
      name,
      'only an ItemReader with Resource arn:aws:states:::s3:getObject and Parameters is supported',
    );
  }
  const config = isObject(reader.ReaderConfig) ? reader.ReaderConfig : {};
  for (const field of Object.keys(config)) {
    if (field !== 'InputType') refuse(name, `ItemReader.ReaderConfig.${field} is not supported locally`);
  }
  const inputType = config.InputType ?? 'JSON';
  if (inputType !== 'JSON' && inputType !== 'JSONL')
    refuse(name, `ItemReader InputType ${String(inputType)}`);
  const tolerated = map.ToleratedFailurePercentage ?? 0;
  if (tolerated !== 0 && tolerated !== 100) {
    refuse(
      name,
      'ToleratedFailurePercentage other than 0 or 100 (a partial threshold cannot be reproduced inline)',
    );
  }
  const writer = map.ResultWriter;
  if (writer !== undefined && (!isObject(writer) || !isObject(writer.Parameters) || writer.WriterConfig)) {
    refuse(name, 'only a ResultWriter with Parameters {Bucket, Prefix} is supported');
  }
  const resultPath = map.ResultPath;
  if (
    resultPath !== undefined &&
    resultPath !== null &&
    !(typeof resultPath === 'string' && /^\$\.[A-Za-z0-9_]+$/.test(resultPath))
  ) {
    refuse(name, `ResultPath ${JSON.stringify(resultPath)}: only null or "$.key" is supported locally`);
  }
  const resultPathKey =
    resultPath === null ? null : typeof resultPath === 'string' ? resultPath.slice(2) : '';
  if (resultPathKey === '') refuse(name, 'a Distributed Map needs an explicit ResultPath locally');

  const readItems = readItemsStateName(name);
  const writeResults = writeResultsStateName(name);
  retarget(definition, name, readItems);

  const innerStates = processor.States;
  const innerStart = processor.StartAt;
  if (!isObject(innerStates) || typeof innerStart !== 'string')
    refuse(name, 'ItemProcessor has no StartAt/States');
  for (const inner of Object.values(innerStates)) {
    if (isObject(inner) && isObject(inner.ItemProcessor))
      refuse(name, 'a Map nested inside a Distributed Map');
  }
  if (options.duplicateChildren && tolerated !== 100) {
    refuse(
      name,
      'duplicate children need ToleratedFailurePercentage 100 (a duplicate must not fail the Map)',
    );
  }
  const inlineProcessor: JsonObject = options.duplicateChildren
    ? duplicatedChildProcessor(innerStart, innerStates, options.duplicateChildren)
    : tolerated === 100
      ? {
          StartAt: 'ChildExecution',
          States: {
            ChildExecution: {
              Type: 'Parallel',
              Branches: [{ StartAt: innerStart, States: innerStates }],
              OutputPath: '$[0]',
              Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ChildExecutionFailed' }],
              End: true,
            },
            ChildExecutionFailed: {
              Type: 'Pass',
              Parameters: { childFailed: true, 'Error.$': '$.Error', 'Cause.$': '$.Cause' },
              End: true,
            },
          },
        }
      : { StartAt: innerStart, States: innerStates };

  const after: JsonObject = map.End === true ? { End: true } : { Next: map.Next ?? null };
  states[readItems] = {
    Type: 'Task',
    Comment: `Local stand-in for the ItemReader of ${name}`,
    Resource: 'arn:aws:states:::s3:getObject',
    Parameters: reader.Parameters,
    ResultPath: `$.${LOCAL_ITEMS_KEY}`,
    ...retriesFor(map, ITEM_READER_FAILED),
    Next: name,
  };
  const inline: JsonObject = {
    Type: 'Map',
    ItemsPath: `$.${LOCAL_ITEMS_KEY}`,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...inlineProcessor },
    ResultPath: `$.${LOCAL_RESULTS_KEY}`,
    Next: writeResults,
  };
  for (const field of [
    'Comment',
    'ItemSelector',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'Retry',
    'Catch',
  ] as const) {
    if (map[field] !== undefined) inline[field] = map[field] as Json;
  }
  states[name] = inline;
  states[writeResults] = {
    Type: 'Task',
    Comment: `Local stand-in for the ResultWriter of ${name}`,
    Resource: 'arn:aws:states:::s3:putObject',
    Parameters: {
      ...(isObject(writer) && isObject(writer.Parameters) ? writer.Parameters : {}),
      'State.$': '$',
    },
    // No ResultPath: the result replaces the input. The engine takes an explicit "$" as a key named "$".
    ...retriesFor(map, RESULT_WRITER_FAILED),
    ...after,
  };
  return { name, readItemsState: readItems, writeResultsState: writeResults, inputType, resultPathKey };
}

/**
 * The Map's Retry rules that apply to its reader or writer failing, for the stand-in Task: on AWS the
 * Map state itself retries `States.ItemReaderFailed` / `States.ResultWriterFailed`.
 */
function retriesFor(map: JsonObject, errorName: string): JsonObject {
  const rules = Array.isArray(map.Retry) ? map.Retry : [];
  const matching = rules.filter((rule) => {
    const names = isObject(rule) && Array.isArray(rule.ErrorEquals) ? rule.ErrorEquals : [];
    return names.includes(errorName) || names.includes('States.ALL');
  });
  return matching.length ? { Retry: matching } : {};
}

/** Points StartAt and every transition to `from` at `to`, in the top-level states. */
function retarget(definition: JsonObject, from: string, to: string): void {
  if (definition.StartAt === from) definition.StartAt = to;
  const states = definition.States as JsonObject;
  for (const state of Object.values(states)) {
    if (!isObject(state)) continue;
    if (state.Next === from) state.Next = to;
    if (state.Default === from) state.Default = to;
    for (const list of [state.Choices, state.Catch]) {
      if (!Array.isArray(list)) continue;
      for (const rule of list) if (isObject(rule) && rule.Next === from) rule.Next = to;
    }
  }
}
