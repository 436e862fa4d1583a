/** Sign-in with an API key. The key is checked against the hub, kept in this tab only, and never shown back. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { keepKey, type Session } from '../session';
import { ErrorNote, Field, messageOf } from '../ui';

export function SignIn({ error: initial, onSignedIn }: { error?: string | undefined; onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(initial);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter an API key. An administrator creates one with `npx crossdock keys create NAME --scopes admin`.');
      return;
    }
    setBusy(true);
    try {
      const session = await api<Session>('GET', '/v1/console/session', undefined, trimmed);
      keepKey(trimmed);
      setKey('');
      onSignedIn(session);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Crossdock console</h1>
      <p>Sign in with an API key. What the key's scopes do not allow is not offered.</p>
      <form onSubmit={submit}>
        <Field label="API key" hint="Kept in this browser tab only, until you sign out or close it.">
          <input
            type="password"
            name="apiKey"
            autocomplete="off"
            spellcheck={false}
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            required
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
