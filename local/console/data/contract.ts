/**
 * The one place the console's data modules reach into the run contract, the functions' artefact
 * layout and the local runner. The contract (RunSummary, run-state) is moving to functions/shared/run/;
 * repoint these exports when it lands, and nothing else here changes.
 */

export { readDataLock } from '@firehose-loader/local-services';
export { outcomeOf } from '../../../functions/advance-round/map-results';
export { artifactKeys, chunkId } from '../../../functions/shared/artifacts';
export type { ChunkDescriptor } from '../../../functions/shared/chunk';
export { type ChunkClaim, parseStoredChunk, type StoredChunk } from '../../../functions/shared/chunk-claim';
export { mapWithConcurrency } from '../../../functions/shared/concurrency';
export { LoaderError } from '../../../functions/shared/errors';
export { DEFAULT_METRICS_NAMESPACE } from '../../../functions/shared/metrics-namespace';
export type { QuotaField, StreamQuota } from '../../../functions/shared/quota/quota';
export { readQuotaMetrics } from '../../../functions/shared/quota/read-quota';
export type { MapRunResultEntry, ResultWriterManifest, RunSummary } from '../../../functions/shared/run';
export type { ChunkOutcome, RunState } from '../../../functions/shared/run-state';
export { LOCAL_RESOURCE_NAMES, type LocalResourceNames } from '../../runner/local-resources';
