import {
  FirehoseServiceException,
  InvalidArgumentException,
  InvalidKMSResourceException,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import {
  classifyFirehoseError,
  describeFatalError,
} from '../../../functions/shared/firehose/errors-classify';
import { networkError, serviceError } from './harness';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifyFirehoseError', () => {
  it.each([
    [
      'ServiceUnavailableException "Slow down."',
      new ServiceUnavailableException({ message: 'Slow down.', ...meta(503) }),
      'throttled',
      true,
    ],
    ['ThrottlingException', serviceError('ThrottlingException', 400), 'throttled', true],
    ['an unnamed HTTP 429', serviceError('Error', 429), 'throttled', true],
    ['InternalFailure', serviceError('InternalFailure', 500), 'server', true],
    ['an unknown 502', serviceError('BadGateway', 502), 'server', true],
    ['ECONNRESET', networkError('ECONNRESET'), 'network', true],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'network', true],
    [
      'a socket TimeoutError',
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      'timeout',
      true,
    ],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'timeout', true],
    ['RequestTimeTooSkewed', serviceError('RequestTimeTooSkewed', 403), 'clockSkew', true],
    [
      'InvalidArgumentException',
      new InvalidArgumentException({ message: 'too big', ...meta(400) }),
      'invalidArgument',
      false,
    ],
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'nope', ...meta(400) }),
      'notFound',
      false,
    ],
    [
      'InvalidKMSResourceException',
      new InvalidKMSResourceException({ message: 'kms', ...meta(400) }),
      'kms',
      false,
    ],
    ['KMSDisabledException', serviceError('KMSDisabledException', 400), 'kms', false],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400), 'credentials', false],
    ['UnrecognizedClientException', serviceError('UnrecognizedClientException', 400), 'credentials', false],
    ['ExpiredTokenException', serviceError('ExpiredTokenException', 400), 'credentials', false],
    ['an unnamed 403', serviceError('Error', 403), 'credentials', false],
    ['ValidationException', serviceError('ValidationException', 400), 'validation', false],
    [
      'an unknown 4xx',
      new FirehoseServiceException({ name: 'Teapot', $fault: 'client', ...meta(418) }),
      'clientError',
      false,
    ],
    ['a plain TypeError', new TypeError('x is undefined'), 'unknown', false],
    ['a thrown string', 'boom', 'unknown', false],
  ])('classifies %s as %s (retryable: %s)', (_label, error, category, retryable) => {
    expect(classifyFirehoseError(error)).toMatchObject({ category, retryable });
  });

  it('reports the SDK name as the code, else the socket code', () => {
    expect(classifyFirehoseError(serviceError('ThrottlingException', 400))).toMatchObject({
      code: 'ThrottlingException',
      httpStatus: 400,
    });
    expect(classifyFirehoseError(networkError('ECONNRESET')).code).toBe('ECONNRESET');
  });
});

describe('describeFatalError', () => {
  const ctx = { operation: 'PutRecordBatch', streamName: 'web-traffic', region: 'eu-west-1' };

  it('tells which stream was not found in which region and which setting to check', () => {
    const error = new ResourceNotFoundException({ message: 'Firehose web-traffic not found', ...meta(400) });
    const message = describeFatalError(classifyFirehoseError(error), error, ctx);
    expect(message).toContain('Delivery stream "web-traffic" not found in region eu-west-1');
    expect(message).toContain('DELIVERY_STREAM_NAME');
    expect(message).toContain('Firehose web-traffic not found');
  });

  it('points expired or refused credentials at the credentials and the permission', () => {
    const error = serviceError(
      'ExpiredTokenException',
      400,
      'The security token included in the request is expired',
    );
    expect(describeFatalError(classifyFirehoseError(error), error, ctx)).toMatch(
      /ExpiredTokenException.*expired.*firehose:PutRecordBatch/s,
    );
  });
});
