import type { ChildProcess } from 'node:child_process';
import type { Launch } from '../../../local/console/server/launcher';
import { stopOf } from '../../../local/console/server/runs';

const launch = (more: Partial<Launch> = {}): Launch => ({
  runId: 'run-20260101-000000-test',
  kind: 'run',
  startedAt: 0,
  child: {} as ChildProcess,
  tail: [],
  ...more,
});

describe('which runs have a Stop button', () => {
  test('a running run this console started can be stopped, as Ctrl-C stops it', () => {
    expect(stopOf('RUNNING', launch())).toEqual({
      canStop: true,
      stopNote: 'stops sending as Ctrl-C does: the calls in flight end, the run can be resumed',
    });
  });

  test('a running run started from a terminal has none, and the tooltip says to press Ctrl-C there', () => {
    expect(stopOf('RUNNING', undefined)).toEqual({
      canStop: false,
      stopNote: 'started outside this console (a terminal): stop it there with Ctrl-C',
    });
  });

  test('a run that has not begun, or is stopping already, cannot be stopped (again)', () => {
    expect(stopOf('STARTING', launch())).toMatchObject({
      canStop: false,
      stopNote: expect.stringContaining('starting'),
    });
    expect(stopOf('STOPPING', launch({ stopping: true }))).toMatchObject({
      canStop: false,
      stopNote: expect.stringContaining('waiting for the calls in flight'),
    });
  });

  test('a run that ended has no Stop at all', () => {
    for (const status of ['SUCCEEDED', 'FAILED', 'INTERRUPTED', 'STOPPED', 'UNREADABLE'] as const)
      expect(stopOf(status, launch({ exit: { code: 0, signal: null } }))).toEqual({ canStop: false });
  });
});
