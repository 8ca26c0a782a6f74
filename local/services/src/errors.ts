/**
 * The base of the errors the local services raise for a person to read: the message is one sentence
 * that says what is wrong and what to do, not a bug's stack. Each subclass sets its own `name`.
 */
export class LocalServicesError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalServicesError';
  }
}
