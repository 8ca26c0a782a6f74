import {
  FirehoseServiceException,
  InvalidArgumentException,
  InvalidKMSResourceException,
  ResourceNotFoundException,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import { classifyAwsError } from '../../functions/shared/aws-error-class';
import { classifyFirehoseError } from '../../functions/shared/firehose/errors-classify';
import { isTransientAwsError } from '../../functions/shared/transient';
import { networkError, serviceError } from './firehose/harness';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

/**
 * The one table of which AWS errors are transient. The Firehose sender (classifyFirehoseError) and
 * the handlers' TransientAwsError (isTransientAwsError) are both checked against it.
 */
describe('the AWS error classifier', () => {
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
    // The three the two classifiers used to disagree on, and the rest of the SDK's network list.
    ['EHOSTUNREACH (no route)', networkError('EHOSTUNREACH'), 'network', true],
    ['ENOTFOUND (DNS)', networkError('ENOTFOUND'), 'network', true],
    ['ECONNABORTED', networkError('ECONNABORTED'), 'network', true],
    ['ENETUNREACH', networkError('ENETUNREACH'), 'network', true],
    ['EAI_AGAIN', networkError('EAI_AGAIN'), 'network', true],
    ['EPIPE', networkError('EPIPE'), 'network', true],
    [
      'a socket code left only as the name',
      Object.assign(new Error('x'), { name: 'ECONNRESET' }),
      'network',
      true,
    ],
    ['S3 SlowDown', serviceError('SlowDown', 503), 'throttled', true],
    ['S3 InternalError', serviceError('InternalError', 500), 'server', true],
    ['CloudWatch Throttling', serviceError('Throttling', 400), 'throttled', true],
    ['S3 RequestTimeout', serviceError('RequestTimeout', 400), 'timeout', true],
    ['S3 NoSuchKey', serviceError('NoSuchKey', 404), 'clientError', false],
    ['S3 AccessDenied', serviceError('AccessDenied', 403), 'credentials', false],
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
  ])(
    'classifies %s (%s) as %s, retryable: %s, and the handlers retry exactly the retryable ones',
    (_label, error, category, retryable) => {
      expect(classifyAwsError(error)).toMatchObject({ category, retryable });
      expect(classifyFirehoseError(error)).toEqual(classifyAwsError(error));
      expect(isTransientAwsError(error)).toBe(retryable);
    },
  );
});
