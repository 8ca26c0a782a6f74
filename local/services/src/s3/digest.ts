import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { crc32c } from './crc32c';

/**
 * Passes bytes through while computing the MD5 (the S3 ETag) and any flexible checksum the client
 * declared, so the body is hashed once, on its way to disk.
 */

/** The flexible checksums verified, stored and returned locally; CRC64NVME is accepted unverified. */
export const VerifiableChecksum = {
  crc32: 'crc32',
  crc32c: 'crc32c',
  sha1: 'sha1',
  sha256: 'sha256',
} as const;
export type VerifiableChecksum = (typeof VerifiableChecksum)[keyof typeof VerifiableChecksum];

/** An object's flexible checksum as S3 stores and returns it (x-amz-checksum-<algorithm>: <base64>). */
export interface StoredChecksum {
  algorithm: VerifiableChecksum;
  value: string;
}

export class DigestStream extends Transform {
  bytes = 0;
  private readonly md5 = createHash('md5');
  private crc: number | undefined;
  private crcC: number | undefined;
  private readonly hashes = new Map<VerifiableChecksum, Hash>();

  constructor(checksums: readonly VerifiableChecksum[]) {
    super();
    for (const algorithm of checksums) {
      if (algorithm === VerifiableChecksum.crc32) this.crc = 0;
      else if (algorithm === VerifiableChecksum.crc32c) this.crcC = 0;
      else this.hashes.set(algorithm, createHash(algorithm));
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.md5.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
    if (this.crcC !== undefined) this.crcC = crc32c(chunk, this.crcC);
    for (const hash of this.hashes.values()) hash.update(chunk);
    callback(null, chunk);
  }

  /** Call once, after the stream finished. */
  result(): { md5: Buffer; checksums: Map<VerifiableChecksum, string> } {
    const checksums = new Map<VerifiableChecksum, string>();
    // CRCs are sent as their 4 big-endian bytes in base64, hashes as their digest in base64.
    const crcText = (crc: number) => {
      const value = Buffer.alloc(4);
      value.writeUInt32BE(crc >>> 0);
      return value.toString('base64');
    };
    if (this.crc !== undefined) checksums.set(VerifiableChecksum.crc32, crcText(this.crc));
    if (this.crcC !== undefined) checksums.set(VerifiableChecksum.crc32c, crcText(this.crcC));
    for (const [algorithm, hash] of this.hashes) checksums.set(algorithm, hash.digest('base64'));
    return { md5: this.md5.digest(), checksums };
  }
}

export function isVerifiableChecksum(name: string): name is VerifiableChecksum {
  return Object.values<string>(VerifiableChecksum).includes(name);
}
