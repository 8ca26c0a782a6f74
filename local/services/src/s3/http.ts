import { type RequestContext, sendXml } from '../http/util';
import { S3_XMLNS, type XmlObject, xmlDocument } from '../http/xml';
import { S3_ERRORS, type S3Error } from './errors';

/** What every local S3 answer shares: request-id headers, the XML envelope, the error document. */

export const MAX_XML_BODY_BYTES = 10 * 1024 * 1024;

export function s3Headers(ctx: RequestContext, extra: Record<string, string> = {}): Record<string, string> {
  return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.requestId, ...extra };
}

export function sendS3Xml(ctx: RequestContext, root: string, body: XmlObject): void {
  sendXml(ctx, 200, xmlDocument(root, S3_XMLNS, body), s3Headers(ctx));
}

export function sendS3Error(ctx: RequestContext, error: S3Error): void {
  const { status } = S3_ERRORS[error.code];
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  const headers = s3Headers(ctx, error.headers);
  // HEAD responses and 304 have no body: clients only see the status (the SDK names 404 "NotFound").
  if (ctx.req.method === 'HEAD' || status === 304) {
    ctx.res.writeHead(status, headers).end();
    return;
  }
  const xml = xmlDocument('Error', '', {
    Code: error.code,
    Message: error.message,
    ...error.details,
    RequestId: ctx.requestId,
    HostId: ctx.requestId,
  });
  sendXml(ctx, status, xml, headers);
}
