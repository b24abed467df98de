/** The console's entry: the session decides between the login page and the app. */
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, api, onSessionExpired, setCsrfToken } from './api';
import { Shell } from './components/shell';
import { Loading } from './components/states';
import { LoginPage } from './pages/login';
import type { Session } from './types';

type State = { kind: 'checking' } | { kind: 'signed-out'; message: string | null } | { kind: 'signed-in'; session: Session };

function App() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const signIn = (session: Session) => {
    setCsrfToken(session.csrf_token);
    setState({ kind: 'signed-in', session });
  };
  const signOut = (message: string | null) => {
    setCsrfToken(null);
    setState({ kind: 'signed-out', message });
  };
  useEffect(() => {
    onSessionExpired(() => signOut('Your session has expired or was ended. Sign in again to continue.'));
    // A reload keeps the session (the cookie) but not the CSRF token (memory): the API gives it again.
    api<Session>('GET', '/admin/session').then(signIn, (error: unknown) =>
      signOut(error instanceof ApiFailure && error.status !== 401 ? `The gateway could not check your session: ${error.message}` : null),
    );
  }, []);
  if (state.kind === 'checking') {
    return (
      <main id="main" class="center">
        <Loading what="your session" />
      </main>
    );
  }
  if (state.kind === 'signed-out') return <LoginPage message={state.message} onSignedIn={signIn} />;
  return (
    <Shell
      session={state.session}
      onLogout={async () => {
        await api('DELETE', '/admin/session').catch(() => undefined);
        signOut('You are signed out.');
      }}
    />
  );
}

render(<App />, document.getElementById('app')!);
