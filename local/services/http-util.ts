import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** What every service handler gets for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path exactly as sent: URL parsing would resolve "a/../b", but "a/../b" is a valid S3 key. */
  rawPath: string;
  requestId: string;
}

export class BodyTooLargeError extends Error {}

/**
 * Reads a whole (small) request body, un-gzipping it when the client compressed it: the SDK gzips
 * CloudWatch PutMetricData bodies of 10 KiB or more. Not for S3 object bodies, which are streamed.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > limitBytes) throw new BodyTooLargeError(`request body over ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  const body = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  return encoding.split(',').some((part) => part.trim() === 'gzip') ? gunzipSync(body) : body;
}

export function sendJson(
  ctx: RequestContext,
  status: number,
  contentType: string,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': ctx.requestId,
    ...headers,
  });
  ctx.res.end(text);
}

export function sendXml(
  ctx: RequestContext,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
): void {
  ctx.res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    ...headers,
  });
  ctx.res.end(xml);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
