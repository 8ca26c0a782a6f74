import { ResourceNotFoundException } from '@aws-sdk/client-firehose';
import {
  classifyFirehoseError,
  describeFatalError,
} from '../../../functions/shared/firehose/errors-classify';
import { networkError, serviceError } from './harness';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifyFirehoseError (the shared classifier; its table is test/shared/aws-error-class.test.ts)', () => {
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
