/**
 * Runs the real `crossdock` command as a child process, for tests that kill it (SIGKILL) or
 * drive the CLI the way an operator would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

// A test that fails half-way leaves its hub running, and a live child keeps the test file from
// ever ending: whatever is still running when the file's tests are done is killed.
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

export const CLI = fileURLToPath(new URL('../../../bin/crossdock.js', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** The log lines on stdout, when spawned with `keepStdout`; empty otherwise. */
  stdout: () => string;
}

export async function spawnHub(env: Record<string, string>, options: { keepStdout?: boolean } = {}): Promise<HubProcess> {
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', CROSSDOCK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start in 20 s:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code}:\n${stderr}`));
    });
  });
  return { child, url, stderr: () => stderr, stdout: () => stdout };
}

export function killHard(p: HubProcess): Promise<void> {
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}

export function stopGracefully(p: HubProcess): Promise<number | null> {
  // Already gone (killed, say by the file's clean-up after a timeout): waiting for 'exit' would wait forever.
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve(p.child.exitCode);
  return new Promise((resolve) => {
    p.child.once('exit', (code) => resolve(code));
    p.child.kill('SIGTERM');
  });
}

export function runCliSync(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
