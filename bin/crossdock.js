#!/usr/bin/env node
// The `crossdock` command: runs the compiled CLI (built by `npm install` through the prepare script).
// `start` also gets the demo network (sim/demo-hub.ts), which runs when the configuration has a
// `demo` section, as the bundled config/demo.yaml does: the hub itself knows nothing of simulators.
import { setFlagsFromString } from 'node:v8';

// A larger young generation before anything is allocated: the hub turns JSON into short-lived
// objects at a high rate, and with V8's default a fifth of its CPU went to scavenges
// (measured: +15% accepted events/s on the scale-out api). Set with NODE_OPTIONS to override.
if (!/--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? '')) setFlagsFromString('--max-semi-space-size=64');

const argv = process.argv.slice(2);
const { runCli } = await import('../dist/src/interfaces/cli/main.js');
const extensions =
  argv[0] === 'start' ? await import('../dist/sim/demo-hub.js').then((m) => (config, announce) => [m.demoExtension(config, announce)]) : undefined;
process.exitCode = await runCli(argv, extensions ? { extensions } : {});
