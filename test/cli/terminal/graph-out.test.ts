import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, inPipe, tempDataDir } from './cli';

/** Issue 15 item 8: `graph --out` writes what the file name says, or refuses it. */
describe('graph --out', () => {
  const dir = tempDataDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a .png in one line, writes nothing and exits 1', () => {
    const out = join(dir, 'def.png');
    const { stdout, stderr, status } = inPipe(`${CLI} graph --out ${out}`);
    expect([status, stdout]).toEqual([1, '']);
    expect(stderr).toBe(
      `firehose-loader: ConfigError: --out ${out}: cannot write a .png file; the file name must end in .svg (SVG), .mmd (Mermaid) or .md (Mermaid in Markdown)\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('writes Mermaid in a mermaid code block for .md', () => {
    const out = join(dir, 'def.md');
    const { stderr, status } = inPipe(`${CLI} graph --out ${out}`);
    expect([status, stderr]).toEqual([0, `wrote ${out}\n`]);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('```mermaid\n')).toBe(true);
    expect(text.endsWith('\n```\n')).toBe(true);
  });
});
