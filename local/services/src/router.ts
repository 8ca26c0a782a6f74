import type { IncomingMessage } from 'node:http';
import { credentialScopeService } from './http/sigv4';

/**
 * Which local service a request is for. All three share one port, so the request itself must say:
 * first the SigV4 credential scope (every signed AWS request has it), then X-Amz-Target (JSON
 * protocols), then the shape (a form body is the CloudWatch query protocol; anything else is S3).
 */
export const Route = {
  s3: 's3',
  firehose: 'firehose',
  cloudwatchJson: 'cloudwatchJson',
  cloudwatchQuery: 'cloudwatchQuery',
} as const;
export type Route = (typeof Route)[keyof typeof Route];

// SigV4 signing names: S3 is "s3", Firehose "firehose", CloudWatch "monitoring".
const SCOPE_SERVICE = { s3: 's3', firehose: 'firehose', monitoring: 'monitoring' } as const;

export function routeRequest(req: IncomingMessage, url: URL): Route {
  const target = String(req.headers['x-amz-target'] ?? '');
  const contentType = String(req.headers['content-type'] ?? '');
  const isForm = req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
  switch (credentialScopeService(req.headers.authorization, url.searchParams)) {
    case SCOPE_SERVICE.s3:
      return Route.s3;
    case SCOPE_SERVICE.firehose:
      return Route.firehose;
    case SCOPE_SERVICE.monitoring:
      return isForm || target === '' ? Route.cloudwatchQuery : Route.cloudwatchJson;
  }
  if (target.startsWith('Firehose_20150804.')) return Route.firehose;
  if (target.startsWith('GraniteServiceVersion20100801.')) return Route.cloudwatchJson;
  if (isForm) return Route.cloudwatchQuery;
  return Route.s3;
}
