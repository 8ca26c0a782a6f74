import { ConfigError } from '../../functions/shared/errors';
import { startConsole } from '../../local/console/server/server';

/** `console`: serves the web console until Ctrl-C; the runs it started are interrupted, resumable. */
export async function consoleCommand(options: { port: number; dataDir: string }): Promise<number> {
  const running = await startConsole({ port: options.port, dataDir: options.dataDir }).catch((error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new ConfigError(`--port ${options.port} is in use on 127.0.0.1; give another, or 0 for a free one`);
  });
  process.stdout.write(
    `firehose-loader console on ${running.url} (data folder ${options.dataDir}; Ctrl-C stops it)\n`,
  );
  await new Promise<void>((done) => process.once('SIGINT', () => done()));
  process.stderr.write('console: stopping (runs it started are interrupted; resume them later)\n');
  await running.close();
  return 0;
}
