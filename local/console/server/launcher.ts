import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');
const CLI = join(REPO, 'bin', 'firehose-loader.ts');
// A failed start's last lines are shown on its page; the rest of the output is not kept.
const TAIL_LINES = 5;

export const LaunchKind = { run: 'run', rerun: 'rerun-failed', resume: 'resume' } as const;
export type LaunchKind = (typeof LaunchKind)[keyof typeof LaunchKind];

/** A run this console started: its process, and how it ended once it has. */
export interface Launch {
  runId: string;
  kind: LaunchKind;
  /** For a rerun: the run whose dead letters it sends. */
  of?: string;
  startedAt: number;
  child: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** The command's last stderr lines: its one-line error when it refused to start. */
  tail: string[];
  /** Set once the console asked the run to stop (Ctrl-C): it is totalling what happened. */
  stopping?: boolean;
}

/**
 * Starts each run as the CLI would (`firehose-loader run|rerun-failed|resume`), in a process of its
 * own: the runner sets the functions' environment and captures process output for the run's log, which
 * must not reach the console's own process, and a run started here is the same as one from a terminal.
 * Stdout (the summary, which holds counts only) and stderr are read here and never logged.
 */
export class Launcher {
  private readonly launches = new Map<string, Launch>();

  constructor(
    private readonly dataDir: string,
    private readonly onChange: () => void,
  ) {}

  ids(): string[] {
    return [...this.launches.keys()];
  }

  get(runId: string): Launch | undefined {
    return this.launches.get(runId);
  }

  /** The launch still running, if any: one run at a time owns a data folder's services. */
  active(): Launch | undefined {
    return [...this.launches.values()].find((launch) => !launch.exit);
  }

  start(kind: LaunchKind, runId: string, args: string[], of?: string): Launch {
    const cliArgs = [...commandArgs(kind, runId, of), ...args, '--data-dir', this.dataDir, '--json'];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...cliArgs], {
      cwd: REPO,
      // A group of its own: Ctrl-C in the console's terminal reaches the console only, which then
      // interrupts each run once (a second SIGINT would make a run exit without totalling).
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    const launch: Launch = { runId, kind, ...(of ? { of } : {}), startedAt: Date.now(), child, tail: [] };
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      launch.tail = [...launch.tail, ...text.split('\n').filter(Boolean)].slice(-TAIL_LINES);
    });
    child.on('exit', (code, signal) => {
      launch.exit = { code, signal };
      this.onChange();
    });
    this.launches.set(runId, launch);
    this.onChange();
    return launch;
  }

  /**
   * Ctrl-C for one run this console started, as a terminal sends it: the runner stops sending, waits
   * for the calls in flight and writes an INTERRUPTED summary with its resume command (run.ts:
   * withInterrupt). Sent once: a second SIGINT would make the run exit without totalling.
   */
  stop(runId: string): boolean {
    const launch = this.launches.get(runId);
    if (!launch || launch.exit || launch.stopping) return false;
    launch.stopping = true;
    launch.child.kill('SIGINT');
    this.onChange();
    return true;
  }

  /** Ctrl-C for every run still going (they total what happened and can be resumed); waits for them. */
  async stopAll(): Promise<void> {
    const running = [...this.launches.values()].filter((launch) => !launch.exit);
    await Promise.all(
      running.map(
        (launch) =>
          new Promise<void>((done) => {
            launch.child.once('exit', () => done());
            if (!launch.stopping) launch.child.kill('SIGINT');
            launch.stopping = true;
          }),
      ),
    );
  }
}

function commandArgs(kind: LaunchKind, runId: string, of: string | undefined): string[] {
  if (kind === LaunchKind.run) return ['run', '--run-id', runId];
  if (kind === LaunchKind.rerun) return ['rerun-failed', of ?? '', '--rerun-id', runId];
  return ['resume', runId];
}
