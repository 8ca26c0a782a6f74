import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { DigestStream } from './digest';
import { type RequestContext, readBody, sendXml } from './http-util';
import { checkConditions, parseRange } from './s3-conditions';
import { S3_ERRORS, S3Error } from './s3-errors';
import { type S3FaultSettings, S3ReadFaults } from './s3-faults';
import { decodeToken, encodeToken, listPage, utf8Compare } from './s3-list';
import { MultipartUploads } from './s3-multipart';
import { DEFAULT_CONTENT_TYPE, type ObjectHeaders, type ObjectMeta, type S3Store } from './s3-store';
import { receiveBody } from './s3-upload';
import { isXmlObject, parseXml, S3_XMLNS, type XmlObject, type XmlValue, xmlDocument, xmlText } from './xml';

/** Local S3, path-style (http://127.0.0.1:<port>/<bucket>/<key>), also virtual-hosted on *.localhost. */

// S3 limits: keys are at most 1,024 bytes of UTF-8; list calls return at most 1,000 keys; DeleteObjects
// takes at most 1,000 keys (S3 API reference).
const MAX_KEY_BYTES = 1024;
const MAX_LIST_KEYS = 1000;
const MAX_DELETE_KEYS = 1000;
// S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens.
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local',
} as const;
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
const MAX_XML_BODY_BYTES = 10 * 1024 * 1024;

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
      const s3Error = error instanceof S3Error ? error : new S3Error('InternalError', String(error));
      this.sendError(ctx, s3Error);
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
      if (method === 'GET') return this.listBuckets(ctx);
      throw new S3Error('MethodNotAllowed');
    }
    if (key === '') {
      switch (method) {
        case 'PUT':
          return this.createBucket(ctx, bucket);
        case 'HEAD':
          this.requireBucket(bucket);
          ctx.res.writeHead(200, this.headers(ctx, { 'x-amz-bucket-region': this.region })).end();
          return;
        case 'DELETE':
          return this.deleteBucket(ctx, bucket);
        case 'GET':
          if (q.has('location')) return this.getBucketLocation(ctx, bucket);
          return this.listObjects(ctx, bucket, q.get('list-type') === '2');
        case 'POST':
          if (q.has('delete')) return this.deleteObjects(ctx, bucket);
      }
      throw new S3Error('MethodNotAllowed');
    }
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError');
    this.requireBucket(bucket);
    const uploadId = q.get('uploadId');
    switch (method) {
      case 'PUT':
        if (uploadId !== null) {
          if (req.headers['x-amz-copy-source'])
            throw new S3Error('NotImplemented', 'UploadPartCopy is not implemented locally');
          const etag = await this.uploads.putPart(bucket, key, uploadId, q.get('partNumber') ?? '', req);
          ctx.res.writeHead(200, this.headers(ctx, { etag })).end();
          return;
        }
        if (req.headers['x-amz-copy-source']) return this.copyObject(ctx, bucket, key);
        return this.putObject(ctx, bucket, key);
      case 'GET':
      case 'HEAD':
        if (method === 'GET' && this.faults.failsGet(bucket, key, req.headers.range)) {
          throw new S3Error('InternalError');
        }
        return this.getObject(ctx, bucket, key, method === 'HEAD');
      case 'DELETE':
        if (uploadId !== null) await this.uploads.abort(bucket, key, uploadId);
        else await this.store.deleteObject(bucket, key);
        ctx.res.writeHead(204, this.headers(ctx)).end();
        return;
      case 'POST':
        if (q.has('uploads')) {
          const id = await this.uploads.create(bucket, key, objectHeaders(req.headers));
          return this.sendXml(ctx, 'InitiateMultipartUploadResult', {
            Bucket: bucket,
            Key: key,
            UploadId: id,
          });
        }
        if (uploadId !== null) return this.completeUpload(ctx, bucket, key, uploadId);
    }
    throw new S3Error('MethodNotAllowed');
  }

  private listBuckets(ctx: RequestContext): void {
    this.sendXml(ctx, 'ListAllMyBucketsResult', {
      Owner: { ...OWNER },
      Buckets: {
        Bucket: this.store
          .listBuckets()
          .map(({ name, creationDate }) => ({ Name: name, CreationDate: creationDate })),
      },
    });
  }

  private async createBucket(ctx: RequestContext, bucket: string): Promise<void> {
    if (!BUCKET_NAME_PATTERN.test(bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(bucket) || bucket.includes('..')) {
      throw new S3Error('InvalidBucketName', undefined, { BucketName: bucket });
    }
    await readBody(ctx.req, MAX_XML_BODY_BYTES);
    const created = await this.store.createBucket(bucket);
    // S3 answers a repeated CreateBucket with success in us-east-1 only (legacy behaviour), 409 elsewhere.
    if (!created && this.region !== 'us-east-1')
      throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
    ctx.res.writeHead(200, this.headers(ctx, { location: `/${bucket}` })).end();
  }

  private async deleteBucket(ctx: RequestContext, bucket: string): Promise<void> {
    const result = await this.store.deleteBucket(bucket);
    if (result !== 'deleted') throw new S3Error(result, undefined, { BucketName: bucket });
    ctx.res.writeHead(204, this.headers(ctx)).end();
  }

  private getBucketLocation(ctx: RequestContext, bucket: string): void {
    this.requireBucket(bucket);
    // us-east-1 is reported as an empty LocationConstraint.
    const location = this.region === 'us-east-1' ? '' : this.region;
    sendXml(ctx, 200, xmlDocument('LocationConstraint', S3_XMLNS, { '#text': location }), this.headers(ctx));
  }

  private listObjects(ctx: RequestContext, bucket: string, v2: boolean): void {
    this.requireBucket(bucket);
    const q = ctx.url.searchParams;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Math.min(MAX_LIST_KEYS, Math.max(0, Number(q.get('max-keys') ?? MAX_LIST_KEYS) || 0));
    const urlEncoded = q.get('encoding-type') === 'url';
    const encode = (text: string) =>
      urlEncoded ? encodeURIComponent(text).replace(/%20/g, '+').replace(/%2F/g, '/') : text;
    const startAfter = (v2 ? q.get('start-after') : q.get('marker')) ?? '';
    const token = v2 ? q.get('continuation-token') : null;
    let resume = { after: startAfter, skipPrefix: '' };
    if (token !== null) {
      const decoded = decodeToken(token);
      if (!decoded) throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect');
      resume = utf8Compare(decoded.after, startAfter) > 0 ? decoded : resume;
    }
    const page = listPage(this.store.sortedKeys(bucket), { prefix, delimiter, maxKeys, ...resume });
    const contents = page.keys.map((key) => {
      const meta = this.store.getObject(bucket, key) as ObjectMeta;
      return {
        Key: encode(key),
        LastModified: meta.lastModified,
        ETag: meta.etag,
        Size: meta.size,
        ...(v2 ? {} : { Owner: { ...OWNER } }),
        StorageClass: 'STANDARD',
      };
    });
    const common = page.prefixes.map((p) => ({ Prefix: encode(p) }));
    const last = page.last;
    const body: XmlObject = v2
      ? {
          Name: bucket,
          Prefix: encode(prefix),
          Delimiter: delimiter === '' ? undefined : encode(delimiter),
          MaxKeys: maxKeys,
          EncodingType: urlEncoded ? 'url' : undefined,
          KeyCount: contents.length + common.length,
          IsTruncated: page.truncated,
          ContinuationToken: token ?? undefined,
          NextContinuationToken: page.truncated && last ? encodeToken(last) : undefined,
          StartAfter: q.has('start-after') ? encode(startAfter) : undefined,
          Contents: contents,
          CommonPrefixes: common,
        }
      : {
          Name: bucket,
          Prefix: encode(prefix),
          Marker: encode(startAfter),
          NextMarker: page.truncated && last ? encode(last.after) : undefined,
          Delimiter: delimiter === '' ? undefined : encode(delimiter),
          MaxKeys: maxKeys,
          EncodingType: urlEncoded ? 'url' : undefined,
          IsTruncated: page.truncated,
          Contents: contents,
          CommonPrefixes: common,
        };
    this.sendXml(ctx, 'ListBucketResult', body);
  }

  private async deleteObjects(ctx: RequestContext, bucket: string): Promise<void> {
    this.requireBucket(bucket);
    const body = await readBody(ctx.req, MAX_XML_BODY_BYTES);
    const contentMd5 = ctx.req.headers['content-md5'];
    if (typeof contentMd5 === 'string' && contentMd5 !== createHash('md5').update(body).digest('base64')) {
      throw new S3Error('BadDigest');
    }
    const root = parseXml(body.toString('utf8')).Delete;
    const objects = isXmlObject(root) && Array.isArray(root.Object) ? root.Object : undefined;
    if (!isXmlObject(root) || !objects || objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
      throw new S3Error('MalformedXML');
    }
    const quiet = xmlText(root.Quiet) === 'true';
    const deleted: XmlObject[] = [];
    for (const entry of objects) {
      const key = isXmlObject(entry) ? xmlText(entry.Key) : undefined;
      if (key === undefined) throw new S3Error('MalformedXML');
      await this.store.deleteObject(bucket, key);
      deleted.push({ Key: key });
    }
    this.sendXml(ctx, 'DeleteResult', { Deleted: quiet ? [] : deleted });
  }

  private async putObject(ctx: RequestContext, bucket: string, key: string): Promise<void> {
    const temp = this.store.tempPath();
    const { md5, size } = await receiveBody(ctx.req, temp);
    const meta = await this.store.commit(bucket, key, temp, {
      ...objectHeaders(ctx.req.headers),
      etag: `"${md5.toString('hex')}"`,
      size,
    });
    ctx.res.writeHead(200, this.headers(ctx, { etag: meta.etag })).end();
  }

  private async copyObject(ctx: RequestContext, bucket: string, key: string): Promise<void> {
    const source = decodeURIComponent(String(ctx.req.headers['x-amz-copy-source']).split('?')[0]).replace(
      /^\//,
      '',
    );
    const slash = source.indexOf('/');
    const sourceBucket = source.slice(0, slash);
    const sourceKey = source.slice(slash + 1);
    if (slash <= 0 || !this.store.hasBucket(sourceBucket))
      throw new S3Error('NoSuchBucket', undefined, { BucketName: sourceBucket });
    const meta = this.store.getObject(sourceBucket, sourceKey);
    if (!meta) throw new S3Error('NoSuchKey', undefined, { Key: sourceKey });
    await readBody(ctx.req, MAX_XML_BODY_BYTES);
    const temp = this.store.tempPath();
    const digest = new DigestStream([]);
    await pipeline(this.store.readStream(meta), digest, createWriteStream(temp));
    const replace = ctx.req.headers['x-amz-metadata-directive'] === 'REPLACE';
    const headers: ObjectHeaders = replace ? objectHeaders(ctx.req.headers) : pickHeaders(meta);
    const copied = await this.store.commit(bucket, key, temp, {
      ...headers,
      etag: `"${digest.result().md5.toString('hex')}"`,
      size: digest.bytes,
    });
    this.sendXml(ctx, 'CopyObjectResult', { LastModified: copied.lastModified, ETag: copied.etag });
  }

  private async completeUpload(
    ctx: RequestContext,
    bucket: string,
    key: string,
    uploadId: string,
  ): Promise<void> {
    const root = parseXml(
      (await readBody(ctx.req, MAX_XML_BODY_BYTES)).toString('utf8'),
    ).CompleteMultipartUpload;
    const partList: XmlValue[] = isXmlObject(root) && Array.isArray(root.Part) ? root.Part : [];
    const parts = partList.map((part) => {
      const partNumber = Number(isXmlObject(part) ? xmlText(part.PartNumber) : Number.NaN);
      const etag = isXmlObject(part) ? xmlText(part.ETag) : undefined;
      if (!Number.isInteger(partNumber) || etag === undefined) throw new S3Error('MalformedXML');
      return { partNumber, etag };
    });
    const meta = await this.uploads.complete(bucket, key, uploadId, parts);
    this.sendXml(ctx, 'CompleteMultipartUploadResult', {
      Location: `http://${ctx.req.headers.host ?? '127.0.0.1'}/${bucket}/${encodeURIComponent(key)}`,
      Bucket: bucket,
      Key: key,
      ETag: meta.etag,
    });
  }

  private getObject(ctx: RequestContext, bucket: string, key: string, head: boolean): void {
    const meta = this.store.getObject(bucket, key);
    if (!meta) throw new S3Error('NoSuchKey', undefined, { Key: key });
    checkConditions(ctx.req.headers, meta);
    const q = ctx.url.searchParams;
    const headers = this.headers(ctx, {
      etag: meta.etag,
      'last-modified': new Date(meta.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      'content-type': q.get('response-content-type') ?? meta.contentType,
    });
    const optional: [string, string | undefined][] = [
      ['content-encoding', q.get('response-content-encoding') ?? meta.contentEncoding],
      ['cache-control', q.get('response-cache-control') ?? meta.cacheControl],
      ['content-disposition', q.get('response-content-disposition') ?? meta.contentDisposition],
      ['content-language', q.get('response-content-language') ?? meta.contentLanguage],
      ['expires', q.get('response-expires') ?? meta.expires],
    ];
    for (const [name, value] of optional) if (value !== undefined) headers[name] = value;
    for (const [name, value] of Object.entries(meta.userMetadata)) headers[`x-amz-meta-${name}`] = value;

    const range = parseRange(ctx.req.headers.range, meta.size);
    if (range === 'unsatisfiable') {
      throw new S3Error(
        'InvalidRange',
        undefined,
        { RangeRequested: String(ctx.req.headers.range), ActualObjectSize: String(meta.size) },
        {
          'content-range': `bytes */${meta.size}`,
        },
      );
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
      headers['content-length'] = String(range.end - range.start + 1);
    } else {
      headers['content-length'] = String(meta.size);
    }
    ctx.res.writeHead(range ? 206 : 200, headers);
    if (head || meta.size === 0) {
      ctx.res.end();
      return;
    }
    const stream = this.store.readStream(meta, range ?? undefined);
    stream.on('error', () => ctx.res.destroy());
    stream.pipe(ctx.res);
  }

  private requireBucket(bucket: string): void {
    if (!this.store.hasBucket(bucket)) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
  }

  private headers(ctx: RequestContext, extra: Record<string, string> = {}): Record<string, string> {
    return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.requestId, ...extra };
  }

  private sendXml(ctx: RequestContext, root: string, body: XmlObject): void {
    sendXml(ctx, 200, xmlDocument(root, S3_XMLNS, body), this.headers(ctx));
  }

  private sendError(ctx: RequestContext, error: S3Error): void {
    const { status } = S3_ERRORS[error.code];
    if (ctx.res.headersSent) {
      ctx.res.destroy();
      return;
    }
    const headers = this.headers(ctx, error.headers);
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
}

/** Path-style "/<bucket>/<key>", or virtual-hosted "<bucket>.localhost" ("Host" header). */
function parseTarget(path: string, host: string): { bucket: string; key: string } {
  const virtual = host.match(/^(.+)\.localhost(?::\d+)?$/)?.[1];
  if (virtual) return { bucket: virtual, key: decodeURIComponent(path.slice(1)) };
  const slash = path.indexOf('/', 1);
  if (slash < 0) return { bucket: decodeURIComponent(path.slice(1)), key: '' };
  return { bucket: decodeURIComponent(path.slice(1, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
}

function objectHeaders(headers: IncomingHttpHeaders): ObjectHeaders {
  const text = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
  // aws-chunked is transfer framing, not a property of the object.
  const encoding = text('content-encoding')
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked')
    .join(',');
  const userMetadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string')
      userMetadata[name.slice('x-amz-meta-'.length)] = value;
  }
  return {
    contentType: text('content-type') ?? DEFAULT_CONTENT_TYPE,
    contentEncoding: encoding === '' ? undefined : encoding,
    cacheControl: text('cache-control'),
    contentDisposition: text('content-disposition'),
    contentLanguage: text('content-language'),
    expires: text('expires'),
    userMetadata,
  };
}

function pickHeaders(meta: ObjectMeta): ObjectHeaders {
  const {
    contentType,
    contentEncoding,
    cacheControl,
    contentDisposition,
    contentLanguage,
    expires,
    userMetadata,
  } = meta;
  return {
    contentType,
    contentEncoding,
    cacheControl,
    contentDisposition,
    contentLanguage,
    expires,
    userMetadata,
  };
}

export function newRequestId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase().slice(0, 16);
}
