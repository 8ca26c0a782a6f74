import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startTestServices, type TestServices } from './helpers';

/**
 * Requests no SDK would send, as a hostile web page or a broken client could: each is answered with
 * AWS's 4xx error code, and none changes how the services answer the requests after it.
 */

let t: TestServices;
beforeAll(async () => {
  t = await startTestServices();
  await t.s3.send(new CreateBucketCommand({ Bucket: 'hostile' }));
});
afterAll(() => t.close());

interface RawAnswer {
  status: number;
  text: string;
  headers: Record<string, unknown>;
}

/** One request over loopback with node:http, which sends exactly the path and headers given. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body: Buffer | string = '',
): Promise<RawAnswer> {
  const { port } = t.services;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          headers: { ...res.headers },
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const CLOUDWATCH_JSON = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData',
};
const FIREHOSE_JSON = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Firehose_20150804.ListDeliveryStreams',
};

async function putAndGetHello(key: string): Promise<string | undefined> {
  await t.s3.send(new PutObjectCommand({ Bucket: 'hostile', Key: key, Body: 'hello, world' }));
  const got = await t.s3.send(new GetObjectCommand({ Bucket: 'hostile', Key: key }));
  return got.Body?.transformToString();
}

describe('prototype pollution through request parsers', () => {
  afterEach(() => {
    // If a test polluted Object.prototype, later tests of this file must not inherit it.
    for (const name of ['range', 'polluted']) delete (Object.prototype as Record<string, unknown>)[name];
  });

  it('keeps __proto__, constructor and prototype in query-protocol names as plain keys', async () => {
    const body =
      'Action=ListMetrics&__proto__.range=bytes%3D0-0&constructor.prototype.polluted=yes&__proto__.polluted=yes';
    const answer = await send('POST', '/', FORM, body);
    expect(answer.status).toBe(200);
    expect(({} as Record<string, unknown>).range).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The reported attack: every later GetObject returned one byte.
    expect(await putAndGetHello('after-query')).toBe('hello, world');
  });

  it('answers an S3 XML body with a __proto__ or constructor element with 400 MalformedXML', async () => {
    for (const element of ['__proto__', 'constructor']) {
      const xml = `<Delete><${element}><polluted>yes</polluted></${element}><Object><Key>k</Key></Object></Delete>`;
      const answer = await send('POST', '/hostile?delete', { 'content-type': 'application/xml' }, xml);
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('<Code>MalformedXML</Code>');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers XML nested deeper than the parser allows with 400 MalformedXML', async () => {
    const xml = `${'<a>'.repeat(200_000)}${'</a>'.repeat(200_000)}`;
    const answer = await send('POST', '/hostile?delete', { 'content-type': 'application/xml' }, xml);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>MalformedXML</Code>');
  });

  it('reads __proto__ keys of JSON bodies as plain keys', async () => {
    const json =
      '{"__proto__":{"polluted":"yes","range":"bytes=0-0"},"constructor":{"prototype":{"polluted":"yes"}}}';
    expect((await send('POST', '/', FIREHOSE_JSON, json)).status).toBe(200);
    expect((await send('POST', '/', CLOUDWATCH_JSON, json)).status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await putAndGetHello('after-json')).toBe('hello, world');
  });
});

describe('prototype names in headers', () => {
  it('stores x-amz-meta-__proto__ and x-amz-meta-constructor as the user metadata they are', async () => {
    // Raw requests: the SDK itself drops a "__proto__" key of Metadata (it builds objects by assignment).
    const metadata = { 'x-amz-meta-__proto__': 'bytes=0-0', 'x-amz-meta-constructor': 'c' };
    expect((await send('PUT', '/hostile/metadata', metadata, 'x')).status).toBe(200);
    const head = await send('HEAD', '/hostile/metadata', {});
    expect(head.headers).toMatchObject(metadata);
    expect(({} as Record<string, unknown>).range).toBeUndefined();
  });
});

describe('bodies over the limits', () => {
  // 64 MiB of JSON that gzips to about 64 KiB: small on the wire, far over the 8 MiB body limit.
  const bomb = gzipSync(
    Buffer.from(`{"Namespace":"Test/Bomb","MetricData":[],"x":"${'0'.repeat(64 * 1024 * 1024)}"}`),
  );

  it('stops decompressing at the body limit: a gzip bomb to CloudWatch gets 413 RequestEntityTooLarge', async () => {
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const answer = await send('POST', '/', { ...CLOUDWATCH_JSON, 'content-encoding': 'gzip' }, bomb);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('RequestEntityTooLarge');
  });

  it('answers a gzip bomb to Firehose with 400 InvalidArgumentException', async () => {
    const answer = await send('POST', '/', { ...FIREHOSE_JSON, 'content-encoding': 'gzip' }, bomb);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('InvalidArgumentException');
  });

  it('answers a body that is not gzip but says so with a 400', async () => {
    const answer = await send('POST', '/', { ...CLOUDWATCH_JSON, 'content-encoding': 'gzip' }, 'not gzip');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('InvalidParameterValue');
  });

  it('answers a CloudWatch body over 8 MiB with 413 and the query protocol too', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024 + 1, 'a');
    const json = await send('POST', '/', CLOUDWATCH_JSON, big);
    expect(json.status).toBe(413);
    const form = await send('POST', '/', FORM, big);
    expect(form.status).toBe(413);
    expect(form.text).toContain('<Code>RequestEntityTooLarge</Code>');
  });

  it('answers an S3 XML body over 10 MiB with 400 MaxMessageLengthExceeded', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, ' ');
    const answer = await send('POST', '/hostile?delete', { 'content-type': 'application/xml' }, big);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>MaxMessageLengthExceeded</Code>');
  });
});

describe('malformed requests', () => {
  it('answers malformed %-encoding in an S3 path with 400 InvalidURI', async () => {
    for (const path of ['/hostile/%E0%A4%A', '/hostile/%zz', '/%ff/key']) {
      const answer = await send('GET', path, {});
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.text).toContain('<Code>InvalidURI</Code>');
    }
  });

  it('answers a request target that is no URL with 400 InvalidURI', async () => {
    const answer = await send('GET', 'http://[', {});
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>InvalidURI</Code>');
  });

  it('answers malformed %-encoding in x-amz-copy-source with 400 InvalidArgument', async () => {
    await putAndGetHello('copy-me');
    const answer = await send('PUT', '/hostile/copied', { 'x-amz-copy-source': '/hostile/%E0%A4%A' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>InvalidArgument</Code>');
  });

  it('answers headers over 16 KiB with 431 instead of dropping the connection', async () => {
    const answer = await send('GET', '/hostile/key', { 'x-amz-meta-big': 'a'.repeat(20 * 1024) });
    expect(answer.status).toBe(431);
    expect(answer.text).toContain('RequestHeaderSectionTooLarge');
    expect(await putAndGetHello('after-headers')).toBe('hello, world');
  });
});
