import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { S3Error } from './errors';
import type { ObjectHeaders, ObjectMeta } from './object-meta';
import type { S3Store } from './store';
import { receiveBody } from './upload';

// S3 multipart limits: part numbers 1..10,000; every part but the last at least 5 MiB (S3 user guide,
// "Amazon S3 multipart upload limits").
export const MAX_PART_NUMBER = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;

const UPLOAD_ID_PATTERN = /^[0-9a-f]{32}$/;

interface UploadInfo {
  bucket: string;
  key: string;
  headers: ObjectHeaders;
}

interface PartInfo {
  etag: string;
  size: number;
}

/** Multipart uploads kept on disk under s3-meta/.uploads/<uploadId>/ until completed or aborted. */
export class MultipartUploads {
  private readonly completing = new Set<string>();

  constructor(private readonly store: S3Store) {}

  async create(bucket: string, key: string, headers: ObjectHeaders): Promise<string> {
    const uploadId = randomBytes(16).toString('hex');
    await mkdir(this.dir(uploadId), { recursive: true });
    const info: UploadInfo = { bucket, key, headers };
    await writeFile(path.join(this.dir(uploadId), 'upload.json'), JSON.stringify(info));
    return uploadId;
  }

  async putPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumberText: string,
    req: IncomingMessage,
  ): Promise<string> {
    const partNumber = Number(partNumberText);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new S3Error(
        'InvalidArgument',
        `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      );
    }
    await this.info(bucket, key, uploadId);
    const temp = this.store.tempPath();
    const { md5, size } = await receiveBody(req, temp);
    const etag = `"${md5.toString('hex')}"`;
    const part: PartInfo = { etag, size };
    await rename(temp, path.join(this.dir(uploadId), `${partNumber}.part`));
    await writeFile(path.join(this.dir(uploadId), `${partNumber}.json`), JSON.stringify(part));
    return etag;
  }

  async complete(
    bucket: string,
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
    precondition?: (current: ObjectMeta | undefined) => void,
  ): Promise<ObjectMeta> {
    const info = await this.info(bucket, key, uploadId);
    if (parts.length === 0) throw new S3Error('MalformedXML');
    if (this.completing.has(uploadId)) throw new S3Error('NoSuchUpload');
    this.completing.add(uploadId);
    try {
      if (parts.some((part, index) => index > 0 && part.partNumber <= parts[index - 1].partNumber)) {
        throw new S3Error('InvalidPartOrder');
      }
      const found: PartInfo[] = [];
      for (const [index, { partNumber, etag }] of parts.entries()) {
        const part = await this.part(uploadId, partNumber);
        if (!part || normalizeEtag(part.etag) !== normalizeEtag(etag)) throw new S3Error('InvalidPart');
        if (index < parts.length - 1 && part.size < MIN_PART_BYTES) throw new S3Error('EntityTooSmall');
        found.push(part);
      }
      const temp = this.store.tempPath();
      const out = createWriteStream(temp);
      // Written chunk by chunk: a pipeline per part with `end: false` leaves its listeners on `out`,
      // and an upload of more than ten parts then trips Node's MaxListenersExceededWarning.
      for (const { partNumber } of parts) {
        for await (const chunk of createReadStream(path.join(this.dir(uploadId), `${partNumber}.part`))) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
      }
      out.end();
      await finished(out);
      // Multipart ETag: MD5 of the concatenated binary part MD5s, then "-<part count>".
      const md5s = Buffer.concat(found.map((part) => Buffer.from(normalizeEtag(part.etag), 'hex')));
      const meta = await this.store.commit(
        bucket,
        key,
        temp,
        {
          ...info.headers,
          etag: `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`,
          size: found.reduce((sum, part) => sum + part.size, 0),
        },
        precondition,
      );
      await rm(this.dir(uploadId), { recursive: true, force: true });
      return meta;
    } finally {
      this.completing.delete(uploadId);
    }
  }

  /** The object an upload would replace, for its conditions. */
  currentObject(bucket: string, key: string): ObjectMeta | undefined {
    return this.store.getObject(bucket, key);
  }

  async abort(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.info(bucket, key, uploadId);
    await rm(this.dir(uploadId), { recursive: true, force: true });
  }

  private async info(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    if (!UPLOAD_ID_PATTERN.test(uploadId))
      throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    try {
      const info = JSON.parse(
        await readFile(path.join(this.dir(uploadId), 'upload.json'), 'utf8'),
      ) as UploadInfo;
      if (info.bucket === bucket && info.key === key) return info;
    } catch {
      // Missing upload.json: the upload was never created, or was completed or aborted.
    }
    throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
  }

  private async part(uploadId: string, partNumber: number): Promise<PartInfo | undefined> {
    try {
      return JSON.parse(
        await readFile(path.join(this.dir(uploadId), `${partNumber}.json`), 'utf8'),
      ) as PartInfo;
    } catch {
      return undefined;
    }
  }

  private dir(uploadId: string): string {
    return path.join(this.store.uploadsRoot(), uploadId);
  }
}

function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toLowerCase();
}
