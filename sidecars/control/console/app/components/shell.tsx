/** The signed-in frame: skip link, header (who, links out, logout), navigation and the current page. */
import { useEffect, useRef } from 'preact/hooks';
import { api } from '../api';
import { useResource } from '../hooks';
import { AuditPage } from '../pages/audit';
import { CachePage } from '../pages/cache';
import { GuardrailsPage } from '../pages/guardrails';
import { KeyPage } from '../pages/key';
import { KeysPage } from '../pages/keys';
import { ModelsPage } from '../pages/models';
import { OverviewPage } from '../pages/overview';
import { PromptPage } from '../pages/prompt';
import { PromptsPage } from '../pages/prompts';
import { RequestPage } from '../pages/request';
import { RequestsPage } from '../pages/requests';
import { SpendPage } from '../pages/spend';
import { TeamPage } from '../pages/team';
import { TeamsPage } from '../pages/teams';
import { href, type Location, useLocation } from '../router';
import type { ConsoleConfig, Session } from '../types';

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'],
  ['teams', 'Teams'],
  ['keys', 'Keys'],
  ['models', 'Models'],
  ['requests', 'Requests'],
  ['spend', 'Spend'],
  ['prompts', 'Prompts'],
  ['cache', 'Cache'],
  ['guardrails', 'Guardrails'],
  ['audit', 'Audit log'],
];

function Page({ location, config }: { location: Location; config: ConsoleConfig | null }) {
  const [section = 'overview', id] = location.parts;
  switch (section) {
    case 'teams':
      return id ? <TeamPage id={id} /> : <TeamsPage />;
    case 'keys':
      return id ? <KeyPage id={id} /> : <KeysPage query={location.query} />;
    case 'models':
      return <ModelsPage />;
    case 'requests':
      return id ? <RequestPage id={id} traceTemplate={config?.trace_url_template ?? null} /> : <RequestsPage query={location.query} />;
    case 'prompts':
      return id ? <PromptPage name={id} /> : <PromptsPage />;
    case 'spend':
      return <SpendPage />;
    case 'cache':
      return <CachePage />;
    case 'guardrails':
      return <GuardrailsPage />;
    case 'audit':
      return <AuditPage />;
    case 'overview':
      return <OverviewPage />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            There is no console page at this address. <a href={href('overview')}>Go to the overview</a>.
          </p>
        </section>
      );
  }
}

/** Only http(s) links out: a configured URL cannot become a javascript: link. */
const safeUrl = (url: string | null | undefined): string | null => (url && /^https?:\/\//i.test(url) ? url : null);

export function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const location = useLocation();
  const config = useResource((signal) => api<ConsoleConfig>('GET', '/admin/console/config', undefined, signal), []);
  const main = useRef<HTMLElement>(null);
  const section = location.parts[0] ?? 'overview';
  const pageKey = location.parts.join('/');
  // A new page moves the focus to its content, so keyboard and screen-reader users start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pageKey]);
  const loaded = config.state === 'ok' ? config.data : null;
  const kong = safeUrl(loaded?.kong_manager_url);
  const grafana = safeUrl(loaded?.grafana_url);
  return (
    <div class="app">
      <button type="button" class="skip-link" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="header">
        <a class="brand" href={href('overview')}>
          AI Gateway
        </a>
        <nav class="external" aria-label="Other tools">
          {kong && (
            <a href={kong} target="_blank" rel="noopener noreferrer">
              Kong Manager
            </a>
          )}
          {grafana && (
            <a href={grafana} target="_blank" rel="noopener noreferrer">
              Grafana
            </a>
          )}
        </nav>
        <span class="who" title={`key ${session.key.prefix}…`}>
          Signed in as <strong>{session.key.alias ?? session.key.prefix}</strong>
        </span>
        <button type="button" class="button" onClick={onLogout}>
          Log out
        </button>
      </header>
      <div class="body">
        <nav class="sidebar" aria-label="Console">
          <ul>
            {NAV.map(([path, label]) => (
              <li key={path}>
                <a href={href(path)} aria-current={section === path ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1} class="content">
          <Page key={pageKey} location={location} config={loaded} />
        </main>
      </div>
    </div>
  );
}
