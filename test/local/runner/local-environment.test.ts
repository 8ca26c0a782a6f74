import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalEnvironment } from '../../../local/runner/local-environment';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'firehose-loader-environment-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const hooks = (runDir: string) => ({ runDir, onIoError: () => undefined, onLog: () => undefined });

describe('the local environment', () => {
  it('sets the functions’ environment while open and puts everything back when disposed', async () => {
    const endpointBefore = process.env.AWS_ENDPOINT_URL;
    const stdoutBefore = process.stdout.write;
    const env = await openLocalEnvironment(
      { dataDir, inProcessServices: true },
      hooks(join(dataDir, 'run-a')),
    );
    expect(process.env.AWS_ENDPOINT_URL).toBe(env.services.endpoint);
    expect(process.stdout.write).not.toBe(stdoutBefore);
    await env.dispose();
    expect(process.env.AWS_ENDPOINT_URL).toBe(endpointBefore);
    expect(process.stdout.write).toBe(stdoutBefore);
  });

  it('undoes what it started when a later piece fails, so the data folder can be opened again', async () => {
    // A file where the run folder should be: the services start, then the run folder cannot be made.
    const blocked = join(dataDir, 'not-a-folder');
    await writeFile(blocked, '');
    const endpointBefore = process.env.AWS_ENDPOINT_URL;
    await expect(
      openLocalEnvironment({ dataDir, inProcessServices: true }, hooks(join(blocked, 'run-b'))),
    ).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(process.env.AWS_ENDPOINT_URL).toBe(endpointBefore);
    // The services stopped and released the folder's lock: a second environment opens on it.
    const env = await openLocalEnvironment(
      { dataDir, inProcessServices: true },
      hooks(join(dataDir, 'run-c')),
    );
    await env.dispose();
  });
});
