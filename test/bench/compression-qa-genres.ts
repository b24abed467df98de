/**
 * The document genres of the compression QA set: each has entities (services, people, clauses…),
 * attributes every entity has a different value of (so most sentences are distractors sharing the
 * answer sentence's words), several ways to state a fact, questions worded unlike the statements,
 * and filler sentences in the genre's vocabulary. All text is written here.
 */
import type { Random } from '../lib/tokens/generators';

export const int = (rand: Random, low: number, high: number): number => low + Math.floor(rand() * (high - low + 1));
export const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

export interface Attribute {
  value: (rand: Random) => string;
  statements: Array<(entity: string, value: string) => string>;
  questions: Array<(entity: string) => string>;
}

export interface Genre {
  name: string;
  title: (rand: Random) => string;
  entities: readonly string[];
  attributes: Record<string, Attribute>;
  fillers: Array<(entity: string, rand: Random) => string>;
}

const FIRST = [
  'Maria',
  'Kenji',
  'Aisha',
  'Tomasz',
  'Priya',
  'Lucas',
  'Ingrid',
  'Samuel',
  'Noor',
  'Diego',
  'Hana',
  'Oluwaseun',
  'Elena',
  'Rafael',
  'Mei',
  'Jonas',
];
const LAST = [
  'Chen',
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Haddad',
  'Kowalski',
  'Tanaka',
  'Fernandes',
  'Novak',
  'Brennan',
  'Iyer',
  'Castillo',
  'Weber',
  'Nakamura',
];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const person = (rand: Random): string => `${pick(rand, FIRST)} ${pick(rand, LAST)}`;
const date = (rand: Random): string => `${int(rand, 1, 28)} ${pick(rand, MONTHS)} ${int(rand, 2023, 2026)}`;
const clock = (rand: Random): string => `${String(int(rand, 0, 23)).padStart(2, '0')}:${String(int(rand, 0, 59)).padStart(2, '0')} UTC`;
const money = (rand: Random): string => `$${int(rand, 12, 980)},${String(int(rand, 0, 999)).padStart(3, '0')}`;

const incident: Genre = {
  name: 'incident report',
  title: (rand) => `Post-incident review INC-${int(rand, 1000, 9999)}: degraded checkout and search`,
  entities: ['checkout-api', 'search-svc', 'auth-gateway', 'ledger-worker', 'inventory-sync', 'notification-hub', 'billing-cron', 'media-proxy'],
  attributes: {
    latency: {
      value: (rand) => `${int(rand, 120, 4800)} ms`,
      statements: [
        (e, v) => `During the peak, p99 latency for ${e} climbed to ${v} before the alert fired.`,
        (e, v) => `Dashboards show ${e} answering its slowest requests in ${v} at the 99th percentile.`,
      ],
      questions: [(e) => `How slow did ${e} get at p99 during the incident?`, (e) => `What tail latency did ${e} reach?`],
    },
    errors: {
      value: (rand) => `${int(rand, 1, 48)}.${int(rand, 0, 9)}%`,
      statements: [
        (e, v) => `The error rate of ${e} peaked at ${v} of requests.`,
        (e, v) => `Roughly ${v} of calls to ${e} returned 5xx responses at the worst point.`,
      ],
      questions: [(e) => `What share of ${e} requests failed at the worst moment?`, (e) => `How high did the failure rate of ${e} go?`],
    },
    oncall: {
      value: person,
      statements: [
        (e, v) => `${v} was paged as the on-call engineer for ${e}.`,
        (e, v) => `The pager for ${e} went to ${v}, who acknowledged within four minutes.`,
      ],
      questions: [(e) => `Who was on call for ${e}?`, (e) => `Which engineer got paged about ${e}?`],
    },
    mitigation: {
      value: (rand) =>
        pick(rand, [
          'rolled back the deploy',
          'drained the us-east-1 pool',
          'raised the connection limit',
          'disabled the feature flag',
          'restarted the cache nodes',
          'failed over to the replica',
          'throttled the batch importer',
        ]),
      statements: [
        (e, v) => `To mitigate the impact on ${e}, the team ${v} and watched the graphs recover.`,
        (e, v) => `Recovery for ${e} came after responders ${v}.`,
      ],
      questions: [(e) => `What action brought ${e} back to normal?`, (e) => `How was ${e} mitigated?`],
    },
    start: {
      value: clock,
      statements: [(e, v) => `The first symptoms on ${e} appeared at ${v}.`, (e, v) => `Alerts for ${e} started at ${v} according to the timeline.`],
      questions: [(e) => `When did problems with ${e} begin?`, (e) => `At what time was ${e} first affected?`],
    },
  },
  fillers: [
    (e) => `The responders reviewed the logs of ${e} and found no related configuration change.`,
    (e) => `Traffic to ${e} followed the usual weekday curve before the incident.`,
    (e, r) => `A follow-up ticket OPS-${int(r, 100, 999)} tracks better dashboards for ${e}.`,
    (e) => `Customers contacted support about slow pages, and some mentioned ${e} errors in the browser console.`,
    () => `The incident channel stayed open until the service level objectives were met again.`,
    () => `Everyone agreed that the alert thresholds need another review next quarter.`,
  ],
};

