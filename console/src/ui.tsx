/** Pieces every view uses: loading a resource, saying what went wrong, saying what to do when there is nothing. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  // Only the latest load may land: an earlier, slower answer (the whole list, before a filter was applied)
  // arriving last would otherwise replace what the person asked for.
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const turn = ++latest.current;
    setLoading(true);
    try {
      const loaded = await load();
      if (turn !== latest.current) return;
      setData(loaded);
      setError(undefined);
    } catch (err) {
      if (turn !== latest.current) return;
      setError(messageOf(err));
    } finally {
      if (turn === latest.current) setLoading(false);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

export function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) return err.message;
  return `Something went wrong in the console: ${String(err)}. Reload the page and try again.`;
}

export function ErrorNote({ error }: { error?: string | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Notice({ text }: { text?: string | undefined }) {
  if (!text) return null;
  return (
    <p class="notice" role="status">
      {text}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children, wrapped by the label (implicit association)
    <label class="field">
      <span>{label}</span>
      {children}
      {hint ? <small>{hint}</small> : null}
    </label>
  );
}

/** A filter's choices: "any" (empty) first, then each value written with spaces for its underscores. */
export function AnyOf({ name, value, values, onChange }: { name: string; value: string; values: readonly string[]; onChange: (e: Event) => void }) {
  return (
    <select name={name} value={value} onChange={onChange}>
      <option value="">any</option>
      {values.map((v) => (
        <option key={v} value={v}>
          {v.replace(/_/g, ' ')}
        </option>
      ))}
    </select>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  const hid = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-title`;
  return (
    <section aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** Runs an action, reporting its outcome or its error in words. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = async (what: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await what());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}
