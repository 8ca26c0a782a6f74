import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFirehoseClient } from '../../../functions/shared/firehose/client';
import { putRecordBatch } from '../../../functions/shared/firehose/put-record-batch';
import { fakeDeps, makeRecords } from './harness';

interface Seen {
  target: string | undefined;
  records: string[];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('createFirehoseClient', () => {
  let server: Server;
  const seen: Seen[] = [];
  let throttleFirst = 0;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL;

  beforeAll(async () => {
    // A stand-in Firehose on loopback speaking awsJson1_1: throttles the first calls, then accepts all.
    server = createServer(async (req, res) => {
      const body = JSON.parse(await readBody(req)) as { Records: { Data: string }[] };
      const records = body.Records.map((r) => Buffer.from(r.Data, 'base64').toString('utf8'));
      seen.push({ target: req.headers['x-amz-target'] as string | undefined, records });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (seen.length <= throttleFirst) {
        res.statusCode = 400;
        res.setHeader('x-amzn-errortype', 'ServiceUnavailableException');
        res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'Slow down.' }));
        return;
      }
      res.end(
        JSON.stringify({
          FailedPutCount: 0,
          Encrypted: false,
          RequestResponses: records.map((_, i) => ({ RecordId: `r${i}` })),
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = savedEndpoint;
    server.close();
    await once(server, 'close');
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('switches the SDK retries off even if asked for more', async () => {
    const client = createFirehoseClient({ region: 'us-east-1', maxAttempts: 5 });
    expect(await client.config.maxAttempts()).toBe(1);
    client.destroy();
  });

  it('sends to AWS_ENDPOINT_URL, and each throttled call reaches the server once, counted by the sender', async () => {
    throttleFirst = 2;
    const client = createFirehoseClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
    });
    const { deps } = fakeDeps();

    const outcome = await putRecordBatch(
      client,
      'local-stream',
      makeRecords(3),
      { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 },
      deps,
    );
    client.destroy();

    expect(seen).toHaveLength(3);
    expect(seen[0]?.target).toBe('Firehose_20150804.PutRecordBatch');
    expect(seen[2]?.records).toEqual(['rec-0\n', 'rec-1\n', 'rec-2\n']);
    expect(outcome).toMatchObject({
      accepted: 3,
      calls: 3,
      attempts: 3,
      throttledEntries: 0,
      refusedRequests: 2,
    });
  });
});