const spec: Genre = {
  name: 'product spec',
  title: (rand) => `Hardware specification rev ${int(rand, 2, 9)}: field sensor kit`,
  entities: ['the X100 sensor', 'the base station', 'the solar panel', 'the relay module', 'the handheld reader', 'the mounting bracket', 'the battery pack'],
  attributes: {
    weight: {
      value: (rand) => `${int(rand, 40, 2400)} grams`,
      statements: [(e, v) => `Including screws, ${e} weighs ${v}.`, (e, v) => `The shipping scale lists ${e} at ${v}.`],
      questions: [(e) => `How heavy is ${e}?`, (e) => `What is the mass of ${e}?`],
    },
    temperature: {
      value: (rand) => `-${int(rand, 5, 40)} to ${int(rand, 45, 85)} °C`,
      statements: [(e, v) => `${capital(e)} is rated for operation from ${v}.`, (e, v) => `Qualification testing confirmed ${e} works between ${v}.`],
      questions: [(e) => `What temperature range can ${e} operate in?`, (e) => `Which ambient temperatures does ${e} tolerate?`],
    },
    material: {
      value: (rand) =>
        pick(rand, [
          'anodized aluminium',
          'glass-filled nylon',
          'marine-grade stainless steel',
          'UV-stabilised polycarbonate',
          'powder-coated steel',
          'carbon fibre composite',
        ]),
      statements: [(e, v) => `The enclosure of ${e} is made of ${v}.`, (e, v) => `For durability, ${e} uses a ${v} housing.`],
      questions: [(e) => `What is the housing of ${e} built from?`, (e) => `Which material encloses ${e}?`],
    },
    supplier: {
      value: (rand) =>
        `${pick(rand, ['Norrland', 'Kestrel', 'Bluefin', 'Arroyo', 'Tamarack', 'Helio', 'Quarry'])} ${pick(rand, ['Components', 'Industries', 'Electronics', 'Manufacturing'])}`,
      statements: [(e, v) => `${capital(e)} is sourced from ${v} under a two-year agreement.`, (e, v) => `Purchasing selected ${v} to supply ${e}.`],
      questions: [(e) => `Which vendor provides ${e}?`, (e) => `Who manufactures ${e} for us?`],
    },
    battery: {
      value: (rand) => `${int(rand, 6, 900)} hours`,
      statements: [(e, v) => `On a full charge ${e} runs for ${v}.`, (e, v) => `Endurance tests measured ${v} of runtime for ${e}.`],
      questions: [(e) => `How long does ${e} last per charge?`, (e) => `What runtime can we expect from ${e}?`],
    },
  },
  fillers: [
    (e) => `The drawings for ${e} were updated to match the latest tolerances.`,
    (e) => `Engineering still wants a second opinion on the cable routing of ${e}.`,
    (e, r) => `Prototype batch ${int(r, 10, 99)} of ${e} passed visual inspection.`,
    () => `All parts must meet the RoHS and REACH requirements listed in the appendix.`,
    () => `Field technicians asked for clearer labels on every connector.`,
  ],
};

