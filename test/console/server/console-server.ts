import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSummary } from '../../../local/console/server/local-runs';
import { type RunningConsole, startConsole } from '../../../local/console/server/server';

export interface TestConsole extends RunningConsole {
  dataDir: string;
  /** Every line the console logged. */
  logs: string[];
}

/** A console on a free port over a fresh data folder. */
export async function testConsole(): Promise<TestConsole> {
  const dataDir = mkdtempSync(join(tmpdir(), 'console-'));
  const logs: string[] = [];
  const running = await startConsole({ port: 0, dataDir, log: (line) => logs.push(line) });
  const close = async () => {
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { ...running, close, dataDir, logs };
}

/** A finished run's folder, as the runner leaves it (only what a file view reads). */
export async function fakeRun(dataDir: string, runId: string): Promise<string> {
  const runDir = join(dataDir, 'runs', runId);
  await mkdir(runDir, { recursive: true });
  const summary = buildSummary({
    runId,
    status: 'SUCCEEDED',
    streamName: 'stream',
    outputFiles: [],
    outputBytes: 0,
    deadLetterFiles: [],
    deadLetterManifest: null,
    rejectsFile: null,
    runDir,
    durationMs: 1000,
  });
  await writeFile(join(runDir, 'summary.json'), JSON.stringify(summary));
  return runDir;
}

/** One raw HTTP request, with headers fetch will not let a test set (Host) and the path as given. */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
