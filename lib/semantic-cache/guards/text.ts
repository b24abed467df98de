/**
 * What every guard reads of a query: at most MAX_GUARD_CHARS of it (queries are hostile; the
 * guards only need the question's opening), folded to one apostrophe, and its lower-case words.
 * Every pattern here is a single pass with no nested repetition, so the cost is linear in the cap.
 */

/** Guards look at the first 4,000 characters: longer queries are rare and their head decides the question. */
export const MAX_GUARD_CHARS = 4000;

export function bounded(text: string): string {
  const head = text.length > MAX_GUARD_CHARS ? text.slice(0, MAX_GUARD_CHARS) : text;
  return head.replace(/[\u2018\u2019\u02bc]/g, "'");
}

/** Lower-case words: letters and digits, apostrophes kept inside a word ("don't"), nothing else. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** Function words the word-level guards skip when they look for content words. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the my our your their his her its this that these those some any i we you it me us them is are was were be been being am ' +
    'do does did can could should would will shall may might must has have had how what why when where which who whom whose ' +
    'and or but if so of in on at by for with about as into onto from to than then there here just also very really please ' +
    "there's what's how's it's i'm i've i'd'"
  ).split(' '),
);

/**
 * The few inflections of an English word a guard compares on, most likely first: the word, then
 * the word without -s/-es/-ies, -ed/-d, -ing (with and without a restored e or a doubled consonant),
 * -er/-est. Callers pick the first form their vocabulary knows.
 */
export function inflectionBases(word: string): string[] {
  const forms = [word];
  const strip = (suffix: string, add = ''): void => {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) forms.push(word.slice(0, -suffix.length) + add);
  };
  const undouble = (suffix: string): void => {
    const stem = word.slice(0, -suffix.length);
    if (word.endsWith(suffix) && stem.length > 2 && stem.at(-1) === stem.at(-2)) forms.push(stem.slice(0, -1));
  };
  strip('ies', 'y');
  strip('es');
  strip('s');
  strip('ed');
  strip('d');
  undouble('ed');
  strip('ing');
  strip('ing', 'e');
  undouble('ing');
  strip('ier', 'y');
  strip('iest', 'y');
  strip('er');
  strip('est');
  strip('r');
  strip('st');
  undouble('er');
  undouble('est');
  return forms;
}