const meeting: Genre = {
  name: 'meeting notes',
  title: (rand) => `Weekly planning sync, week ${int(rand, 1, 52)}`,
  entities: ['Maria Chen', 'Kenji Okafor', 'Aisha Lindqvist', 'Tomasz Moreau', 'Priya Haddad', 'Lucas Kowalski', 'Ingrid Tanaka', 'Samuel Novak'],
  attributes: {
    action: {
      value: (rand) =>
        pick(rand, [
          'draft the migration plan',
          'interview two vendors',
          'update the onboarding guide',
          'audit the access logs',
          'benchmark the new cluster',
          'prepare the board slides',
          'clean up the backlog',
        ]),
      statements: [(e, v) => `${e} took the action item to ${v}.`, (e, v) => `It was agreed that ${e} will ${v} before the next sync.`],
      questions: [(e) => `What is ${e} supposed to do next?`, (e) => `Which task did ${e} sign up for?`],
    },
    deadline: {
      value: date,
      statements: [(e, v) => `${e} committed to a deadline of ${v}.`, (e, v) => `The work owned by ${e} is due on ${v}.`],
      questions: [(e) => `By when must ${e} deliver?`, (e) => `What due date did ${e} accept?`],
    },
    budget: {
      value: money,
      statements: [(e, v) => `${e} asked for a budget of ${v} for the quarter.`, (e, v) => `Finance approved ${v} for the initiative led by ${e}.`],
      questions: [(e) => `How much money was requested or approved for ${e}?`, (e) => `What funding does ${e} have?`],
    },
    concern: {
      value: (rand) =>
        pick(rand, ['vendor lock-in', 'hiring delays', 'data residency rules', 'test flakiness', 'cloud cost growth', 'on-call fatigue', 'license compliance']),
      statements: [(e, v) => `${e} raised concerns about ${v}.`, (e, v) => `The main risk flagged by ${e} was ${v}.`],
      questions: [(e) => `What worried ${e}?`, (e) => `Which risk did ${e} bring up?`],
    },
  },
  fillers: [
    (e) => `${e} joined late because of a customer call.`,
    (e) => `${e} thanked the team for the quick turnaround last week.`,
    () => `The group spent ten minutes on the roadmap slides without a decision.`,
    () => `Notes from the previous sync were accepted without changes.`,
    (e, r) => `A question from ${e} about ticket PLAN-${int(r, 100, 999)} was parked for later.`,
  ],
};

const api: Genre = {
  name: 'API docs',
  title: () => `Orders platform REST API reference`,
  entities: ['/v2/orders', '/v2/refunds', '/v2/customers', '/v2/invoices', '/v2/shipments', '/v2/webhooks', '/v2/products', '/v2/coupons'],
  attributes: {
    limit: {
      value: (rand) => `${int(rand, 10, 5000)} requests per minute`,
      statements: [(e, v) => `Calls to ${e} are throttled at ${v} per API key.`, (e, v) => `The gateway allows ${v} on ${e} before returning 429.`],
      questions: [(e) => `How often may a client call ${e}?`, (e) => `What is the throttle on ${e}?`],
    },
    scope: {
      value: (rand) =>
        `\`${pick(rand, ['orders', 'refunds', 'customers', 'billing', 'shipping', 'catalog'])}:${pick(rand, ['read', 'write', 'admin', 'export'])}\``,
      statements: [(e, v) => `Requests to ${e} need a token with the ${v} scope.`, (e, v) => `${e} checks for the ${v} scope on every call.`],
      questions: [(e) => `Which OAuth permission does ${e} require?`, (e) => `What scope must a token carry for ${e}?`],
    },
    page: {
      value: (rand) => `${int(rand, 20, 1000)} items`,
      statements: [(e, v) => `Each page returned by ${e} holds at most ${v}.`, (e, v) => `Pagination on ${e} caps a response at ${v}.`],
      questions: [(e) => `What is the largest page size for ${e}?`, (e) => `How many records can one response from ${e} contain?`],
    },
    deprecation: {
      value: date,
      statements: [(e, v) => `${e} will be removed on ${v}.`, (e, v) => `Support for ${e} ends on ${v}, after which it returns 410.`],
      questions: [(e) => `When is ${e} being retired?`, (e) => `What is the sunset date of ${e}?`],
    },
    error: {
      value: (rand) => `error ${pick(rand, ['E_ORDER_LOCKED', 'E_QUOTA', 'E_STALE_ETAG', 'E_DUPLICATE', 'E_CURRENCY', 'E_SIGNATURE'])}`,
      statements: [(e, v) => `A conflicting write to ${e} fails with ${v}.`, (e, v) => `Clients of ${e} should retry on ${v} after a short delay.`],
      questions: [(e) => `Which failure code does ${e} send on conflicts?`, (e) => `What code should a caller of ${e} retry on?`],
    },
  },
  fillers: [
    (e) => `All timestamps returned by ${e} use RFC 3339 in UTC.`,
    (e) => `Responses from ${e} include an ETag header for caching.`,
    (e) => `Fields not documented for ${e} may change without notice.`,
    () => `Send JSON bodies with the content type application/json.`,
    () => `Idempotency keys are honoured for twenty-four hours.`,
  ],
};

