import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../shared/errors';
import { headObject, type ObjectRef } from '../shared/s3-io';

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * HEADs the source; a missing one is a mistake in the input, so say which object, not S3's bare
 * "NotFound". Without an unconditional s3:ListBucket, S3 answers 403 for a missing key too (S3 API
 * reference, HeadObject "Permissions"), and Plan's ListBucket on the artifact bucket is conditioned on
 * the runs/ prefix, which applies to LIST requests only. So a 403 is checked with a LIST of exactly
 * that key, which the prefix-conditioned grant allows: absent means missing, anything else denied.
 */
export async function headSource(
  s3: S3Client,
  source: ObjectRef,
  artifactBucket: string,
): Promise<{ size: number; etag: string }> {
  try {
    return await headObject(s3, source);
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || (status === 403 && (await listedAsMissing(s3, source)))) {
      throw new InvalidInputError(missingMessage(source, artifactBucket), { cause: error });
    }
    if (status === 403) {
      throw new InvalidInputError(
        `input field "source": access to s3://${source.bucket}/${source.key} was denied (check the key and the bucket policy)`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** True only when a LIST of the key succeeds and does not contain it; a refused LIST proves nothing. */
async function listedAsMissing(s3: S3Client, source: ObjectRef): Promise<boolean> {
  try {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: source.bucket, Prefix: source.key, MaxKeys: 1 }),
    );
    return !(page.Contents ?? []).some((object) => object.Key === source.key);
  } catch {
    return false;
  }
}

function missingMessage(source: ObjectRef, artifactBucket: string): string {
  const uri = `s3://${source.bucket}/${source.key}`;
  // A source in the artifact bucket is a rerun of another run's dead letters.
  if (source.bucket === artifactBucket)
    return `input field "source.key": no such dead-letter file ${uri} (check the run id; a run that dead-lettered nothing has none, and run artefacts expire after the artifact retention)`;
  return `input field "source.key": ${uri} does not exist`;
}
