/**
 * The operations console: signs in with an API key, then offers the views the key's scopes allow.
 * Views are addressed by the URL's hash (#/orders?id=…) so a link to what someone looks at can be
 * shared and the back button works, with no server-side routes beyond /console/.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api } from './api';
import { allows, currentKey, forgetKey, type Session } from './session';
import { SignIn } from './views/sign-in';
import { Dashboard } from './views/dashboard';
import { Availability } from './views/availability';
import { Orders } from './views/orders';
import { Exceptions } from './views/exceptions';
import { Connectors } from './views/connectors';
import { MasterData } from './views/master-data';
import { Audit } from './views/audit';
import { ErrorNote, messageOf } from './ui';

interface View {
  path: string;
  label: string;
  /** The scope a key needs for the view to be offered. */
  scope: string;
  render: (params: URLSearchParams, session: Session) => preact.JSX.Element;
}

const VIEWS: View[] = [
  { path: 'dashboard', label: 'Dashboard', scope: 'metrics', render: () => <Dashboard /> },
  { path: 'availability', label: 'Availability', scope: 'availability:read', render: (p, s) => <Availability params={p} session={s} /> },
  { path: 'orders', label: 'Orders', scope: 'orders:read', render: (p) => <Orders params={p} /> },
  { path: 'exceptions', label: 'Exceptions', scope: 'admin', render: (p) => <Exceptions params={p} /> },
  { path: 'connectors', label: 'Connectors', scope: 'admin', render: () => <Connectors /> },
  { path: 'master-data', label: 'Master data', scope: 'availability:read', render: (p, s) => <MasterData params={p} session={s} /> },
  { path: 'audit', label: 'Audit trail', scope: 'admin', render: (p) => <Audit params={p} /> },
];

function parseHash(): { path: string; params: URLSearchParams } {
  const [path = '', q = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { path, params: new URLSearchParams(q) };
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(currentKey() ? undefined : null);
  const [error, setError] = useState<string | undefined>();
  const [route, setRoute] = useState(parseHash());

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (session !== undefined) return;
    api<Session>('GET', '/v1/console/session')
      .then(setSession)
      .catch((err) => {
        forgetKey();
        setError(messageOf(err));
        setSession(null);
      });
  }, [session]);

  const views = session ? VIEWS.filter((v) => allows(session, v.scope)) : [];
  const view = views.find((v) => v.path === route.path) ?? views[0];

  useEffect(() => {
    document.title = view ? `${view.label} · Crossdock console` : 'Crossdock console';
    // Move focus to the new view's heading, so keyboard and screen-reader users land on it.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [view?.path]);

  if (session === undefined) return <p class="loading">Checking your key…</p>;
  if (session === null) return <SignIn error={error} onSignedIn={(s) => setSession(s)} />;

  const signOut = () => {
    forgetKey();
    setSession(null);
    setError(undefined);
    location.hash = '';
  };

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Crossdock console</span>
        <nav aria-label="Views">
          <ul>
            {views.map((v) => (
              <li key={v.path}>
                <a href={`#/${v.path}`} aria-current={v === view ? 'page' : undefined}>
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          Signed in as <strong>{session.name}</strong>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">
        {view ? (
          <>
            <h1 tabIndex={-1}>{view.label}</h1>
            {view.render(route.params, session)}
          </>
        ) : (
          <>
            <h1 tabIndex={-1}>Nothing to show</h1>
            <ErrorNote error="This key has no scope the console can use. Sign out and sign in with a key that has availability:read, orders:read, metrics or admin." />
          </>
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
