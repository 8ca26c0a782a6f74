import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { withEndpointOnError } from './network';

/** What the AWS commands touch outside themselves; tests pass their own clock, sleep and output. */
export interface AwsDeps {
  /** Clients for a region (the one in the ARN at hand); undefined means the SDK's default chain. */
  sfn: (region?: string) => SFNClient;
  s3: (region?: string) => S3Client;
  /** For the stack outputs; the SDK's default region (the stack is what tells the others' region). */
  cloudFormation: () => CloudFormationClient;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress may redraw one line on a terminal; elsewhere it prints a line per change. */
  interactive: boolean;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  env: NodeJS.ProcessEnv;
}

export function defaultDeps(): AwsDeps {
  return {
    // Each client tags a failed request with its endpoint, so a network failure names the host.
    sfn: (region) => withEndpointOnError(new SFNClient(region ? { region } : {})),
    // The buckets may be in another region than the default; S3 redirects say which.
    s3: (region) =>
      withEndpointOnError(new S3Client({ ...(region ? { region } : {}), followRegionRedirects: true })),
    cloudFormation: () => withEndpointOnError(new CloudFormationClient({})),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env: process.env,
  };
}
