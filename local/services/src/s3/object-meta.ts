import type { StoredChecksum } from './digest';

/** What local S3 keeps about an object besides its bytes (s3-meta/<bucket>/objects/<sha256(key)>.json). */

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface ObjectHeaders {
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  expires?: string;
  userMetadata: Record<string, string>;
}

export interface ObjectMeta extends ObjectHeaders {
  key: string;
  /** Quoted, as S3 sends it. */
  etag: string;
  size: number;
  /** ISO 8601. */
  lastModified: string;
  /** Where the bytes are, relative to the data directory. */
  dataPath: string;
  /** The flexible checksum the object was uploaded with, returned with ChecksumMode=ENABLED. */
  checksum?: StoredChecksum;
}
