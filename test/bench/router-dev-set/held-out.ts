/**
 * The held-out set: written after the heuristic weights, the development-set quantiles and the
 * shipped strong share froze (index.ts has the labelling rule); it only measures.
 */
import { type DevItem, itemsOf, type Row, toolStep } from './items';

const CHAT: Row[] = [
  ['weak', 'Good morning! Any tips for staying focused while working from home?'],
  ['weak', 'What is the tallest mountain in Africa?'],
  ['weak', 'Suggest a name for a book club that reads mysteries.'],
  ['weak', 'How do you say "see you later" in Italian?'],
  ['weak', 'Give me a fun fact about octopuses.'],
  [
    'strong',
    'My elderly father wants to move in with us, but my partner is hesitant and we have two teenagers in a three-bedroom house. Help me think through the practical, financial and emotional considerations and how to have the conversation with everyone involved.',
  ],
  [
    'strong',
    'Explain how the 2008 financial crisis spread from US subprime mortgages to European banks, covering the role of securitisation, credit default swaps and interbank lending.',
  ],
  [
    'strong',
    'Write a wedding toast for my best friend that is funny but heartfelt, mentions our disastrous camping trip, and works for an audience where half the guests do not speak English well.',
  ],
];

const CODE: Row[] = [
  ['weak', 'How do I check the Python version from the command line?'],
  ['weak', 'Write a JavaScript function that capitalises the first letter of a string.'],
  ['weak', 'What is the SQL to count rows in the orders table?'],
  ['weak', 'Write a Python loop that prints numbers 1 to 10.'],
  [
    'strong',
    'Our Kafka consumers sometimes process the same message twice after a rebalance and we charge customers twice. Explain why this happens and how to make the billing step exactly-once in effect.',
  ],
  [
    'strong',
    'Write a TypeScript function that merges overlapping calendar intervals across time zones, including events that cross daylight-saving transitions, with tests for the tricky cases.',
  ],
  [
    'strong',
    'This C function sometimes corrupts the heap. Find why:\n```c\nchar *join(const char *a, const char *b) {\n  char *out = malloc(strlen(a) + strlen(b));\n  strcpy(out, a);\n  strcat(out, b);\n  return out;\n}\n```',
  ],
  [
    'strong',
    'Implement a trie-based autocomplete that ranks suggestions by frequency and recency, supports deletion, and stays under 50 MB for 5 million words; justify the memory layout.',
  ],
];

const MATH: Row[] = [
  ['weak', 'What is 45 plus 78?'],
  ['weak', 'How many centimetres are in 2.5 metres?'],
  ['weak', 'What is 30% of 90?'],
  ['weak', 'Solve 5x = 35.'],
  ['strong', 'Show that the function f(x) = x^3 - 3x + 1 has exactly three real roots and locate each within an interval of length 1.'],
  [
    'strong',
    'Three friends split a taxi fare so that each pays in proportion to the distance they rode; the taxi drops them at 4 km, 9 km and 15 km. The fare is $3 plus $2 per km. Who pays what, and is there a fairer scheme? Argue it.',
  ],
  ['strong', 'Prove that any connected graph with n vertices and n - 1 edges is a tree.'],
  [
    'strong',
    'What is the probability that in a group of 30 people at least two share a birthday, and how does the answer change if birthdays are not uniformly distributed?',
  ],
];

const EXTRACTION: Row[] = [
  ['weak', 'Pull the total amount from this receipt line: "TOTAL DUE  $143.20"'],
  ['weak', 'Extract the names of the cities: "We flew from Oslo to Rome, then took a train to Naples."'],
  ['weak', 'Is this review positive or negative? "Absolutely loved the service, will come again!"'],
  ['weak', 'Give the postal code in this address as JSON: "12 Rue de la Paix, 75002 Paris"'],
  ['weak', 'Which of these are fruits: carrot, apple, potato, grape?'],
  [
    'strong',
    'From this insurance policy excerpt, determine whether water damage from a burst pipe while the house was unoccupied for 45 days is covered, quoting the clauses that decide it: "Coverage excludes loss occurring while the dwelling is vacant for more than 60 consecutive days. Sudden and accidental discharge of water from plumbing is covered, except where the insured failed to maintain heat in the building."',
  ],
  [
    'strong',
    'Extract a structured list of every experiment in this methods section with its independent variable, controls, sample size and the statistical test used, and flag the experiments where the test does not fit the design.',
  ],
  ['weak', 'Give me the time from: "The webinar starts at 4:30 pm CET."'],
];

