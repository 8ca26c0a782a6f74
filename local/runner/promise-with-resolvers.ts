/**
 * aws-local-stepfunctions 3.0.0 (the only version on the registry) calls `Promise.withResolvers`
 * (ES2024, Node 22 and later) whenever a Task state runs. On Node 20 every Task would fail with
 * "Promise.withResolvers is not a function", and a Catch of States.ALL would swallow that. The npm
 * scripts run on the `node` devDependency (Node 22), so this only matters to a plain Node 20: there
 * the runner fills the function in, as the standard defines it. Where it exists, nothing is changed.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type WithResolvers = <T>(this: PromiseConstructor) => Resolvers<T>;

export function ensurePromiseWithResolvers(): void {
  const promiseClass = Promise as PromiseConstructor & { withResolvers?: WithResolvers };
  if (typeof promiseClass.withResolvers === 'function') return;
  const withResolvers: WithResolvers = function <T>(this: PromiseConstructor) {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    // `this`, as in the standard: a subclass of Promise gets a promise of its own class.
    const promise = new this<T>((settle, fail) => {
      resolve = settle;
      reject = fail;
    });
    return { promise, resolve, reject };
  };
  // Like the built-in: writable and configurable, not enumerable.
  Object.defineProperty(Promise, 'withResolvers', {
    value: withResolvers,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
