import {
  BodyEncodingError,
  BodyTooLargeError,
  isObject,
  type RequestContext,
  readBody,
  sendJson,
  sendXml,
} from '../http/util';
import { CLOUDWATCH_XMLNS, xmlDocument } from '../http/xml';
import { CloudWatchError, CloudWatchRequestError } from './errors';
import type { MetricStore } from './metric-store';
import { getMetricData, getMetricStatistics, listMetrics, putMetricData } from './operations';
import type { Input } from './params';
import { type Output, toJson, toXml, unflattenQuery } from './protocol';

/**
 * Local CloudWatch metrics, in both protocols the SDKs speak: awsJson1_0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Op>` (current SDK v3; timestamps are epoch seconds)
 * and the form-encoded query protocol with XML responses (older SDKs, AWS CLI v2.9).
 * Both are read into the same plain objects: the query protocol's "X.member.N" become arrays.
 */

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const Protocol = { json: 'json', query: 'query' } as const;
type Protocol = (typeof Protocol)[keyof typeof Protocol];

export class CloudWatchService {
  constructor(private readonly metrics: MetricStore) {}

  async handle(ctx: RequestContext, protocol: Protocol): Promise<void> {
    let operation = '';
    try {
      const body = (await readBody(ctx.req, MAX_BODY_BYTES)).toString('utf8');
      let input: Input;
      if (protocol === Protocol.json) {
        const target = String(ctx.req.headers['x-amz-target'] ?? '');
        operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
        const parsed: unknown = JSON.parse(body || '{}');
        input = isObject(parsed) ? parsed : {};
      } else {
        const form = new URLSearchParams(body);
        for (const [name, value] of ctx.url.searchParams) if (!form.has(name)) form.set(name, value);
        operation = form.get('Action') ?? '';
        input = unflattenQuery(form);
      }
      const output = this.dispatch(operation, input);
      if (protocol === Protocol.json) sendJson(ctx, 200, JSON_CONTENT_TYPE, toJson(output));
      else {
        const result = Object.keys(output).length > 0 ? { [`${operation}Result`]: toXml(output) } : {};
        sendXml(
          ctx,
          200,
          xmlDocument(`${operation}Response`, CLOUDWATCH_XMLNS, {
            ...result,
            ResponseMetadata: { RequestId: ctx.requestId },
          }),
          { 'x-amzn-requestid': ctx.requestId },
        );
      }
    } catch (error) {
      const failure = toCloudWatchError(error);
      const { shape, status } = CloudWatchError[failure.code];
      const type = status >= 500 ? 'Receiver' : 'Sender';
      if (protocol === Protocol.json) {
        // x-amzn-query-error lets query-compatible SDKs report the query-protocol error code.
        sendJson(
          ctx,
          status,
          JSON_CONTENT_TYPE,
          { __type: `com.amazonaws.cloudwatch#${shape}`, message: failure.message },
          { 'x-amzn-query-error': `${failure.code};${type}` },
        );
      } else {
        const xml = xmlDocument('ErrorResponse', CLOUDWATCH_XMLNS, {
          Error: { Type: type, Code: failure.code, Message: failure.message },
          RequestId: ctx.requestId,
        });
        sendXml(ctx, status, xml, { 'x-amzn-requestid': ctx.requestId });
      }
    }
  }

  private dispatch(operation: string, input: Input): Record<string, Output> {
    switch (operation) {
      case 'PutMetricData':
        putMetricData(this.metrics, input);
        return {};
      case 'GetMetricData':
        return getMetricData(this.metrics, input);
      case 'GetMetricStatistics':
        return getMetricStatistics(this.metrics, input);
      case 'ListMetrics':
        return listMetrics(this.metrics, input);
    }
    throw new CloudWatchRequestError(
      'InvalidAction',
      `Operation ${operation || '(none)'} is not supported by local CloudWatch`,
    );
  }
}

/** A client's bad request is a 4xx (SDKs retry 5xx); only a fault of this service is a 500. */
function toCloudWatchError(error: unknown): CloudWatchRequestError {
  if (error instanceof CloudWatchRequestError) return error;
  if (error instanceof BodyTooLargeError)
    return new CloudWatchRequestError('RequestEntityTooLarge', error.message);
  if (error instanceof BodyEncodingError)
    return new CloudWatchRequestError('InvalidParameterValue', error.message);
  if (error instanceof SyntaxError)
    return new CloudWatchRequestError('InvalidParameterValue', 'The request body is not valid JSON');
  return new CloudWatchRequestError('InternalServiceError', String(error));
}

export { unflattenQuery } from './protocol';

export const CloudWatchProtocol = Protocol;
