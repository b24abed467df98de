import type { Finding } from '../types';

// Cue-based, not a model: a name is found only after a cue (a title, "my name is", "Dear", a
// "Name:" field) or as a common first name followed by a capitalised surname. Names without a
// cue ("Priya will join us") are missed; docs/guardrails.md gives the measured recall.
const WORD = "[A-Z](?:[a-z]{1,30}(?:['-][A-Z]?[a-z]{1,30}){0,2}|['-][A-Z]?[a-z]{1,30})";
const FULL_NAME = `${WORD}(?: ${WORD}){0,2}`;

/** Common English-language first names (US census and SSA lists), excluding ones that are also common words. */
const FIRST_NAMES =
  'James|John|Robert|Michael|David|William|Richard|Joseph|Thomas|Charles|Christopher|Daniel|Matthew|Anthony|Donald|Steven|Paul|Andrew|Joshua|Kenneth|Kevin|Brian|George|Timothy|Ronald|Jason|Jeffrey|Ryan|Jacob|Gary|Nicholas|Eric|Jonathan|Stephen|Larry|Justin|Scott|Brandon|Benjamin|Samuel|Gregory|Alexander|Patrick|Jack|Dennis|Jerry|Tyler|Aaron|Jose|Adam|Nathan|Henry|Peter|Zachary|Kyle|Noah|Ethan|Jeremy|Christian|Sean|Austin|Carlos|Juan|Luis|Ahmed|Mohammed|Omar|Raj|Arjun|Wei|Hiroshi|Pierre|Hans|Lars|Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Lisa|Nancy|Sandra|Ashley|Emily|Donna|Michelle|Carol|Amanda|Melissa|Deborah|Stephanie|Rebecca|Sharon|Laura|Cynthia|Amy|Angela|Anna|Brenda|Pamela|Emma|Nicole|Helen|Samantha|Katherine|Christine|Rachel|Catherine|Maria|Heather|Diane|Julie|Olivia|Sophia|Isabella|Chloe|Priya|Fatima|Aisha|Mei|Yuki|Sofia|Elena|Ingrid|Claire|Lucy|Hannah|Natalie|Alice|Julia|Sara|Monica';

const PATTERNS: Array<{ regex: RegExp; type: 'person_name' | 'address' }> = [
  // A title before a surname (and optionally a first name): "Dr. Anna Kowalski", "Mr Patel".
  { regex: new RegExp(`\\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\\.? (${FULL_NAME})`, 'g'), type: 'person_name' },
  // Self-introductions and address fields.
  {
    regex: new RegExp(`\\b(?:[Mm]y name is|[Mm]y name's|I am called|[Nn]ame:|[Nn]amed|[Cc]all me|[Dd]ear|[Pp]atient:|[Cc]ustomer:) (${FULL_NAME})`, 'g'),
    type: 'person_name',
  },
  { regex: new RegExp(`\\b((?:${FIRST_NAMES}) ${WORD}(?: ${WORD})?)`, 'g'), type: 'person_name' },
  // A numbered street with a known suffix, optionally a unit, a city, a state and a ZIP code.
  {
    regex: new RegExp(
      `\\b(\\d{1,5}[A-Z]? (?:${WORD} ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Square|Sq|Close|Crescent|Gardens)\\b\\.?(?:,? (?:Apt|Suite|Unit|Flat) [\\w-]{1,8})?(?:, ${WORD}(?: ${WORD})?)?(?:, [A-Z]{2})?(?: \\d{5}(?:-\\d{4})?)?)`,
      'g',
    ),
    type: 'address',
  },
  // Post office boxes.
  { regex: /\b(P\.? ?O\.? Box \d{1,6})\b/gi, type: 'address' },
];

/** Personal names or street addresses found by cues and a first-name list (see the recall caveat above). */
export function findNamesOrAddresses(text: string, wanted: 'person_name' | 'address'): Finding[] {
  const found: Finding[] = [];
  for (const { regex, type } of PATTERNS) {
    if (type !== wanted) continue;
    for (const m of text.matchAll(regex)) {
      const start = m.index + m[0].length - m[1]!.length;
      found.push({ detector: 'pii', type, start, end: start + m[1]!.length });
    }
  }
  return found;
}
