/** Whether a TCP service answers at a URL's host and port: how tests and benchmarks decide to skip. */
import { connect } from 'node:net';

export async function reachable(url: string, defaultPort: number): Promise<boolean> {
  // A loaded two-core machine can keep the event loop busy past a short timeout while the service
  // is there: a refused connection answers at once, so only a silent one is tried again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await connectOnce(url, defaultPort, 5000);
    if (answer !== 'timeout') return answer === 'connected';
  }
  return false;
}

function connectOnce(url: string, defaultPort: number, timeoutMs: number): Promise<'connected' | 'refused' | 'timeout'> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', () => resolve('refused'));
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
  });
}