const SUMMARISATION: Row[] = [
  ['weak', 'Summarise in one sentence: "The bakery on Main Street will close for renovations in July and reopen in September with a larger seating area."'],
  ['weak', 'Summarise this note: "Dentist moved to Thursday at 3. Bring the insurance card."'],
  ['weak', 'Give me the main point of: "Regular sleep schedules improve mood and concentration, according to a new survey of 2,000 adults."'],
  ['weak', 'Write a one-line summary of this changelog: "Added CSV export. Fixed login timeout. Updated translations."'],
  [
    'strong',
    'Summarise the case for and against a universal basic income from the results of the Finnish, Kenyan and Stockton pilots, noting what each pilot could and could not show.',
  ],
  [
    'strong',
    'Read these two conflicting product requirement documents and write a summary for engineering that states which requirements conflict, which are compatible, and which decision the product owner must make first.',
  ],
  ['weak', 'Summarise: "Flight 220 is now boarding at gate 14."'],
  [
    'strong',
    'Summarise the main schools of thought on the origin of the 2020s inflation (supply shocks, fiscal stimulus, monetary policy, corporate margins) and evaluate the strength of the evidence for each.',
  ],
];

const REASONING: Row[] = [
  ['weak', 'What day comes after Friday?'],
  ['weak', 'If a box has 4 red and 6 blue marbles, how many marbles are there?'],
  ['weak', 'Which is longer, a week or a fortnight?'],
  ['weak', 'Is water wet? Give a one-sentence answer.'],
  [
    'strong',
    'Four people must cross a bridge at night with one torch; they take 1, 2, 5 and 10 minutes, at most two cross at once at the slower speed. What is the minimum time, and why can it not be less?',
  ],
  [
    'strong',
    'A city has two taxi companies, Green (85%) and Blue (15%). A witness who is right 80% of the time says the cab in an accident was Blue. What is the probability it was Blue? Explain the common mistake.',
  ],
  [
    'strong',
    'Our team must choose between rewriting a legacy service in a new language or incrementally refactoring it. We have 6 engineers, a 9-month deadline for a compliance feature and a fragile test suite. Reason through the risks and recommend an approach.',
  ],
  [
    'strong',
    'If every statement on this card is false: "1. Exactly one statement on this card is false. 2. Exactly two statements on this card are false. 3. Exactly three statements on this card are false." Which, if any, is true? Explain.',
  ],
];

const TOOL_STEPS: DevItem[] = [
  ['weak', 'What is the temperature in Madrid?', 'get_weather', { city: 'Madrid' }, '{"temp_c": 27, "condition": "sunny"}'],
  ['weak', 'How many items are in my cart?', 'get_cart', {}, '{"items": 3, "total": 54.9}'],
  ['weak', 'Has invoice 4410 been paid?', 'get_invoice', { id: 4410 }, '{"status": "paid", "paid_at": "2024-04-02"}'],
  ['weak', 'What is the version of the deployed API?', 'get_version', { service: 'api' }, '{"version": "2.14.1"}'],
  ['weak', 'Find the phone number of the Berlin office.', 'directory_lookup', { office: 'Berlin' }, '{"phone": "+49 30 1234567"}'],
  [
    'strong',
    'Based on these sales figures, explain why revenue fell and what we should change next quarter.',
    'run_sql',
    { sql: 'sales by region and channel, last 2 quarters' },
    '[{"region": "north", "channel": "web", "q1": 1.2, "q2": 1.25}, {"region": "north", "channel": "retail", "q1": 0.9, "q2": 0.6}, {"region": "south", "channel": "web", "q1": 0.7, "q2": 0.72}, {"region": "south", "channel": "retail", "q1": 1.1, "q2": 0.8}, {"note": "retail price increase of 8% on 1 April; competitor opened 12 stores in Q2"}]',
  ],
  [
    'strong',
    'The service crashed overnight. Using these logs, find the root cause and the fix.',
    'get_logs',
    { service: 'ingest', since: '00:00' },
    '02:11:03 WARN heap 1.8G/2G\n02:11:40 INFO batch size raised to 5000 by autoscaler\n02:12:02 WARN GC pause 4.1s\n02:12:09 ERROR OutOfMemoryError in JsonParser.parseArray\n02:12:09 INFO restart 1/3\n02:12:50 ERROR OutOfMemoryError in JsonParser.parseArray',
  ],
  ['weak', 'List my unread emails.', 'list_emails', { unread: true }, '[{"from": "Ana", "subject": "Lunch?"}, {"from": "HR", "subject": "Benefits update"}]'],
].map(([label, task, tool, args, result], i) => ({
  id: `held-tool-step-${i + 1}`,
  category: 'tool-step' as const,
  label: label as 'weak' | 'strong',
  body: toolStep(task as string, tool as string, args as Record<string, unknown>, result as string),
}));

export const HELD_OUT_ITEMS: DevItem[] = [
  ...itemsOf('held', 'chat', CHAT),
  ...itemsOf('held', 'code', CODE),
  ...itemsOf('held', 'math', MATH),
  ...itemsOf('held', 'extraction', EXTRACTION),
  ...TOOL_STEPS,
  ...itemsOf('held', 'summarisation', SUMMARISATION),
  ...itemsOf('held', 'reasoning', REASONING),
];
