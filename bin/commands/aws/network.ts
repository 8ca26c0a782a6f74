/**
 * Network failures of the AWS commands as one line: which endpoint, what went wrong, what to check.
 * Node reports them by socket or TLS `code` (ENOTFOUND, EHOSTUNREACH, CERT_HAS_EXPIRED …), the SDK
 * by `TimeoutError`; the clients tag the failed request with its endpoint (withEndpointOnError).
 */

const PROXY = 'a proxy (HTTPS_PROXY) or firewall in the way';

const KINDS: { codes: RegExp; what: string; check: string }[] = [
  {
    codes: /^(ENOTFOUND|EAI_AGAIN)$/,
    what: 'the name does not resolve (DNS)',
    check: 'the network connection and DNS, AWS_REGION, and AWS_ENDPOINT_URL if set',
  },
  {
    codes: /^(EHOSTUNREACH|ENETUNREACH|ENETDOWN)$/,
    what: 'there is no route to it',
    check: `the network connection or VPN, and ${PROXY}`,
  },
  {
    codes: /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|EPIPE)$/,
    what: 'the connection was refused or cut',
    check: `${PROXY}, and AWS_ENDPOINT_URL if set`,
  },
  {
    codes: /^(ETIMEDOUT|ESOCKETTIMEDOUT|TimeoutError|RequestTimeout)$/,
    what: 'the request timed out',
    check: `the network connection and ${PROXY}, then try again`,
  },
  {
    codes: /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|ERR_TLS_|ERR_SSL_|EPROTO$)/,
    what: 'the TLS handshake failed',
    check:
      "the machine's clock, a TLS-inspecting proxy (give Node its CA with NODE_EXTRA_CA_CERTS), and AWS_ENDPOINT_URL if set",
  },
];

const field = (error: object, key: string) => {
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' && value ? value : undefined;
};

/** One line for a network failure, or undefined for any other error. */
export function describeNetworkError(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = field(error, 'code') ?? field(error, 'name') ?? '';
  const kind = KINDS.find((k) => k.codes.test(code));
  if (!kind) return undefined;
  const endpoint =
    field(error, '$endpoint') ?? field(error, 'hostname') ?? field(error, 'host') ?? field(error, 'address');
  const where = endpoint ? `cannot reach ${endpoint}` : 'cannot reach the AWS endpoint';
  return `${where}: ${kind.what} (${code}); check ${kind.check}`;
}

type Next = (args: { request?: unknown }) => Promise<unknown>;
interface WithMiddlewareStack {
  middlewareStack: {
    add(middleware: (next: Next) => Next, options: { step: 'build'; name: string; override: boolean }): void;
  };
}

/**
 * Tags an error that ends a request (after the SDK's retries, which run later in the stack) with the
 * request's endpoint as `$endpoint`, so describeNetworkError can name it. Returns the client.
 */
export function withEndpointOnError<C>(client: C): C {
  (client as unknown as WithMiddlewareStack).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const host = hostOf(args.request);
        if (host && typeof error === 'object' && error !== null && !('$endpoint' in error))
          Object.assign(error, { $endpoint: host });
        throw error;
      }
    },
    { step: 'build', name: 'firehoseLoaderEndpointOnError', override: true },
  );
  return client;
}

function hostOf(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const hostname = field(request, 'hostname');
  const port = (request as { port?: unknown }).port;
  return hostname && (typeof port === 'number' ? `${hostname}:${port}` : hostname);
}
