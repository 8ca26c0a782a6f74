import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Random and adversarial HTTP requests for the local services: paths, headers and bodies built from
 * what breaks parsers (prototype keys, bad %-encoding, path traversal, wrong types, deep nesting,
 * bad or bomb-like gzip) mixed with random text. No generated name starts with "known-": the fuzz test
 * keeps its own resources under that prefix to check the services still answer correctly.
 */

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '__proto__.polluted',
  'constructor.prototype.polluted',
];
const NASTY_TEXT = [
  '',
  '..',
  '../..',
  '..%2F..%2Foutside.txt',
  '%2e%2e/%2e%2e/outside.txt',
  '../../outside.txt',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ff',
  '%00',
  'a%2Fb',
  '\u0000',
  'ü☃𝄞',
  'x'.repeat(1100),
  ...PROTO_KEYS,
];
const anyText = fc.oneof(fc.constantFrom(...NASTY_TEXT), fc.string({ maxLength: 40 }));
const anyName = fc.oneof(
  fc.constantFrom('fuzz-bucket', 'fuzz-stream', 'a', 'UPPER', 'a..b', '1.2.3.4'),
  anyText,
);

/** Path segments as a client would put them on the wire: raw, or %-encoded. */
const segment = fc.oneof(
  anyName,
  anyText.map((text) => encodeURIComponent(text)),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?delete',
    '?uploads',
    '?uploadId=00000000000000000000000000000000&partNumber=1',
    '?uploadId=../../x',
    '?list-type=2&max-keys=-1',
    '?list-type=2&continuation-token=%zz',
    '?location',
    '?acl',
    '?Action=ListMetrics&__proto__.range=bytes%3D0-0',
    '?X-Amz-Credential=a/b/c/monitoring/aws4_request',
  ),
  fc.string({ maxLength: 30 }).map((text) => `?${text}`),
);
/** What node:http lets a client put in a request line: printable ASCII; the rest goes %-encoded. */
const wireSafe = (text: string) =>
  text.replace(/[^\x21-\x7e]/gu, (c) =>
    [...Buffer.from(c)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
const path = fc
  .tuple(fc.array(segment, { maxLength: 3 }), query)
  .map(([segments, q]) => wireSafe(`/${segments.join('/')}${q}`));

/** A JSON value of any shape, with prototype keys among the object keys. */
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, -1, 0, 1e308, 'x', '', 'AWS/Firehose'),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 10 })), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/** JSON text with "__proto__" as an own key (JSON.stringify of an object literal cannot express it). */
const protoJson = fc
  .tuple(anyJson, fc.constantFrom(...PROTO_KEYS))
  .map(
    ([value, key]) => `{"${key}":{"polluted":"yes","range":"bytes=0-0"},"value":${JSON.stringify(value)}}`,
  );

function firehoseInput(): fc.Arbitrary<unknown> {
  const record = fc.oneof(
    fc.record({ Data: fc.oneof(fc.base64String({ maxLength: 40 }), anyText) }),
    anyJson,
  );
  return fc.oneof(
    fc.record({ DeliveryStreamName: anyName, Records: fc.array(record, { maxLength: 5 }) }),
    fc.record({ DeliveryStreamName: anyName, Record: record }),
    fc.record({
      DeliveryStreamName: anyName,
      DeliveryStreamType: fc.constantFrom('DirectPut', 'KinesisStreamAsSource', 'x'),
      ExtendedS3DestinationConfiguration: fc.record({
        RoleARN: anyText,
        BucketARN: fc.oneof(
          fc.constant('arn:aws:s3:::fuzz-bucket'),
          anyText.map((t) => `arn:aws:s3:::${t}`),
        ),
        Prefix: fc.oneof(
          anyText,
          fc.constantFrom('!{timestamp:yyyy}/', '!{firehose:random-string}', '../../'),
        ),
        ErrorOutputPrefix: anyText,
        BufferingHints: fc.record({ SizeInMBs: anyJson, IntervalInSeconds: anyJson }),
        CompressionFormat: fc.constantFrom('GZIP', 'UNCOMPRESSED', 'Snappy', '__proto__'),
      }),
    }),
    anyJson,
  );
}

function cloudwatchInput(): fc.Arbitrary<unknown> {
  const datum = fc.record({
    MetricName: anyName,
    Dimensions: fc.array(fc.record({ Name: anyName, Value: anyText }), { maxLength: 3 }),
    Value: anyJson,
    Values: fc.array(anyJson, { maxLength: 3 }),
    Timestamp: fc.oneof(fc.integer(), anyText),
    Unit: fc.constantFrom('Count', 'Bytes', 'x'),
  });
  return fc.oneof(
    fc.record({ Namespace: anyName, MetricData: fc.array(datum, { maxLength: 3 }) }),
    fc.record({
      Namespace: anyName,
      MetricName: anyName,
      StartTime: fc.oneof(fc.integer(), anyText),
      EndTime: fc.oneof(fc.integer(), anyText),
      Period: anyJson,
      Statistics: fc.array(fc.constantFrom('Sum', 'p99', '__proto__'), { maxLength: 2 }),
    }),
    fc.record({
      MetricDataQueries: fc.array(anyJson, { maxLength: 3 }),
      StartTime: anyJson,
      EndTime: anyJson,
    }),
    anyJson,
  );
}

