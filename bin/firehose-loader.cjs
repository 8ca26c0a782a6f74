#!/usr/bin/env node
// The `firehose-loader` command npm links from package.json "bin" (`npx firehose-loader` in a clone).
// It runs the TypeScript CLI in this same process through tsx's require hook, with the tsx of this
// package: no second npx or tsx process in between, so Ctrl-C reaches the CLI once (the second Ctrl-C
// exits at once), stdout is the CLI's alone, and the exit code is the CLI's.
require('tsx/cjs/api').register();
require('./firehose-loader.ts');
