/**
 * The signed-in key: kept in this tab's sessionStorage only (gone when the tab closes, never in a
 * cookie the browser would send by itself, never shown back on screen).
 */
const STORE = 'crossdock.console.key';

export interface Session {
  name: string;
  scopes: string[];
  channels?: string[];
}

export function currentKey(): string | null {
  try {
    return sessionStorage.getItem(STORE);
  } catch {
    return null;
  }
}

export function keepKey(key: string): void {
  sessionStorage.setItem(STORE, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORE);
}

/** Whether the session's key may use a route needing `scope` (admin also reads metrics, as on the hub). */
export function allows(session: Session, scope: string): boolean {
  return session.scopes.includes(scope) || (scope === 'metrics' && session.scopes.includes('admin'));
}
