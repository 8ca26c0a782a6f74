import type { FirehoseClient } from '@aws-sdk/client-firehose';

/** The client's region for error messages; a client without one must not turn one error into another. */
export async function regionOf(client: FirehoseClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return '(no region configured)';
  }
}