const contract: Genre = {
  name: 'contract',
  title: (rand) => `Master services agreement no. ${int(rand, 100, 999)}`,
  entities: ['the Supplier', 'the Customer', 'the Reseller', 'the Licensor', 'the Contractor', 'the Guarantor'],
  attributes: {
    payment: {
      value: (rand) => `net ${pick(rand, [15, 30, 45, 60, 75, 90])} days`,
      statements: [(e, v) => `Invoices issued to ${e} are payable ${v} from receipt.`, (e, v) => `${capital(e)} shall settle all amounts due on ${v} terms.`],
      questions: [(e) => `How quickly must ${e} pay invoices?`, (e) => `What are the payment terms for ${e}?`],
    },
    notice: {
      value: (rand) => `${int(rand, 10, 180)} days' written notice`,
      statements: [(e, v) => `${capital(e)} may terminate for convenience by giving ${v}.`, (e, v) => `Termination by ${e} requires ${v} to the other party.`],
      questions: [(e) => `How much warning must ${e} give to end the agreement?`, (e) => `What notice does ${e} need to terminate?`],
    },
    cap: {
      value: money,
      statements: [(e, v) => `The aggregate liability of ${e} shall not exceed ${v}.`, (e, v) => `${capital(e)}'s total liability is limited to ${v}.`],
      questions: [(e) => `What is the maximum ${e} can owe in damages?`, (e) => `Where is the liability of ${e} capped?`],
    },
    law: {
      value: (rand) => `the laws of ${pick(rand, ['Delaware', 'New York', 'Ontario', 'England and Wales', 'the Netherlands', 'Singapore', 'California'])}`,
      statements: [(e, v) => `Obligations of ${e} are governed by ${v}.`, (e, v) => `Disputes involving ${e} are resolved under ${v}.`],
      questions: [(e) => `Which jurisdiction's rules apply to ${e}?`, (e) => `What governing law covers ${e}?`],
    },
  },
  fillers: [
    (e) => `Nothing in this section limits the rights of ${e} under applicable law.`,
    (e) => `${capital(e)} shall keep accurate records for the term of this agreement.`,
    () => `Headings are for convenience only and do not affect interpretation.`,
    () => `Each party shall bear its own costs in connection with this agreement.`,
    (e, r) => `Schedule ${int(r, 1, 9)} sets out further obligations of ${e}.`,
  ],
};

