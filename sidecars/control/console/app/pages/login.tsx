/**
 * Sign in with an admin key. The key goes once to POST /admin/session and is then dropped: the
 * session is an httpOnly cookie the page cannot read, and nothing is written to browser storage.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ActionError } from '../components/states';
import { useAction } from '../hooks';
import type { Session } from '../types';

export function LoginPage({ message, onSignedIn }: { message: string | null; onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const login = useAction((adminKey: string) => api<Session>('POST', '/admin/session', { key: adminKey }));
  const submit = async (event: Event) => {
    event.preventDefault();
    const session = await login.start(key.trim());
    setKey('');
    if (session) onSignedIn(session);
  };
  return (
    <main id="main" class="login">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">AI Gateway console</h1>
        <p class="muted">Sign in with an admin key. It is exchanged for a session and not kept by this page.</p>
        {message && (
          <p class="notice" role="status">
            {message}
          </p>
        )}
        <div class="field">
          <label for="admin-key">Admin key</label>
          <input
            id="admin-key"
            name="admin-key"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={key}
            onInput={(e) => setKey((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <ActionError error={login.error} />
        <button type="submit" class="button button-primary" disabled={login.busy || key.trim() === ''}>
          {login.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
