#!/usr/bin/env node
// The `firehose-loader` command npm links from package.json "bin" (`npx firehose-loader` in a clone).
// It runs the TypeScript CLI in this same process through tsx's require hook, with the tsx of this
// package: no second npx or tsx process in between, so Ctrl-C reaches the CLI once (the second Ctrl-C
// exits at once), stdout is the CLI's alone, and the exit code is the CLI's.
// This package's tsconfig.json, wherever the command is run from: its "paths" map the workspace
// packages (@firehose-loader/local-services) to their TypeScript sources. The variable also reaches
// the child processes and threads the CLI starts with tsx.
process.env.TSX_TSCONFIG_PATH = require('node:path').join(__dirname, '..', 'tsconfig.json');
require('tsx/cjs/api').register();
require('./firehose-loader.ts');
