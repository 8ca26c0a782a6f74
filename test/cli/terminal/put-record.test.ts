import { readFileSync, rmSync } from 'node:fs';
import { CLI, inPipe, inTerminal, tempDataDir } from './cli';

/** Issue 15 item 6: `put-record` prints one JSON document on stdout and says where the record landed. */
describe('put-record against local services started for the call', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stdout is the response alone; stderr names the object holding the record, which holds it', () => {
    const { stdout, stderr, status } = inPipe(`${CLI} put-record '{"hello":"pipe"}' --data-dir ${dataDir}`);
    expect(status).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual({ recordId: expect.any(String), attempts: 1, calls: 1 });
    const match = stderr.match(
      /^the record is in s3:\/\/firehose-loader-destination\/\d{4}\/\d\d\/\d\d\/\d\d\/\S+ \((\S+)\)\n$/,
    );
    expect(match).not.toBeNull();
    expect(readFileSync(match?.[1] ?? '', 'utf8')).toBe('{"hello":"pipe"}\n');
  });

  it('in an 80-column terminal: the response, then where the record is, and no log line', () => {
    const { stdout: screen, status } = inTerminal(
      `${CLI} put-record '{"hello":"tty"}' --data-dir ${dataDir}`,
    );
    expect(status).toBe(0);
    expect(screen).toMatch(/\{"recordId":"[^"]+","attempts":1,"calls":1\}\r\nthe record is in s3:\/\//);
    expect(screen).not.toContain('"level"');
  });
});
