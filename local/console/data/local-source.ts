import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import type { ArtifactStore } from './artifact-store';
import { s3ArtifactStore } from './artifact-store';
import { LOCAL_RESOURCE_NAMES, type LocalResourceNames, readDataLock } from './contract';

/**
 * Where a local run's artefacts are read from. While local services run on the data folder (a run in
 * progress: they hold its lock and name their endpoint), through their S3 API, as the functions wrote
 * them; when none run, from the files local S3 keeps them in (`services/s3/<bucket>/<key>`, as
 * runs-store.ts reads them), which nothing writes then.
 */

const clients = new Map<string, { s3: S3Client; cloudWatch: CloudWatchClient }>();

/** SDK clients for local services at `endpoint` (path-style S3; the services check no signature). */
export function localClients(endpoint: string, region = LOCAL_RESOURCE_NAMES.region) {
  let found = clients.get(endpoint);
  if (!found) {
    const config = { endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    found = {
      s3: new S3Client({ ...config, forcePathStyle: true }),
      cloudWatch: new CloudWatchClient(config),
    };
    clients.set(endpoint, found);
  }
  return found;
}

/** The endpoint of the local services running on the data folder now, if any. */
export async function liveEndpoint(dataDir: string): Promise<string | undefined> {
  return (await readDataLock(join(dataDir, 'services')))?.endpoint;
}

const isMissing = (error: unknown) => (error as { code?: string })?.code === 'ENOENT';

/** Local S3's objects of one bucket, read as files; keys that would leave the bucket's folder are refused. */
export function fileArtifactStore(dataDir: string, bucket: string): ArtifactStore {
  const root = resolve(dataDir, 'services', 's3', bucket);
  const fileOf = (key: string) => {
    const file = resolve(root, ...key.split('/'));
    return file === root || file.startsWith(`${root}${sep}`) ? file : undefined;
  };
  return {
    bucket,
    async getText(key) {
      const file = fileOf(key);
      return file
        ? readFile(file, 'utf8').catch((error) => (isMissing(error) ? undefined : Promise.reject(error)))
        : undefined;
    },
    async getStream(key) {
      const file = fileOf(key);
      const info = file ? await stat(file).catch(() => undefined) : undefined;
      if (!file || !info?.isFile()) return undefined;
      return { body: createReadStream(file), bytes: info.size };
    },
    async has(key) {
      const file = fileOf(key);
      return Boolean(file && (await stat(file).catch(() => undefined))?.isFile());
    },
    async *listKeys(prefix) {
      // Only the folder the prefix is in is walked, not every run's artefacts.
      const folder = fileOf(prefix.slice(0, prefix.lastIndexOf('/') + 1) || '.') ?? root;
      const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
      const keys = entries
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort();
      yield* keys;
    },
  };
}

/** The artifact bucket of the data folder: through the running services, else from its files. */
export async function localArtifactStoreFor(
  dataDir: string,
  names: LocalResourceNames = LOCAL_RESOURCE_NAMES,
): Promise<ArtifactStore> {
  const endpoint = await liveEndpoint(dataDir);
  return endpoint
    ? s3ArtifactStore(localClients(endpoint, names.region).s3, names.artifactBucket)
    : fileArtifactStore(dataDir, names.artifactBucket);
}
