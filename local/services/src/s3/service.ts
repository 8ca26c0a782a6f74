import { randomUUID } from 'node:crypto';
import { BodyEncodingError, BodyTooLargeError, type RequestContext } from '../http/util';
import { XmlSyntaxError } from '../http/xml';
import {
  bucketRegion,
  createBucket,
  deleteBucket,
  deleteObjects,
  getBucketLocation,
  listBuckets,
  listObjects,
  requireBucket,
} from './buckets';
import { S3Error } from './errors';
import { type S3FaultSettings, S3ReadFaults } from './faults';
import { s3Headers, sendS3Error, sendS3Xml } from './http';
import { MultipartUploads } from './multipart';
import { completeUpload, copyObject, getObject, objectHeaders, putObject } from './objects';
import type { S3Store } from './store';

/** Local S3, path-style (http://127.0.0.1:<port>/<bucket>/<key>), also virtual-hosted on *.localhost. */

// S3 limits: keys are at most 1,024 bytes of UTF-8 (S3 API reference).
const MAX_KEY_BYTES = 1024;
// Sub-resources S3 has but this local S3 does not: answering them as plain GET/PUT would mislead.
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'versioning',
  'versions',
  'website',
] as const;

export class S3Service {
  private readonly uploads: MultipartUploads;
  private readonly faults: S3ReadFaults;

  constructor(
    readonly store: S3Store,
    private readonly region: string,
    faults: Partial<S3FaultSettings> = {},
  ) {
    this.uploads = new MultipartUploads(store);
    this.faults = new S3ReadFaults(faults);
  }

  setFaults(faults: Partial<S3FaultSettings>): void {
    this.faults.set(faults);
  }

  async handle(ctx: RequestContext): Promise<void> {
    try {
      await this.route(ctx);
    } catch (error) {
      sendS3Error(ctx, toS3Error(error));
    }
  }

  private async route(ctx: RequestContext): Promise<void> {
    const { req, url } = ctx;
    const method = req.method ?? 'GET';
    const { bucket, key } = parseTarget(ctx.rawPath, String(req.headers.host ?? ''));
    const q = url.searchParams;
    if (
      UNSUPPORTED_SUBRESOURCES.some((name) => q.has(name)) ||
      (bucket !== '' && key === '' && q.has('uploads') && method === 'GET')
    ) {
      throw new S3Error(
        'NotImplemented',
        `This local S3 does not implement ${method} with ?${[...q.keys()].join('&')}`,
      );
    }
    if (bucket === '') {
      if (method === 'GET') return listBuckets(ctx, this.store);
      throw new S3Error('MethodNotAllowed');
    }
    if (key === '') return this.routeBucket(ctx, method, bucket);
    return this.routeObject(ctx, method, bucket, key);
  }

  /** Requests on a bucket itself (no key). */
  private async routeBucket(ctx: RequestContext, method: string, bucket: string): Promise<void> {
    const q = ctx.url.searchParams;
    switch (method) {
      case 'PUT':
        return createBucket(ctx, this.store, this.region, bucket);
      case 'HEAD':
        requireBucket(this.store, bucket);
        ctx.res
          .writeHead(
            200,
            s3Headers(ctx, { 'x-amz-bucket-region': bucketRegion(this.store, this.region, bucket) }),
          )
          .end();
        return;
      case 'DELETE':
        return deleteBucket(ctx, this.store, bucket);
      case 'GET':
        if (q.has('location')) return getBucketLocation(ctx, this.store, this.region, bucket);
        return listObjects(ctx, this.store, bucket, q.get('list-type') === '2');
      case 'POST':
        if (q.has('delete')) return deleteObjects(ctx, this.store, bucket);
    }
    throw new S3Error('MethodNotAllowed');
  }

  /** Requests on an object of a bucket, and its multipart uploads. */
  private async routeObject(ctx: RequestContext, method: string, bucket: string, key: string): Promise<void> {
    const { req, url } = ctx;
    const q = url.searchParams;
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError');
    requireBucket(this.store, bucket);
    const uploadId = q.get('uploadId');
    switch (method) {
      case 'PUT':
        if (uploadId !== null) {
          if (req.headers['x-amz-copy-source'])
            throw new S3Error('NotImplemented', 'UploadPartCopy is not implemented locally');
          const etag = await this.uploads.putPart(bucket, key, uploadId, q.get('partNumber') ?? '', req);
          ctx.res.writeHead(200, s3Headers(ctx, { etag })).end();
          return;
        }
        if (req.headers['x-amz-copy-source']) return copyObject(ctx, this.store, bucket, key);
        return putObject(ctx, this.store, bucket, key);
      case 'GET':
      case 'HEAD':
        if (method === 'GET' && this.faults.failsGet(bucket, key, req.headers.range)) {
          throw new S3Error('InternalError');
        }
        return getObject(ctx, this.store, bucket, key, method === 'HEAD');
      case 'DELETE':
        if (uploadId !== null) await this.uploads.abort(bucket, key, uploadId);
        else await this.store.deleteObject(bucket, key);
        ctx.res.writeHead(204, s3Headers(ctx)).end();
        return;
      case 'POST':
        if (q.has('uploads')) {
          const id = await this.uploads.create(bucket, key, objectHeaders(req.headers));
          return sendS3Xml(ctx, 'InitiateMultipartUploadResult', {
            Bucket: bucket,
            Key: key,
            UploadId: id,
          });
        }
        if (uploadId !== null) return completeUpload(ctx, this.uploads, bucket, key, uploadId);
    }
    throw new S3Error('MethodNotAllowed');
  }
}

/**
 * A client's bad request is a 4xx with S3's code, never a 500 (the SDKs retry 5xx): a body over the
 * limit (MaxMessageLengthExceeded), unreadable XML (MalformedXML), %-encoding that is not UTF-8 in a
 * header such as x-amz-copy-source (S3 API reference, "Error responses").
 */
function toS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof BodyTooLargeError) return new S3Error('MaxMessageLengthExceeded', error.message);
  if (error instanceof XmlSyntaxError) return new S3Error('MalformedXML');
  if (error instanceof BodyEncodingError) return new S3Error('InvalidRequest', error.message);
  if (error instanceof URIError) return new S3Error('InvalidArgument', 'A header has malformed %-encoding');
  return new S3Error('InternalError', String(error));
}

/** Path-style "/<bucket>/<key>", or virtual-hosted "<bucket>.localhost" ("Host" header). */
function parseTarget(path: string, host: string): { bucket: string; key: string } {
  const virtual = host.match(/^(.+)\.localhost(?::\d+)?$/)?.[1];
  if (virtual) return { bucket: virtual, key: decodePathPart(path.slice(1)) };
  const slash = path.indexOf('/', 1);
  if (slash < 0) return { bucket: decodePathPart(path.slice(1)), key: '' };
  return { bucket: decodePathPart(path.slice(1, slash)), key: decodePathPart(path.slice(slash + 1)) };
}

/** "%E0%A4%A" or "%zz" is no URI: S3 answers 400 InvalidURI. */
function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidURI');
  }
}

export function newRequestId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase().slice(0, 16);
}
