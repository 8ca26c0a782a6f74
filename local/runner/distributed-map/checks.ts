import { isObject, type JsonObject } from './json';

export class UnsupportedDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDefinitionError';
  }
}

export function refuse(state: string, message: string): never {
  throw new UnsupportedDefinitionError(`the local runner cannot honour state "${state}": ${message}`);
}

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

/** What lowering needs of a Distributed Map, once every field of it is known to be honoured locally. */
export interface DistributedMapSpec {
  readerParameters: JsonObject;
  inputType: 'JSON' | 'JSONL';
  /** ToleratedFailurePercentage: 100 keeps the other items running when one fails, as on AWS. */
  tolerated: 0 | 100;
  /** The ResultWriter's Parameters ({Bucket, Prefix}); empty without a ResultWriter. */
  writerParameters: JsonObject;
  /** The key of `ResultPath: "$.key"`, or null for `ResultPath: null`. */
  resultPathKey: string | null;
  innerStart: string;
  innerStates: JsonObject;
}

/**
 * Checks a Distributed Map field by field and says what lowering needs of it; anything the local
 * engine cannot honour faithfully is refused with an error naming the state and the field.
 */
export function checkDistributedMap(
  name: string,
  map: JsonObject,
  processor: JsonObject,
  duplicateChildren: boolean,
): DistributedMapSpec {
  for (const field of Object.keys(map)) {
    if (!SUPPORTED_MAP_FIELDS.has(field)) refuse(name, `field ${field} is not supported locally`);
  }
  if (map.QueryLanguage === 'JSONata') refuse(name, 'QueryLanguage JSONata');
  const reader = checkReader(name, map);
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
  const resultPathKey = checkResultPath(name, map);
  const { StartAt: innerStart, States: innerStates } = processor;
  if (!isObject(innerStates) || typeof innerStart !== 'string')
    refuse(name, 'ItemProcessor has no StartAt/States');
  for (const inner of Object.values(innerStates)) {
    if (isObject(inner) && isObject(inner.ItemProcessor))
      refuse(name, 'a Map nested inside a Distributed Map');
  }
  if (duplicateChildren && tolerated !== 100) {
    refuse(
      name,
      'duplicate children need ToleratedFailurePercentage 100 (a duplicate must not fail the Map)',
    );
  }
  const writerParameters = isObject(writer) && isObject(writer.Parameters) ? writer.Parameters : {};
  return { ...reader, tolerated, writerParameters, resultPathKey, innerStart, innerStates };
}

/** Only an S3 getObject ItemReader of JSON or JSON Lines. */
function checkReader(
  name: string,
  map: JsonObject,
): Pick<DistributedMapSpec, 'readerParameters' | 'inputType'> {
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
  return { readerParameters: reader.Parameters, inputType };
}

/** `ResultPath: null` or `"$.key"`; the local Map's result must have a place of its own. */
function checkResultPath(name: string, map: JsonObject): string | null {
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
  return resultPathKey;
}
