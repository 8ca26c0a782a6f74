import { createHash } from 'node:crypto';
import { credentialScopeRegion } from '../http/sigv4';
import { type RequestContext, readBody, sendXml } from '../http/util';
import { isXmlObject, parseXml, S3_XMLNS, type XmlObject, xmlDocument, xmlText } from '../http/xml';
import { S3Error } from './errors';
import { MAX_XML_BODY_BYTES, s3Headers, sendS3Xml } from './http';
import { decodeToken, encodeToken, listPage, utf8Compare } from './list';
import type { ObjectMeta } from './object-meta';
import type { S3Store } from './store';

/** Local S3 requests on a bucket as a whole: create, delete, location, listings, DeleteObjects. */

// S3 limits: list calls return at most 1,000 keys; DeleteObjects takes at most 1,000 keys (S3 API
// reference).
const MAX_LIST_KEYS = 1000;
const MAX_DELETE_KEYS = 1000;
// S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens.
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local',
} as const;

export function requireBucket(store: S3Store, bucket: string): void {
  if (!store.hasBucket(bucket)) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
}

export function listBuckets(ctx: RequestContext, store: S3Store): void {
  sendS3Xml(ctx, 'ListAllMyBucketsResult', {
    Owner: { ...OWNER },
    Buckets: {
      Bucket: store
        .listBuckets()
        .map(({ name, creationDate }) => ({ Name: name, CreationDate: creationDate })),
    },
  });
}

// us-east-1 is the region a CreateBucket without LocationConstraint creates in; naming it explicitly
// is refused (S3 API reference, CreateBucket).
const DEFAULT_BUCKET_REGION = 'us-east-1';

/**
 * CreateBucket (S3 API reference): the bucket lives in its LocationConstraint's region. An endpoint of
 * another region than us-east-1 creates only in its own region; us-east-1 may create anywhere. Creating a
 * bucket you already own answers 409 BucketAlreadyOwnedByYou, except in us-east-1 where S3 answers 200
 * for legacy compatibility.
 */
export async function createBucket(
  ctx: RequestContext,
  store: S3Store,
  serviceRegion: string,
  bucket: string,
): Promise<void> {
  if (!BUCKET_NAME_PATTERN.test(bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(bucket) || bucket.includes('..')) {
    throw new S3Error('InvalidBucketName', undefined, { BucketName: bucket });
  }
  const body = (await readBody(ctx.req, MAX_XML_BODY_BYTES)).toString('utf8');
  const endpointRegion =
    credentialScopeRegion(ctx.req.headers.authorization, ctx.url.searchParams) ?? serviceRegion;
  const region = bucketRegionFor(bucket, locationConstraint(body), endpointRegion);
  const created = await store.createBucket(bucket, region);
  const existingRegion = store.bucketRegion(bucket) ?? serviceRegion;
  if (!created && !(existingRegion === DEFAULT_BUCKET_REGION && endpointRegion === DEFAULT_BUCKET_REGION))
    throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
  ctx.res.writeHead(200, s3Headers(ctx, { location: `/${bucket}` })).end();
}

function locationConstraint(body: string): string | undefined {
  if (body.trim() === '') return undefined;
  const root = parseXml(body).CreateBucketConfiguration;
  if (root === undefined) throw new S3Error('MalformedXML');
  const constraint = isXmlObject(root) ? xmlText(root.LocationConstraint) : undefined;
  return constraint === '' ? undefined : constraint;
}

function bucketRegionFor(bucket: string, constraint: string | undefined, endpointRegion: string): string {
  if (constraint === DEFAULT_BUCKET_REGION)
    throw new S3Error('InvalidLocationConstraint', undefined, {
      BucketName: bucket,
      LocationConstraint: constraint,
    });
  const region = constraint ?? DEFAULT_BUCKET_REGION;
  if (endpointRegion !== DEFAULT_BUCKET_REGION && region !== endpointRegion) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      { BucketName: bucket },
    );
  }
  return region;
}

/** A bucket's region: where it was created, or the service's for one made before that was kept. */
export function bucketRegion(store: S3Store, serviceRegion: string, bucket: string): string {
  return store.bucketRegion(bucket) ?? serviceRegion;
}

export async function deleteBucket(ctx: RequestContext, store: S3Store, bucket: string): Promise<void> {
  const result = await store.deleteBucket(bucket);
  if (result !== 'deleted') throw new S3Error(result, undefined, { BucketName: bucket });
  ctx.res.writeHead(204, s3Headers(ctx)).end();
}

export function getBucketLocation(ctx: RequestContext, store: S3Store, region: string, bucket: string): void {
  requireBucket(store, bucket);
  const actual = bucketRegion(store, region, bucket);
  // us-east-1 is reported as an empty LocationConstraint.
  const location = actual === DEFAULT_BUCKET_REGION ? '' : actual;
  sendXml(ctx, 200, xmlDocument('LocationConstraint', S3_XMLNS, { '#text': location }), s3Headers(ctx));
}

export function listObjects(ctx: RequestContext, store: S3Store, bucket: string, v2: boolean): void {
  requireBucket(store, bucket);
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
  const page = listPage(store.sortedKeys(bucket), { prefix, delimiter, maxKeys, ...resume });
  const contents = page.keys.map((key) => {
    const meta = store.getObject(bucket, key) as ObjectMeta;
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
  sendS3Xml(ctx, 'ListBucketResult', body);
}

export async function deleteObjects(ctx: RequestContext, store: S3Store, bucket: string): Promise<void> {
  requireBucket(store, bucket);
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
    await store.deleteObject(bucket, key);
    deleted.push({ Key: key });
  }
  sendS3Xml(ctx, 'DeleteResult', { Deleted: quiet ? [] : deleted });
}