/** A query-protocol form: "A.member.1.B=x" names, prototype paths among them. */
const formBody = fc
  .tuple(
    fc.constantFrom('PutMetricData', 'GetMetricStatistics', 'ListMetrics', 'GetMetricData', '__proto__', ''),
    fc.array(
      fc.tuple(
        fc.array(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'member', '1', 'MetricData', 'Dimensions')), {
          minLength: 1,
          maxLength: 4,
        }),
        anyText,
      ),
      { maxLength: 6 },
    ),
  )
  .map(([action, pairs]) => {
    const form = new URLSearchParams({ Action: action });
    for (const [parts, value] of pairs) form.append(parts.join('.'), value);
    return form.toString();
  });

const xmlBody = fc.oneof(
  fc.constantFrom(
    '<Delete><Object><Key>k</Key></Object></Delete>',
    '<Delete><__proto__><polluted>1</polluted></__proto__></Delete>',
    '<Delete><constructor><prototype><x>1</x></prototype></constructor></Delete>',
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>',
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>',
    '<Delete><Object>',
    '<<<>>>',
  ),
  fc.string({ maxLength: 60 }).map((text) => `<Delete><Object><Key>${text}</Key></Object></Delete>`),
);

/** A body as text or bytes; sometimes gzipped, sometimes claimed to be gzip when it is not. */
function bodyOf(text: fc.Arbitrary<string>): fc.Arbitrary<{ body: Buffer; gzip: boolean }> {
  return fc.oneof(
    text.map((t) => ({ body: Buffer.from(t), gzip: false })),
    text.map((t) => ({ body: gzipSync(t), gzip: true })),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ body: Buffer.from(bytes), gzip: true })),
    // A small bomb: 12 MiB of zeros in about 12 KiB, over every body limit once inflated.
    fc.constant({ body: ZERO_BOMB, gzip: true }),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ body: Buffer.from(bytes), gzip: false })),
  );
}
const ZERO_BOMB = gzipSync(Buffer.alloc(12 * 1024 * 1024));

const credential = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

const extraHeaders = fc.dictionary(
  fc.constantFrom(
    'range',
    'x-amz-copy-source',
    'x-amz-meta-__proto__',
    'x-amz-meta-constructor',
    'content-md5',
    'x-amz-decoded-content-length',
    'x-amz-trailer',
    'if-match',
    'if-none-match',
    'x-amz-metadata-directive',
    'x-amz-query-mode',
  ),
  fc.oneof(
    fc.constantFrom(
      'bytes=0-0',
      'bytes=-1',
      'bytes=5-1',
      '/fuzz-bucket/%E0%A4%A',
      '/known-bucket/known-key',
      '*',
    ),
    fc.string({ maxLength: 20 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  ),
  { maxKeys: 3 },
);

function request(
  methods: readonly string[],
  paths: fc.Arbitrary<string>,
  headers: fc.Arbitrary<Record<string, string>>,
  body: fc.Arbitrary<{ body: Buffer; gzip: boolean }>,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ method: fc.constantFrom(...methods), path: paths, headers, body, extra: extraHeaders })
    .map(({ method, path: p, headers: h, body: b, extra }) => ({
      method,
      path: p,
      headers: { ...extra, ...h, ...(b.gzip ? { 'content-encoding': 'gzip' } : {}) },
      body: b.body,
    }));
}

export const s3Request = request(
  ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH'],
  path,
  fc.oneof(
    fc.constant({}),
    fc.constant({ authorization: credential('s3') }),
    fc.constant({ 'content-type': 'application/xml' }),
  ),
  bodyOf(fc.oneof(xmlBody, fc.string({ maxLength: 40 }))),
);

export const firehoseRequest = request(
  ['POST', 'GET', 'PUT'],
  fc.constantFrom('/', '/__proto__', '/?x=%zz'),
  fc
    .tuple(
      fc.constantFrom(
        'PutRecord',
        'PutRecordBatch',
        'CreateDeliveryStream',
        'DeleteDeliveryStream',
        'DescribeDeliveryStream',
        'ListDeliveryStreams',
        '__proto__',
        'constructor',
        '',
      ),
      fc.boolean(),
    )
    .map(([operation, signed]) => ({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `Firehose_20150804.${operation}`,
      ...(signed ? { authorization: credential('firehose') } : {}),
    })),
  bodyOf(
    fc.oneof(
      firehoseInput().map((value) => JSON.stringify(value) ?? ''),
      protoJson,
      anyText,
    ),
  ),
);

export const cloudwatchRequest = fc.oneof(
  request(
    ['POST', 'GET'],
    fc.constantFrom('/', '/?Action=ListMetrics', '/?__proto__.range=bytes%3D0-0'),
    fc.constant({ 'content-type': 'application/x-www-form-urlencoded' }),
    bodyOf(formBody),
  ),
  request(
    ['POST'],
    fc.constant('/'),
    fc
      .constantFrom('PutMetricData', 'GetMetricData', 'GetMetricStatistics', 'ListMetrics', '__proto__', '')
      .map((operation) => ({
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `GraniteServiceVersion20100801.${operation}`,
        'x-amzn-query-mode': 'true',
        authorization: credential('monitoring'),
      })),
    bodyOf(
      fc.oneof(
        cloudwatchInput().map((value) => JSON.stringify(value) ?? ''),
        protoJson,
        anyText,
      ),
    ),
  ),
);
