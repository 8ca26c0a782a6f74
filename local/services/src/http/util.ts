import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** What every service handler gets for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path exactly as sent: URL parsing would resolve "a/../b", but "a/../b" is a valid S3 key. */
  rawPath: string;
  requestId: string;
}

/** A request body (or what it decompresses to) is over the service's limit: a client error, never a 5xx. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes`);
  }
}

/** A body sent with Content-Encoding: gzip that does not decompress. */
export class BodyEncodingError extends Error {}

/**
 * Reads a whole (small) request body, un-gzipping it when the client compressed it: the SDK gzips
 * CloudWatch PutMetricData bodies of 10 KiB or more. Not for S3 object bodies, which are streamed.
 * The limit holds for the bytes sent and for what they decompress to: a few KiB of gzip can expand
 * to gigabytes, so decompression runs off the event loop and stops at the limit.
 */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const body = await collect(req, limitBytes);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (!encoding.split(',').some((part) => part.trim() === 'gzip')) return body;
  try {
    return await gunzipAsync(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new BodyTooLargeError(limitBytes);
    throw new BodyEncodingError('The request body is not valid gzip');
  }
}

/**
 * The body's bytes, up to `limitBytes`. Over the limit it stops keeping them and rejects; the rest is
 * left to flow away (Node discards an unread body once the response ends), so the client still gets
 * its 4xx answer instead of a reset connection.
 */
function collect(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      req.resume();
      reject(new BodyTooLargeError(limitBytes));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error('the client closed the connection before the body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
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
