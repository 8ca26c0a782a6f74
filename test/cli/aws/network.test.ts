import { SFNClient } from '@aws-sdk/client-sfn';
import { startCommand, statusCommand } from '../../../bin/commands/aws';
import { withEndpointOnError } from '../../../bin/commands/aws/network';
import { EXECUTION_ARN, REGION, STATE_MACHINE_ARN, testDeps } from './fixtures';

/**
 * Network failures through a real SDK client whose transport is stubbed to fail the way Node's does:
 * the command prints one line naming the endpoint and what to check, never a stack trace.
 */

const ENDPOINT = `states.${REGION}.amazonaws.com`;

/** A Node socket or TLS error as node:http hands it to the SDK. */
const socketError = (code: string, message: string) => Object.assign(new Error(message), { code });

function failingDeps(error: Error) {
  const deps = testDeps({ FIREHOSE_LOADER_STATE_MACHINE_ARN: STATE_MACHINE_ARN });
  let requests = 0;
  const transport = {
    handle: async () => {
      requests += 1;
      throw error;
    },
  };
  deps.sfn = (region) =>
    withEndpointOnError(
      new SFNClient({
        region: region ?? REGION,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        requestHandler: transport,
        // No SDK retries: the line is the same after them, and the test needs no sleeps.
        maxAttempts: 1,
      }),
    );
  return { deps, requests: () => requests };
}

describe.each([
  [
    'DNS',
    socketError('ENOTFOUND', `getaddrinfo ENOTFOUND ${ENDPOINT}`),
    /the name does not resolve \(DNS\) \(ENOTFOUND\); check the network connection and DNS, AWS_REGION/,
  ],
  [
    'no route',
    socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 52.94.1.1:443'),
    /there is no route to it \(EHOSTUNREACH\); check the network connection or VPN/,
  ],
  [
    'a refused connection',
    socketError('ECONNREFUSED', 'connect ECONNREFUSED'),
    /the connection was refused or cut \(ECONNREFUSED\); check a proxy \(HTTPS_PROXY\)/,
  ],
  [
    'a timeout',
    Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
    /the request timed out \(TimeoutError\)/,
  ],
  [
    'TLS',
    socketError('CERT_HAS_EXPIRED', 'certificate has expired'),
    /the TLS handshake failed \(CERT_HAS_EXPIRED\); check the machine's clock, a TLS-inspecting proxy/,
  ],
])('a network failure (%s)', (_, error, what) => {
  it('ends start with exit code 1 and one line that names the endpoint and what to check', async () => {
    const { deps, requests } = failingDeps(error);
    expect(await startCommand({}, deps)).toBe(1);
    expect(requests()).toBe(1);
    expect(deps.err).toHaveLength(1);
    const [line] = deps.err;
    expect(line).toMatch(new RegExp(`^firehose-loader: cannot reach ${ENDPOINT.replaceAll('.', '\\.')}: `));
    expect(line).toMatch(what);
    expect(line?.trimEnd()).not.toContain('\n');
    expect(line).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it('ends status the same way', async () => {
    const { deps } = failingDeps(error);
    expect(await statusCommand(EXECUTION_ARN, {}, deps)).toBe(1);
    expect(deps.err).toEqual([
      expect.stringMatching(new RegExp(`^firehose-loader: cannot reach ${ENDPOINT}`)),
    ]);
  });
});
