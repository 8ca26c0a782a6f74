import { createFirehoseClient } from '../../../functions/shared/firehose/client';

describe('createFirehoseClient', () => {
  it('switches the SDK retries off so the sender counts every attempt, even if asked for more', async () => {
    const client = createFirehoseClient({ region: 'us-east-1', maxAttempts: 5 });
    expect(await client.config.maxAttempts()).toBe(1);
    expect(await client.config.region()).toBe('us-east-1');
    client.destroy();
  });
});
