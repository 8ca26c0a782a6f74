/**
 * The local stand-in for Distributed Map: the definition rewritten for the engine (lower.ts), its
 * ItemReader and ResultWriter served from S3 (map-io.ts), and its private state keys kept out of the
 * run's event file (compact-event.ts). The runner uses only what is exported here.
 */
export { UnsupportedDefinitionError } from './checks';
export { compactEvent } from './compact-event';
export { isObject, type Json, type JsonObject } from './json';
export { type LoweredMap, type LoweringOptions, lowerDistributedMaps } from './lower';
export { readMapItems, writeMapResults } from './map-io';
