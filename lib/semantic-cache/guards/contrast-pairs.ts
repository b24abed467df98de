/**
 * Opposites of developer English that WordNet lacks or spells differently (min/max, sync/async,
 * stdout/stderr, upload/download as nouns, …), and prefix swaps that flip a word's meaning
 * (enable/disable, encode/decode, import/export). "turn on" and "turn off" are one verb to the
 * substitution guard, so enable/off and disable/on are opposites here. A pair only vetoes when each
 * side of it occurs in a different query, so a prefix swap needs both real words to be there.
 */

const PAIRS =
  'min/max minimum/maximum first/last ascending/descending asc/desc uppercase/lowercase upper/lower input/output request/response ' +
  'sync/async synchronous/asynchronous public/private inbound/outbound ingress/egress horizontal/vertical horizontally/vertically ' +
  'stdin/stdout stdout/stderr get/set getter/setter get/post put/get prev/next previous/next older/newer oldest/newest oldest/latest earliest/latest ' +
  'local/remote local/global relative/absolute static/dynamic mutable/immutable deep/shallow inner/outer left/right even/odd lazy/eager ' +
  'optional/required explicit/implicit staging/production dev/prod debug/release dark/light head/tail prefix/suffix leading/trailing ' +
  'client/server frontend/backend success/failure succeed/fail accept/reject approve/reject grant/revoke allow/block allowlist/blocklist ' +
  'whitelist/blacklist start/stop start/end begin/end open/close add/remove add/delete create/delete create/destroy insert/delete ' +
  'login/logout signin/signout on/off up/down increase/reduce increment/decrement encrypt/decrypt merge/split zip/unzip show/hide ' +
  'expand/collapse attach/detach connect/disconnect mount/unmount lock/unlock install/uninstall subscribe/unsubscribe follow/unfollow ' +
  'read/write reader/writer push/pull upload/download upstream/downstream upgrade/downgrade import/export serialize/deserialize ' +
  'compress/decompress encode/decode enable/disable enabled/disabled allow/deny allow/disallow include/exclude valid/invalid true/false ' +
  'faster/slower fast/slow cheaper/expensive cheap/expensive more/fewer more/less most/least higher/lower above/below inside/outside ' +
  'enable/off disable/on activate/off deactivate/on before/after row/column rows/columns width/height key/value keys/values sender/receiver producer/consumer parent/child';

/** Prefixes that negate or invert a word when one query has the bare word and the other the prefixed one. */
export const NEGATING_PREFIXES = ['un', 'dis', 'in', 'im', 'il', 'ir', 'non', 'de', 'anti', 'mis'] as const;
/** Prefix swaps: the same stem under opposite prefixes (encode/decode, import/export, upload/download). */
export const SWAPPED_PREFIXES: readonly [string, string][] = [
  ['en', 'de'],
  ['in', 'ex'],
  ['im', 'ex'],
  ['up', 'down'],
  ['over', 'under'],
  ['pre', 'post'],
  ['inc', 'dec'],
];

export const CONTRAST_PAIRS: readonly [string, string][] = PAIRS.split(' ').map((pair) => pair.split('/') as [string, string]);
