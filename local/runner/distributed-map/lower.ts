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
 * Anything it cannot honour faithfully is refused with an error that names the state and the field
 * (checks.ts).
 */

import { type DuplicateChildren, duplicatedChildProcessor } from '../duplicate-children';
import { checkDistributedMap, type DistributedMapSpec, refuse } from './checks';
import { toleratedChildProcessor } from './child-execution';
import { isObject, type Json, type JsonObject } from './json';
import {
  ITEM_READER_FAILED,
  LOCAL_ITEMS_KEY,
  LOCAL_RESULTS_KEY,
  RESULT_WRITER_FAILED,
  readItemsStateName,
  writeResultsStateName,
} from './state-keys';

/** What the runner needs to serve the two inserted Task states. */
export interface LoweredMap {
  name: string;
  readItemsState: string;
  writeResultsState: string;
  inputType: 'JSON' | 'JSONL';
  resultPathKey: string | null;
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
    maps.push(lowerOne(copy, name, state, processor, options));
  }
  return { definition: copy, maps };
}

/** Replaces the Distributed Map `name` by its reader, an inline Map and its writer. */
function lowerOne(
  definition: JsonObject,
  name: string,
  map: JsonObject,
  processor: JsonObject,
  options: LoweringOptions,
): LoweredMap {
  const spec = checkDistributedMap(name, map, processor, options.duplicateChildren !== undefined);
  const readItems = readItemsStateName(name);
  const writeResults = writeResultsStateName(name);
  retarget(definition, name, readItems);
  const states = definition.States as JsonObject;
  states[readItems] = {
    Type: 'Task',
    Comment: `Local stand-in for the ItemReader of ${name}`,
    Resource: 'arn:aws:states:::s3:getObject',
    Parameters: spec.readerParameters,
    ResultPath: `$.${LOCAL_ITEMS_KEY}`,
    ...retriesFor(map, ITEM_READER_FAILED),
    Next: name,
  };
  states[name] = inlineMap(map, inlineProcessor(spec, options), writeResults);
  states[writeResults] = {
    Type: 'Task',
    Comment: `Local stand-in for the ResultWriter of ${name}`,
    Resource: 'arn:aws:states:::s3:putObject',
    Parameters: { ...spec.writerParameters, 'State.$': '$' },
    // No ResultPath: the result replaces the input. The engine takes an explicit "$" as a key named "$".
    ...retriesFor(map, RESULT_WRITER_FAILED),
    ...(map.End === true ? { End: true } : { Next: map.Next ?? null }),
  };
  const { inputType, resultPathKey } = spec;
  return { name, readItemsState: readItems, writeResultsState: writeResults, inputType, resultPathKey };
}

/** The inline Map over the items the reader put in the state, keeping the Map's own fields. */
function inlineMap(map: JsonObject, processor: JsonObject, next: string): JsonObject {
  const inline: JsonObject = {
    Type: 'Map',
    ItemsPath: `$.${LOCAL_ITEMS_KEY}`,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...processor },
    ResultPath: `$.${LOCAL_RESULTS_KEY}`,
    Next: next,
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
  return inline;
}

/**
 * Each item's states: as they are; inside a Parallel whose Catch turns a failure into the item's
 * result when failures are tolerated (a failed child does not stop the others on AWS); or twice, for
 * the duplicate-children fault.
 */
function inlineProcessor(spec: DistributedMapSpec, options: LoweringOptions): JsonObject {
  const { innerStart, innerStates } = spec;
  if (options.duplicateChildren)
    return duplicatedChildProcessor(innerStart, innerStates, options.duplicateChildren);
  if (spec.tolerated !== 100) return { StartAt: innerStart, States: innerStates };
  return toleratedChildProcessor([{ StartAt: innerStart, States: innerStates }]);
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
