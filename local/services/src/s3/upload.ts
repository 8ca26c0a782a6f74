import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedDecoder, isAwsChunked } from '../http/aws-chunked';
import { DigestStream, isVerifiableChecksum, type StoredChecksum, type VerifiableChecksum } from './digest';
import { S3Error } from './errors';

// S3 quota: a single PUT uploads at most 5 GiB (S3 user guide, "Uploading objects").
export const MAX_PUT_OBJECT_BYTES = 5 * 1024 ** 3;
const CHECKSUM_HEADER_PREFIX = 'x-amz-checksum-';

/**
 * The checksums a request declares: as headers (x-amz-checksum-*), as trailers it announces
 * (x-amz-trailer), and the one the object keeps (x-amz-sdk-checksum-algorithm, else the first declared).
 */
function declaredChecksums(headers: IncomingHttpHeaders): {
  declared: Map<VerifiableChecksum, string>;
  expectedTrailers: VerifiableChecksum[];
  kept: VerifiableChecksum | undefined;
} {
  const declared = new Map<VerifiableChecksum, string>();
  const expectedTrailers: VerifiableChecksum[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const algorithm = name.startsWith(CHECKSUM_HEADER_PREFIX)
      ? name.slice(CHECKSUM_HEADER_PREFIX.length)
      : '';
    if (isVerifiableChecksum(algorithm) && typeof value === 'string') declared.set(algorithm, value);
  }
  for (const name of String(headers['x-amz-trailer'] ?? '').split(',')) {
    const algorithm = name.trim().toLowerCase().slice(CHECKSUM_HEADER_PREFIX.length);
    if (isVerifiableChecksum(algorithm)) expectedTrailers.push(algorithm);
  }
  const named = String(headers['x-amz-sdk-checksum-algorithm'] ?? '').toLowerCase();
  const kept = isVerifiableChecksum(named) ? named : [...declared.keys(), ...expectedTrailers][0];
  return { declared, expectedTrailers, kept };
}

/**
 * Streams a PutObject/UploadPart body to `tempFile`, decoding aws-chunked framing and verifying
 * Content-MD5 and any CRC32/CRC32C/SHA-1/SHA-256 checksum sent as a header or trailer. Deletes the temp
 * file and throws an S3Error when the body is not what the client declared. `checksum` is the one the
 * object keeps: the algorithm the client named (x-amz-sdk-checksum-algorithm) or declared.
 */
export async function receiveBody(
  req: IncomingMessage,
  tempFile: string,
): Promise<{ md5: Buffer; size: number; checksum?: StoredChecksum }> {
  const chunked = isAwsChunked(req.headers);
  const { declared, expectedTrailers, kept } = declaredChecksums(req.headers);
  const declaredLength = Number(
    req.headers[chunked ? 'x-amz-decoded-content-length' : 'content-length'] ?? Number.NaN,
  );
  if (declaredLength > MAX_PUT_OBJECT_BYTES) throw new S3Error('EntityTooLarge');

  const decoder = chunked ? new AwsChunkedDecoder() : undefined;
  const digest = new DigestStream([
    ...new Set([...declared.keys(), ...expectedTrailers, ...(kept ? [kept] : [])]),
  ]);
  try {
    try {
      if (decoder) await pipeline(req, decoder, digest, createWriteStream(tempFile));
      else await pipeline(req, digest, createWriteStream(tempFile));
    } catch (error) {
      throw new S3Error('IncompleteBody', error instanceof Error ? error.message : undefined);
    }
    if (!Number.isNaN(declaredLength) && digest.bytes !== declaredLength) throw new S3Error('IncompleteBody');
    const { md5, checksums } = digest.result();
    const contentMd5 = req.headers['content-md5'];
    if (typeof contentMd5 === 'string') {
      if (Buffer.from(contentMd5, 'base64').length !== 16) throw new S3Error('InvalidDigest');
      if (contentMd5 !== md5.toString('base64')) throw new S3Error('BadDigest');
    }
    for (const [algorithm, actual] of checksums) {
      const expected =
        declared.get(algorithm) ?? decoder?.trailers.get(`${CHECKSUM_HEADER_PREFIX}${algorithm}`);
      if (expected !== undefined && expected !== actual) {
        throw new S3Error(
          'BadDigest',
          `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
    }
    const keptValue = kept ? checksums.get(kept) : undefined;
    return {
      md5,
      size: digest.bytes,
      ...(kept && keptValue ? { checksum: { algorithm: kept, value: keptValue } } : {}),
    };
  } catch (error) {
    await unlink(tempFile).catch(() => undefined);
    throw error;
  }
}
