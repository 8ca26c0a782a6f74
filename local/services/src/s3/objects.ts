import { createWriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { type RequestContext, readBody } from '../http/util';
import { isXmlObject, parseXml, type XmlValue, xmlText } from '../http/xml';
import {
  checkConditions,
  checkWriteCondition,
  conflictOnCommit,
  parseRange,
  writeConditionOf,
} from './conditions';
import { DigestStream, isVerifiableChecksum, type StoredChecksum, type VerifiableChecksum } from './digest';
import { S3Error } from './errors';
import { MAX_XML_BODY_BYTES, s3Headers, sendS3Xml } from './http';
import type { MultipartUploads } from './multipart';
import { DEFAULT_CONTENT_TYPE, type ObjectHeaders, type ObjectMeta } from './object-meta';
import type { S3Store } from './store';
import { receiveBody } from './upload';

/** Local S3 requests on one object: put, copy, complete a multipart upload, get and head. */

export async function putObject(
  ctx: RequestContext,
  store: S3Store,
  bucket: string,
  key: string,
): Promise<void> {
  const condition = writeConditionOf(ctx.req.headers);
  if (condition) checkWriteCondition(condition, store.getObject(bucket, key));
  const temp = store.tempPath();
  const { md5, size, checksum } = await receiveBody(ctx.req, temp);
  const meta = await store.commit(
    bucket,
    key,
    temp,
    {
      ...objectHeaders(ctx.req.headers),
      etag: `"${md5.toString('hex')}"`,
      size,
      ...(checksum ? { checksum } : {}),
    },
    condition && conflictOnCommit(condition),
  );
  ctx.res.writeHead(200, s3Headers(ctx, { etag: meta.etag, ...checksumHeaders(meta.checksum) })).end();
}

export async function copyObject(
  ctx: RequestContext,
  store: S3Store,
  bucket: string,
  key: string,
): Promise<void> {
  const source = decodeURIComponent(String(ctx.req.headers['x-amz-copy-source']).split('?')[0]).replace(
    /^\//,
    '',
  );
  const slash = source.indexOf('/');
  const sourceBucket = source.slice(0, slash);
  const sourceKey = source.slice(slash + 1);
  if (slash <= 0 || !store.hasBucket(sourceBucket))
    throw new S3Error('NoSuchBucket', undefined, { BucketName: sourceBucket });
  const meta = store.getObject(sourceBucket, sourceKey);
  if (!meta) throw new S3Error('NoSuchKey', undefined, { Key: sourceKey });
  await readBody(ctx.req, MAX_XML_BODY_BYTES);
  const temp = store.tempPath();
  // The copy keeps the source's checksum algorithm unless the request names another.
  const named = String(ctx.req.headers['x-amz-checksum-algorithm'] ?? '').toLowerCase();
  const algorithm = isVerifiableChecksum(named) ? named : meta.checksum?.algorithm;
  const digest = new DigestStream(algorithm ? [algorithm] : []);
  await pipeline(store.readStream(meta), digest, createWriteStream(temp));
  const replace = ctx.req.headers['x-amz-metadata-directive'] === 'REPLACE';
  const headers: ObjectHeaders = replace ? objectHeaders(ctx.req.headers) : pickHeaders(meta);
  const { md5, checksums } = digest.result();
  const value = algorithm ? checksums.get(algorithm) : undefined;
  const copied = await store.commit(bucket, key, temp, {
    ...headers,
    etag: `"${md5.toString('hex')}"`,
    size: digest.bytes,
    ...(algorithm && value ? { checksum: { algorithm, value } } : {}),
  });
  sendS3Xml(ctx, 'CopyObjectResult', {
    LastModified: copied.lastModified,
    ETag: copied.etag,
    ...(copied.checksum ? { [CHECKSUM_ELEMENTS[copied.checksum.algorithm]]: copied.checksum.value } : {}),
  });
}

export async function completeUpload(
  ctx: RequestContext,
  uploads: MultipartUploads,
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
  const condition = writeConditionOf(ctx.req.headers);
  if (condition) checkWriteCondition(condition, uploads.currentObject(bucket, key));
  const meta = await uploads.complete(bucket, key, uploadId, parts, condition && conflictOnCommit(condition));
  sendS3Xml(ctx, 'CompleteMultipartUploadResult', {
    Location: `http://${ctx.req.headers.host ?? '127.0.0.1'}/${bucket}/${encodeURIComponent(key)}`,
    Bucket: bucket,
    Key: key,
    ETag: meta.etag,
  });
}

export async function getObject(
  ctx: RequestContext,
  store: S3Store,
  bucket: string,
  key: string,
  head: boolean,
): Promise<void> {
  const opened = await store.openObject(bucket, key);
  if (!opened) throw new S3Error('NoSuchKey', undefined, { Key: key });
  const { meta, file } = opened;
  try {
    sendObject(ctx, meta, file, head);
  } catch (error) {
    await file.close();
    throw error;
  }
}

function sendObject(ctx: RequestContext, meta: ObjectMeta, file: FileHandle, head: boolean): void {
  checkConditions(ctx.req.headers, meta);
  const q = ctx.url.searchParams;
  const headers = s3Headers(ctx, {
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
  // With ChecksumMode=ENABLED S3 returns the whole object's checksum, but not for a part of it (Range).
  if (ctx.req.headers['x-amz-checksum-mode'] === 'ENABLED' && !range)
    Object.assign(headers, checksumHeaders(meta.checksum));
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
    void file.close();
    return;
  }
  const stream = file.createReadStream(range ?? {});
  stream.on('error', () => ctx.res.destroy());
  // A client that hangs up early must not leave the file open.
  ctx.res.on('close', () => stream.destroy());
  stream.pipe(ctx.res);
}

// CopyObjectResult's element for each checksum (S3 API reference, CopyObject).
const CHECKSUM_ELEMENTS: Record<VerifiableChecksum, string> = {
  crc32: 'ChecksumCRC32',
  crc32c: 'ChecksumCRC32C',
  sha1: 'ChecksumSHA1',
  sha256: 'ChecksumSHA256',
};

/**
 * The headers that carry a stored checksum: PutObject's response, and GET/HEAD with ChecksumMode=ENABLED
 * (S3 user guide, "Checking object integrity"). A single PUT's checksum covers the whole object.
 */
function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value, 'x-amz-checksum-type': 'FULL_OBJECT' };
}

export function objectHeaders(headers: IncomingHttpHeaders): ObjectHeaders {
  const text = (name: string) => (typeof headers[name] === 'string' ? (headers[name] as string) : undefined);
  // aws-chunked is transfer framing, not a property of the object.
  const encoding = text('content-encoding')
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked')
    .join(',');
  // Object.fromEntries defines keys: "x-amz-meta-__proto__" is metadata, not a prototype to set.
  const userMetadata: Record<string, string> = Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      name.startsWith('x-amz-meta-') && typeof value === 'string'
        ? [[name.slice('x-amz-meta-'.length), value]]
        : [],
    ),
  );
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
  return {
    contentType: meta.contentType,
    contentEncoding: meta.contentEncoding,
    cacheControl: meta.cacheControl,
    contentDisposition: meta.contentDisposition,
    contentLanguage: meta.contentLanguage,
    expires: meta.expires,
    userMetadata: meta.userMetadata,
  };
}
