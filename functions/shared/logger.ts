import { Logger } from '@aws-lambda-powertools/logger';

/** The part of a Powertools Logger the shared logic needs, so tests can pass a recording fake. */
export type LoggerLike = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** One Powertools Logger per function; the service name shows in every structured line. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
