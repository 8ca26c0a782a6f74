import { createServer, type Server } from 'node:net';
import { inPipe } from './cli';

/** Issue 15 item 13: `npm run local:services` on a port that is taken suggests --port, in one line. */
describe('local:services on a port that is taken', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('exits 1 with one line that names the port and the --port option', () => {
    // As README has it; npm adds lines of its own about the script's exit code after ours.
    const { stderr, status } = inPipe(`npm run local:services -- --port ${port}`);
    expect(status).toBe(1);
    expect(`${stderr.split('\n')[0]}\n`).toBe(
      `local services failed to start: listen EADDRINUSE: address already in use 127.0.0.1:${port}: ` +
        'another program (an earlier npm run local:services?) has that port; stop it, or choose another ' +
        'port: npm run local:services -- --port 4567 (--port 0 picks a free one)\n',
    );
  });
});
