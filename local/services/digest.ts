import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

/**
 * Passes bytes through while computing the MD5 (the S3 ETag) and any flexible checksum the client
 * declared, so the body is hashed once, on its way to disk.
 */

/** Checksums that can be verified with Node alone; CRC32C and CRC64NVME are accepted unverified. */
export const VerifiableChecksum = { crc32: 'crc32', sha1: 'sha1', sha256: 'sha256' } as const;
export type VerifiableChecksum = (typeof VerifiableChecksum)[keyof typeof VerifiableChecksum];

export class DigestStream extends Transform {
  bytes = 0;
  private readonly md5 = createHash('md5');
  private crc: number | undefined;
  private readonly hashes = new Map<VerifiableChecksum, Hash>();

  constructor(checksums: readonly VerifiableChecksum[]) {
    super();
    for (const algorithm of checksums) {
      if (algorithm === VerifiableChecksum.crc32) this.crc = 0;
      else this.hashes.set(algorithm, createHash(algorithm));
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.md5.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
    for (const hash of this.hashes.values()) hash.update(chunk);
    callback(null, chunk);
  }

  /** Call once, after the stream finished. */
  result(): { md5: Buffer; checksums: Map<VerifiableChecksum, string> } {
    const checksums = new Map<VerifiableChecksum, string>();
    if (this.crc !== undefined) {
      const value = Buffer.alloc(4);
      value.writeUInt32BE(this.crc >>> 0);
      checksums.set(VerifiableChecksum.crc32, value.toString('base64'));
    }
    for (const [algorithm, hash] of this.hashes) checksums.set(algorithm, hash.digest('base64'));
    return { md5: this.md5.digest(), checksums };
  }
}

export function isVerifiableChecksum(name: string): name is VerifiableChecksum {
  return Object.values<string>(VerifiableChecksum).includes(name);
}
