import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const WEB = resolve(__dirname, '../web');

export interface WebAssets {
  js: string;
  css: string;
}

let assets: Promise<WebAssets> | undefined;

/** The front end, bundled with esbuild once per console process (no build step before `npm run console`). */
export function webAssets(): Promise<WebAssets> {
  assets ??= (async () => {
    const result = await build({
      entryPoints: [join(WEB, 'main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
      platform: 'browser',
      legalComments: 'none',
      logLevel: 'silent',
    });
    const js = result.outputFiles[0]?.text ?? '';
    return { js, css: await readFile(join(WEB, 'style.css'), 'utf8') };
  })();
  return assets;
}
