import { base, en, Faker } from '@faker-js/faker';
import { ConfigError } from '../errors';
import {
  AlertLevel,
  DEFAULT_MOCK_RECORD_COUNT,
  DEFAULT_MOCK_SEED,
  HttpMethod,
  MOCK_START_TIMESTAMP,
  type WebTrafficRecord,
} from './record';

// Weights roughly like a public web site's access log: mostly GETs that succeed.
const METHODS = [
  { weight: 75, value: HttpMethod.get },
  { weight: 14, value: HttpMethod.post },
  { weight: 4, value: HttpMethod.put },
  { weight: 2, value: HttpMethod.patch },
  { weight: 2, value: HttpMethod.delete },
  { weight: 3, value: HttpMethod.head },
];
const STATUSES = [
  { weight: 70, value: 200 },
  { weight: 4, value: 201 },
  { weight: 2, value: 204 },
  { weight: 3, value: 301 },
  { weight: 6, value: 304 },
  { weight: 2, value: 400 },
  { weight: 2, value: 401 },
  { weight: 1, value: 403 },
  { weight: 6, value: 404 },
  { weight: 1, value: 429 },
  { weight: 1, value: 500 },
  { weight: 1, value: 502 },
  { weight: 1, value: 503 },
];
const SECTIONS = ['products', 'category', 'cart', 'checkout', 'account', 'blog', 'help'] as const;
// Real traffic comes from a limited set of browsers, and faker's userAgent() costs more than the
// rest of a record together, so each generator draws a fixed pool once and picks from it.
const USER_AGENT_POOL_SIZE = 200;
const SEARCH_REFERRERS = [
  'https://www.google.com/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
] as const;

/**
 * Mock web-traffic records, one at a time: nothing is kept between records but the faker state and
 * the clock, so any count streams in constant memory. The same seed gives the same records.
 */
export function* generateRecords(
  count: number = DEFAULT_MOCK_RECORD_COUNT,
  seed: number = DEFAULT_MOCK_SEED,
): Generator<WebTrafficRecord> {
  validate(count, seed);
  // A faker of its own: the shared `faker` instance's seed would be changed by any other user.
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  const userAgents = Array.from({ length: USER_AGENT_POOL_SIZE }, () => faker.internet.userAgent());
  let timestamp = MOCK_START_TIMESTAMP;
  for (let i = 0; i < count; i++) {
    timestamp += faker.number.int({ min: 0, max: 2 });
    const method = faker.helpers.weightedArrayElement(METHODS);
    const status = faker.helpers.weightedArrayElement(STATUSES);
    yield {
      ip_address: faker.internet.ipv4(),
      timestamp,
      alert_level: alertLevelFor(faker, status),
      method,
      path: pathFor(faker, method),
      status,
      bytes:
        status === 204 || status === 304 || method === HttpMethod.head
          ? 0
          : faker.number.int({ min: 120, max: 250_000 }),
      user_agent: faker.helpers.arrayElement(userAgents),
      referrer: referrerFor(faker),
      latency_ms: latencyFor(faker, status),
    };
  }
}

function alertLevelFor(faker: Faker, status: number): AlertLevel {
  if (status >= 500)
    return faker.helpers.arrayElement([AlertLevel.critical, AlertLevel.critical, AlertLevel.high]);
  if (status === 401 || status === 403 || status === 429) {
    return faker.helpers.arrayElement([AlertLevel.high, AlertLevel.medium]);
  }
  if (status >= 400) return faker.helpers.arrayElement([AlertLevel.medium, AlertLevel.low]);
  return faker.helpers.weightedArrayElement([
    { weight: 90, value: AlertLevel.low },
    { weight: 10, value: AlertLevel.medium },
  ]);
}

function pathFor(faker: Faker, method: HttpMethod): string {
  if (method !== HttpMethod.get && method !== HttpMethod.head) {
    return `/api/v1/${faker.helpers.arrayElement(['orders', 'cart/items', 'sessions', 'reviews'])}`;
  }
  const section = faker.helpers.arrayElement(SECTIONS);
  // Choose the kind first and build only that one: cheaper, and each record draws fewer values.
  return faker.helpers.weightedArrayElement([
    { weight: 3, value: () => '/' },
    { weight: 5, value: () => `/${section}/${faker.number.int({ min: 1, max: 99_999 })}` },
    { weight: 2, value: () => `/search?q=${encodeURIComponent(faker.word.noun())}` },
    { weight: 2, value: () => `/static/${faker.system.commonFileName('js')}` },
  ])();
}

function referrerFor(faker: Faker): string {
  return faker.helpers.weightedArrayElement([
    { weight: 40, value: () => '-' },
    { weight: 35, value: () => faker.helpers.arrayElement(SEARCH_REFERRERS) },
    { weight: 25, value: () => faker.internet.url() },
  ])();
}

// Server errors and rate limits tend to be slow; the rest is a long-tailed spread around ~100 ms.
function latencyFor(faker: Faker, status: number): number {
  if (status >= 500) return faker.number.int({ min: 500, max: 30_000 });
  const spike = faker.number.float({ min: 0, max: 1 }) < 0.05;
  return spike ? faker.number.int({ min: 1_000, max: 8_000 }) : faker.number.int({ min: 3, max: 400 });
}

function validate(count: number, seed: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ConfigError(`Invalid mock data count: expected a whole number ≥ 0, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ConfigError(`Invalid mock data seed: expected a whole number, got ${seed}`);
  }
}
