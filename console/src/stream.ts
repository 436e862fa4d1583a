/**
 * The dashboard's server-sent events, read with fetch so that the key travels in the
 * Authorization header (EventSource cannot send one). Reconnects after a pause when the
 * connection drops, as EventSource would.
 */
import { currentKey } from './session';
import { explain } from './api';

export interface StreamHandlers {
  onSample: (data: unknown) => void;
  onState: (state: 'live' | 'reconnecting', message?: string) => void;
}

export function openStream(path: string, h: StreamHandlers): () => void {
  const abort = new AbortController();
  let closed = false;
  const run = async () => {
    while (!closed) {
      try {
        const res = await fetch(path, { headers: { authorization: `Bearer ${currentKey() ?? ''}` }, signal: abort.signal });
        if (!res.ok || !res.body) {
          let problem: unknown;
          try {
            problem = await res.json();
          } catch {
            problem = undefined;
          }
          h.onState('reconnecting', explain(res.status, problem as never));
          if (res.status === 401 || res.status === 403) return;
        } else {
          h.onState('live');
          await readEvents(res.body, h.onSample);
          if (!closed) h.onState('reconnecting', 'The live connection to the hub closed; reconnecting.');
        }
      } catch {
        if (closed) return;
        h.onState('reconnecting', 'The live connection to the hub was lost; reconnecting.');
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => {
    closed = true;
    abort.abort();
  };
}

async function readEvents(body: ReadableStream<Uint8Array>, onSample: (data: unknown) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (event === 'sample' && data.length) onSample(JSON.parse(data.join('\n')));
      cut = buffer.indexOf('\n\n');
    }
  }
}
