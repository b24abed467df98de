/**
 * The structured method's corpus: realistic tool outputs, generated from a seed (no copied text).
 * `npx tsx test/bench/compression-corpus.ts` (re)writes fixtures/compression/tool-outputs/ (logs as .txt: the
 * repository ignores *.log).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Random, seeded } from '../lib/tokens/generators';
import { int, pick } from './compression-qa-genres';

export const CORPUS_DIR = join(__dirname, 'fixtures', 'compression', 'tool-outputs');

const USERS = ['mchen', 'kokafor', 'alind', 'tmoreau', 'phaddad', 'lkowalski', 'itanaka', 'snovak'];
const WORDS = ['cache', 'timeout', 'retry', 'parser', 'config', 'login', 'upload', 'webhook', 'token', 'schema', 'metrics', 'export'];
const hex = (rand: Random, length: number): string => Array.from({ length }, () => '0123456789abcdef'[int(rand, 0, 15)]).join('');
const iso = (rand: Random, second: number): string =>
  `2026-11-${String(int(rand, 1, 28)).padStart(2, '0')}T${String(8 + (Math.floor(second / 3600) % 14)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`;

function githubIssues(rand: Random): string {
  const issues = Array.from({ length: 30 }, (_, index) => ({
    id: 2000000 + int(rand, 0, 999999),
    number: 1400 - index,
    title: `${pick(rand, ['Fix', 'Support', 'Crash in', 'Slow', 'Document'])} ${pick(rand, WORDS)} ${pick(rand, ['handling', 'on Windows', 'with proxies', 'after upgrade', 'for large files'])}`,
    state: pick(rand, ['open', 'open', 'closed']),
    user: { login: pick(rand, USERS), id: int(rand, 1000, 99999), type: 'User', site_admin: false },
    labels: [{ name: pick(rand, ['bug', 'enhancement', 'docs', 'good first issue']), color: hex(rand, 6) }],
    assignee: rand() < 0.5 ? null : { login: pick(rand, USERS), id: int(rand, 1000, 99999), type: 'User', site_admin: false },
    comments: int(rand, 0, 40),
    created_at: iso(rand, int(rand, 0, 50000)),
    updated_at: iso(rand, int(rand, 0, 50000)),
    html_url: `https://git.example.com/acme/widget/issues/${1400 - index}`,
    body: rand() < 0.3 ? null : `Steps to reproduce: enable ${pick(rand, WORDS)} and run the ${pick(rand, WORDS)} job.`,
  }));
  return JSON.stringify(issues, null, 2);
}

function kubernetesPods(rand: Random): string {
  const items = Array.from({ length: 20 }, () => {
    const app = pick(rand, ['api', 'worker', 'web', 'scheduler']);
    const name = `${app}-${hex(rand, 10)}-${hex(rand, 5)}`;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'production', labels: { app, 'pod-template-hash': hex(rand, 10) }, creationTimestamp: iso(rand, int(rand, 0, 50000)) },
      spec: {
        nodeName: `node-${int(rand, 1, 6)}`,
        containers: [
          {
            name: app,
            image: `registry.example.com/acme/${app}:1.${int(rand, 0, 9)}.${int(rand, 0, 20)}`,
            resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
          },
        ],
        restartPolicy: 'Always',
      },
      status: {
        phase: pick(rand, ['Running', 'Running', 'Running', 'Pending']),
        podIP: `10.42.${int(rand, 0, 9)}.${int(rand, 2, 250)}`,
        containerStatuses: [{ name: app, ready: true, restartCount: int(rand, 0, 3), started: true }],
      },
    };
  });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } }, null, 2);
}

function searchResults(rand: Random): string {
  const results = Array.from({ length: 15 }, (_, index) => ({
    rank: index + 1,
    title: `How to configure ${pick(rand, WORDS)} ${pick(rand, WORDS)} in production`,
    url: `https://docs.example.org/${pick(rand, WORDS)}/${pick(rand, WORDS)}-${int(rand, 1, 99)}`,
    snippet: `A guide to ${pick(rand, WORDS)} settings, with examples for ${pick(rand, WORDS)} and ${pick(rand, WORDS)}.`,
    score: Math.round(rand() * 1000) / 1000,
  }));
  return JSON.stringify({ query: 'configure cache timeout', total: 15, results }, null, 2);
}

function nginxAccessLog(rand: Random): string {
  const lines: string[] = [];
  for (let second = 0; lines.length < 200; second += int(rand, 0, 2)) {
    const ip = `203.0.113.${int(rand, 1, 40)}`;
    const path = pick(rand, ['/', '/api/orders', '/api/orders?page=2', '/static/app.js', '/healthz', '/healthz', '/healthz', '/login']);
    const status = path === '/healthz' ? 200 : pick(rand, [200, 200, 200, 304, 404, 500]);
    const stamp = `12/Nov/2026:10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')} +0000`;
    const line =
      path === '/healthz'
        ? `10.0.0.5 - - [${stamp}] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29"`
        : `${ip} - - [${stamp}] "GET ${path} HTTP/1.1" ${status} ${int(rand, 200, 90000)} "-" "Mozilla/5.0 (X11; Linux x86_64)"`;
    lines.push(line);
  }
  return lines.join('\n');
}

function appLog(rand: Random): string {
  const lines: string[] = [];
  for (let second = 0; lines.length < 220; second++) {
    const stamp = iso(rand, second).replace(/^2026-11-\d\d/, '2026-11-12');
    const roll = rand();
    if (roll < 0.45) lines.push(`${stamp} WARN  [pool] connection to db-primary:5432 refused, retrying`);
    else if (roll < 0.6) lines.push(`2026-11-12T10:00:00Z DEBUG [heartbeat] worker alive`);
    else lines.push(`${stamp} INFO  [http] ${pick(rand, ['GET', 'POST'])} /api/${pick(rand, WORDS)} ${pick(rand, [200, 201, 404])} ${int(rand, 2, 900)}ms`);
  }
  return lines.join('\n');
}

function longListing(rand: Random): string {
  const lines = [`total ${int(rand, 100, 900)}`];
  for (let index = 0; index < 40; index++) {
    const directory = rand() < 0.25;
    lines.push(
      `${directory ? 'drwxr-xr-x' : '-rw-r--r--'}  ${directory ? int(rand, 2, 9) : 1} ${pick(rand, USERS).padEnd(9)} staff  ${String(int(rand, 64, 999999)).padStart(7)} Nov ${String(int(rand, 1, 28)).padStart(2)} ${String(int(rand, 0, 23)).padStart(2, '0')}:${String(int(rand, 0, 59)).padStart(2, '0')} ${pick(rand, WORDS)}-${index}${directory ? '' : pick(rand, ['.ts', '.json', '.md'])}`,
    );
  }
  return lines.join('\n');
}

function findListing(rand: Random): string {
  const lines: string[] = [];
  for (const folder of ['./src', './src/lib', './src/lib/http', './src/plugins', './test', './test/lib', './docs']) {
    for (let index = int(rand, 3, 12); index > 0; index--)
      lines.push(`${folder}/${pick(rand, WORDS)}-${hex(rand, 3)}.${pick(rand, ['ts', 'ts', 'json', 'md'])}`);
  }
  return lines.join('\n');
}

function jestOutput(rand: Random): string {
  const lines: string[] = [];
  for (const suite of ['cache', 'parser', 'webhook', 'token']) {
    lines.push(`PASS test/lib/${suite}.test.ts`, `  ${suite}`);
    for (let index = int(rand, 8, 20); index > 0; index--)
      lines.push(
        `    ✓ ${pick(rand, ['handles', 'rejects', 'parses', 'retries'])} ${pick(rand, WORDS)} ${pick(rand, ['input', 'errors', 'edge cases', 'timeouts'])} (${int(rand, 1, 40)} ms)`,
      );
  }
  lines.push(
    'FAIL test/lib/upload.test.ts',
    '  upload',
    '    ✕ resumes an interrupted upload (5012 ms)',
    '',
    '  ● upload › resumes an interrupted upload',
    '',
    '    thrown: "Exceeded timeout of 5000 ms for a test."',
  );
  lines.push(
    '',
    'Test Suites: 1 failed, 4 passed, 5 total',
    `Tests:       1 failed, ${int(rand, 40, 80)} passed, ${int(rand, 81, 90)} total`,
    'Time:        7.412 s',
  );
  return lines.join('\n');
}

function pytestOutput(rand: Random): string {
  const lines = [
    '============================= test session starts ==============================',
    'platform linux -- Python 3.12.1, pytest-8.1.1',
    'collected 64 items',
    '',
  ];
  for (let index = 0; index < 60; index++)
    lines.push(
      `tests/test_${pick(rand, WORDS)}.py::test_${pick(rand, WORDS)}_${index} PASSED${' '.repeat(int(rand, 1, 20))}[${String(Math.round(((index + 1) / 64) * 100)).padStart(3)}%]`,
    );
  lines.push(
    'tests/test_upload.py::test_resume FAILED                                   [ 95%]',
    '',
    '=================================== FAILURES ===================================',
    'E   AssertionError: expected 200, got 503',
    '========================= 1 failed, 63 passed in 4.21s =========================',
  );
  return lines.join('\n');
}

function nodeStackTrace(rand: Random): string {
  const frames = Array.from(
    { length: 28 },
    (_, index) =>
      `    at ${pick(rand, ['Object.', 'Module.', 'async ', ''])}${pick(rand, WORDS)}${pick(rand, ['Handler', 'Service', 'Client'])} (/app/src/${pick(rand, WORDS)}.js:${int(rand, 10, 400)}:${int(rand, 5, 40)})${index === 27 ? '' : ''}`,
  );
  return ["TypeError: Cannot read properties of undefined (reading 'id')", ...frames, '', 'Node.js v20.11.1'].join('\n');
}

function pythonTraceback(rand: Random): string {
  const lines = ['Traceback (most recent call last):'];
  for (let index = 0; index < 16; index++) {
    lines.push(
      `  File "/srv/app/${pick(rand, WORDS)}/${pick(rand, WORDS)}.py", line ${int(rand, 10, 500)}, in ${pick(rand, WORDS)}_${pick(rand, ['run', 'call', 'wrapper'])}`,
      `    return self.${pick(rand, WORDS)}(${pick(rand, ['request', 'payload', '*args, **kwargs'])})`,
    );
  }
  lines.push("KeyError: 'tenant_id'");
  return lines.join('\n');
}

function toolResultWithBlob(rand: Random): string {
  const bytes = Buffer.from(Array.from({ length: 6000 }, () => int(rand, 0, 255)));
  return `Screenshot captured (1280x720, PNG).\n${JSON.stringify({ mime: 'image/png', width: 1280, height: 720, data: bytes.toString('base64') })}\nUse the element ids from the accessibility tree to click.`;
}

export const CORPUS: Record<string, (rand: Random) => string> = {
  'github-issues.json': githubIssues,
  'kubernetes-pods.json': kubernetesPods,
  'search-results.json': searchResults,
  'nginx-access-log.txt': nginxAccessLog,
  'app-log-with-repeats.txt': appLog,
  'ls-la.txt': longListing,
  'find.txt': findListing,
  'jest-output.txt': jestOutput,
  'pytest-output.txt': pytestOutput,
  'node-stack-trace.txt': nodeStackTrace,
  'python-traceback.txt': pythonTraceback,
  'screenshot-tool-result.txt': toolResultWithBlob,
};

if (require.main === module) {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const rand = seeded(11);
  for (const [name, make] of Object.entries(CORPUS)) writeFileSync(join(CORPUS_DIR, name), `${make(rand)}\n`);
  process.stdout.write(`wrote ${Object.keys(CORPUS).length} files to ${CORPUS_DIR}\n`);
}
