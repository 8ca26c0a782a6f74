import { LoaderError } from './contract';

/** A console request the data modules refuse; `status` is the HTTP status the server answers with. */
export class ConsoleDataError extends LoaderError {
  readonly status: number = 400;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleDataError';
  }
}

/** A parameter is malformed (a run id, round, index, kind or paging value); the message names it. */
export class BadRequestError extends ConsoleDataError {
  override readonly status = 400;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BadRequestError';
  }
}

/** The run, chunk or file asked for does not exist. */
export class NotFoundError extends ConsoleDataError {
  override readonly status = 404;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}
