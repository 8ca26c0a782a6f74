import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { RunSummary } from '../../../functions/shared/run';
import { mockFile, tempDataDir } from '../../e2e/helpers';
import { REPO } from './cli';

/**
 * The npm scripts run on the `node` devDependency (Node 22, the Lambda runtime), so nothing else in the
 * suite runs on the machine's own Node. A fresh machine has Node 20, and package.json says `>=20`: this
 * runs a small local job with the first `node` on PATH outside node_modules, as a person does with
 * `node bin/firehose-loader.cjs run`. Without such a node (a machine with only the devDependency), it is skipped.
 */

function systemNode(): { path: string; major: number } | undefined {
  const dirs = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !dir.includes('node_modules'));
  for (const dir of dirs) {
    const path = join(dir, 'node');
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    return { path, major: Number(version.replace(/^v/, '').split('.')[0]) };
  }
  return undefined;
}

const node = systemNode();
const itWithSystemNode = node && node.major !== Number(process.versions.node.split('.')[0]) ? it : it.skip;

itWithSystemNode(
  `runs a local job end to end on the machine's own Node.js (${node?.path})`,
  async () => {
    const data = await tempDataDir();
    try {
      const input = await mockFile(data.dir, 1_200, 'jsonl');
      const args = ['bin/firehose-loader.cjs', 'run', '--input', input, '--json', '--fast-timers'];
      const child = spawn(node?.path ?? 'node', [...args, '--data-dir', join(data.dir, 'run')], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      if (code !== 0) throw new Error(`exit ${code} on ${node?.path}:\n${err}`);
      const summary = JSON.parse(out) as RunSummary;
      expect(summary.status).toBe('SUCCEEDED');
      expect(summary.records.delivered).toBe(1_200);
    } finally {
      await data.cleanup();
    }
  },
  180_000,
);
