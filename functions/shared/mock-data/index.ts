/** Mock web-traffic data like the scenario's sample_records.json, deterministic for a seed. */
export { generateRecords } from './generate';
export {
  AlertLevel,
  DEFAULT_MOCK_RECORD_COUNT,
  DEFAULT_MOCK_SEED,
  HttpMethod,
  MOCK_START_TIMESTAMP,
  type WebTrafficRecord,
} from './record';
export { MockFormat, type WriteMockOptions, writeMockData } from './write';