const release: Genre = {
  name: 'release notes',
  title: () => `Release notes for the Fieldbook desktop app`,
  entities: ['v3.2.0', 'v3.3.0', 'v3.4.0', 'v4.0.0', 'v4.1.0', 'v4.2.0', 'v4.3.0'],
  attributes: {
    released: {
      value: date,
      statements: [(e, v) => `Version ${e} shipped on ${v}.`, (e, v) => `The ${e} build reached the stable channel on ${v}.`],
      questions: [(e) => `When did ${e} come out?`, (e) => `What was the release date of ${e}?`],
    },
    feature: {
      value: (rand) =>
        pick(rand, ['offline sync', 'dark mode', 'bulk CSV import', 'keyboard shortcuts', 'end-to-end encryption', 'shared workspaces', 'PDF export']),
      statements: [(e, v) => `The headline addition in ${e} is ${v}.`, (e, v) => `Users upgrading to ${e} get ${v}.`],
      questions: [(e) => `What new capability arrived with ${e}?`, (e) => `Which feature was introduced by ${e}?`],
    },
    fix: {
      value: (rand) => `#${int(rand, 1000, 9999)}`,
      statements: [(e, v) => `${e} fixes the crash on startup reported in ${v}.`, (e, v) => `Issue ${v}, a startup crash, is resolved in ${e}.`],
      questions: [(e) => `Which bug ticket did ${e} close?`, (e) => `What issue number was fixed by ${e}?`],
    },
    runtime: {
      value: (rand) => `Node.js ${pick(rand, [16, 18, 20, 22])}.${int(rand, 0, 19)}`,
      statements: [(e, v) => `${e} requires at least ${v}.`, (e, v) => `The minimum runtime for ${e} is ${v}.`],
      questions: [(e) => `What runtime version does ${e} need?`, (e) => `Which Node version is the floor for ${e}?`],
    },
  },
  fillers: [
    (e) => `Translations were refreshed in ${e}.`,
    (e) => `${e} includes minor performance improvements.`,
    (e) => `Several dependencies were updated for ${e}.`,
    () => `Thanks to everyone who filed bug reports.`,
    () => `Auto-update will roll this out gradually over a week.`,
  ],
};

const clinical: Genre = {
  name: 'case notes',
  title: (rand) => `Ward round summary, bay ${int(rand, 1, 12)}`,
  entities: ['patient A. Ruiz', 'patient B. Osei', 'patient C. Larsen', 'patient D. Kaur', 'patient E. Dubois', 'patient F. Sato', 'patient G. Ivanova'],
  attributes: {
    dose: {
      value: (rand) => `${int(rand, 5, 900)} mg ${pick(rand, ['twice daily', 'once daily', 'every 8 hours', 'at night'])}`,
      statements: [(e, v) => `For ${e} the prescribed dose is ${v}.`, (e, v) => `Pharmacy dispensed ${v} for ${e}.`],
      questions: [(e) => `What medication regimen is ${e} on?`, (e) => `How much is ${e} taking and how often?`],
    },
    pressure: {
      value: (rand) => `${int(rand, 95, 185)}/${int(rand, 55, 110)} mmHg`,
      statements: [(e, v) => `Blood pressure for ${e} was recorded at ${v}.`, (e, v) => `The morning obs for ${e} showed ${v}.`],
      questions: [(e) => `What were the vitals readings for ${e}'s BP?`, (e) => `How high was the blood pressure of ${e}?`],
    },
    diagnosis: {
      value: (rand) =>
        pick(rand, [
          'community-acquired pneumonia',
          'atrial fibrillation',
          'cellulitis of the left leg',
          'acute kidney injury',
          'type 2 diabetes',
          'iron deficiency anaemia',
        ]),
      statements: [(e, v) => `The working diagnosis for ${e} is ${v}.`, (e, v) => `${capital(e)} was admitted with ${v}.`],
      questions: [(e) => `What condition is ${e} being treated for?`, (e) => `Why was ${e} admitted?`],
    },
    followup: {
      value: date,
      statements: [(e, v) => `Outpatient review for ${e} is booked for ${v}.`, (e, v) => `${capital(e)} should return to clinic on ${v}.`],
      questions: [(e) => `When is ${e} due back for a check?`, (e) => `What date is the follow-up appointment of ${e}?`],
    },
  },
  fillers: [
    (e) => `${capital(e)} slept well and is eating normally.`,
    (e) => `Family of ${e} were updated by phone.`,
    (e) => `No new allergies were documented for ${e}.`,
    () => `Nursing staff will continue four-hourly observations.`,
    () => `The physiotherapy team will assess mobility tomorrow.`,
  ],
};

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const GENRES: readonly Genre[] = [incident, spec, meeting, api, contract, release, clinical];
