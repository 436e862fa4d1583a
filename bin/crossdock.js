#!/usr/bin/env node
// The `crossdock` command: runs the compiled CLI (built by `npm install` through the prepare script).
import { runCli } from '../dist/src/interfaces/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
