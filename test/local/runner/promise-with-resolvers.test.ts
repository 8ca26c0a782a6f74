import { S3Client } from '@aws-sdk/client-s3';
import { executeDefinition } from '../../../local/runner/execute-definition';
import type { LambdaHandler } from '../../../local/runner/local-lambdas';
import { ensurePromiseWithResolvers } from '../../../local/runner/promise-with-resolvers';

type Constructor = PromiseConstructor & { withResolvers?: unknown };
const promiseConstructor = Promise as Constructor;

/** Runs `body` with Promise.withResolvers set to `value` (undefined: none, as on Node 20), then puts back what was. */
async function withWithResolvers<T>(value: unknown, body: () => Promise<T>): Promise<T> {
  const before = Object.getOwnPropertyDescriptor(Promise, 'withResolvers');
  if (value === undefined) delete promiseConstructor.withResolvers;
  else Object.defineProperty(Promise, 'withResolvers', { value, writable: true, configurable: true });
  try {
    return await body();
  } finally {
    if (before) Object.defineProperty(Promise, 'withResolvers', before);
    else delete promiseConstructor.withResolvers;
  }
}

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:double';
const DEFINITION = {
  StartAt: 'Double',
  States: {
    Double: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
};

describe('the local runner on a Node without Promise.withResolvers (Node 20)', () => {
  it('runs a Task state (aws-local-stepfunctions 3.0.0 calls Promise.withResolvers for each)', async () => {
    const double: LambdaHandler = async (event: never) => ({ n: (event as { n: number }).n * 2 });
    const result = await withWithResolvers(undefined, () =>
      executeDefinition({
        definition: DEFINITION,
        input: { n: 21 },
        executionName: 'node-20',
        // No state reads S3: the client is never called.
        s3: new S3Client({ region: 'us-east-1' }),
        handlers: new Map([[FUNCTION, double]]),
      }),
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: { n: 42 } });
  });

  it('fills it in as the standard defines it: resolve and reject settle the promise it returns', async () => {
    await withWithResolvers(undefined, async () => {
      ensurePromiseWithResolvers();
      const withResolvers = promiseConstructor.withResolvers as <T>() => {
        promise: Promise<T>;
        resolve: (value: T) => void;
        reject: (reason: unknown) => void;
      };
      expect(Object.getOwnPropertyDescriptor(Promise, 'withResolvers')).toMatchObject({
        writable: true,
        configurable: true,
        enumerable: false,
      });
      const resolved = withResolvers.call(Promise);
      resolved.resolve('done');
      await expect(resolved.promise).resolves.toBe('done');
      const rejected = withResolvers.call(Promise);
      rejected.reject(new Error('refused'));
      await expect(rejected.promise).rejects.toThrow('refused');
    });
  });

  it('leaves a Promise.withResolvers that exists alone', async () => {
    const existing = () => 'the built-in';
    await withWithResolvers(existing, async () => {
      ensurePromiseWithResolvers();
      expect(promiseConstructor.withResolvers).toBe(existing);
    });
  });
});
