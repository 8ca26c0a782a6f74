import { CLI, inPipe, inTerminal } from './cli';

/** Issue 15 item 11: a wrong option gets one line with the real bounds and where to read more. */
describe('option errors and `run --help`', () => {
  it.each([
    ['--records -5', '--records must be a whole number of at least 0, got "-5"'],
    ['--concurrency 0', '--concurrency must be a whole number from 1 to 10,000, got "0"'],
    ['--bogus', "unknown option '--bogus'"],
  ])('`run %s` prints one line on stderr, nothing on stdout, and exits 1', (args, message) => {
    const { stdout, stderr, status } = inPipe(`${CLI} run ${args}`);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(lines[0]).toMatch(/\(see --help\)$/);
  });

  it('`run --help` states a default and the allowed values of every option that takes a value', () => {
    const { stdout, status } = inTerminal(`${CLI} run --help`);
    expect(status).toBe(0);
    const options = stdout
      .replace(/\r/g, '')
      .split('\nOptions:\n')[1]
      ?.split(/\n(?= {2}-)/)
      .map((block) => block.replace(/\s+/g, ' ').trim());
    const withValue = (options ?? []).filter((block) => /^--[\w-]+ </.test(block));
    expect(withValue.length).toBeGreaterThan(15);
    for (const block of withValue) {
      expect([block, /default/.test(block)]).toEqual([block, true]);
      const takesNumber = /^--[\w-]+ <(n|r)>/.test(block);
      if (takesNumber)
        expect([block, /(from \S+ to \S+|at least \d|or more)/.test(block)]).toEqual([block, true]);
    }
    expect(stdout).toMatch(/--format <format>\s+input format: auto \(json if the file\s+starts/);
  });
});
