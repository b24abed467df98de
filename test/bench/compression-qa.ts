/**
 * The compression QA set: seeded, so every run measures the same items. Each item is a document
 * of 1,000–4,000 o200k tokens in one of seven genres, a question about one fact in it, and the
 * answer as written in the document. Every entity in a document has its own value for every
 * attribute, so most sentences share words with the answer sentence without holding the answer.
 * `npx tsx test/bench/compression-qa.ts` writes fixtures/compression/qa.json to read them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTextTokens } from '../../lib/tokens';
import { type Random, seeded } from '../lib/tokens/generators';
import { GENRES, type Genre, int, pick } from './compression-qa-genres';

export interface QaItem {
  id: string;
  genre: string;
  context: string;
  question: string;
  answers: string[];
}

export const QA_SEED = 20261201;
export const QA_ITEMS = 168;
const MIN_TOKENS = 1000;
const MAX_TOKENS = 4000;

function shuffled<T>(rand: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(rand() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}

/** A value per entity for one attribute, all different so only one sentence answers. */
function distinctValues(rand: Random, count: number, make: (rand: Random) => string): string[] {
  const values = new Set<string>();
  for (let tries = 0; values.size < count && tries < 200; tries++) values.add(make(rand));
  if (values.size < count) throw new Error('attribute has too few distinct values');
  return [...values];
}

function paragraph(rand: Random, genre: Genre, entity: string, facts: Map<string, string>): string {
  const sentences = [...facts].map(([attribute, value]) => pick(rand, genre.attributes[attribute].statements)(entity, value));
  for (let filler = int(rand, 1, 3); filler > 0; filler--) sentences.push(pick(rand, genre.fillers)(entity, rand));
  return shuffled(rand, sentences).join(' ');
}

/** Frames that make a statement about an entity true of another time or plan, not the one asked about. */
const DECOY_FRAMES = [
  'In the previous review, the figure was different: ',
  'An early draft said this instead: ',
  'For comparison, last year: ',
  'The original plan assumed: ',
];

/** A statement of the same kind with a value that is not the answer. */
function decoy(rand: Random, genre: Genre, entity: string, attribute: string, answer: string): string | undefined {
  const value = genre.attributes[attribute].value(rand);
  const sentence = pick(rand, genre.attributes[attribute].statements)(entity, value);
  return sentence.includes(answer) ? undefined : pick(rand, DECOY_FRAMES) + sentence;
}

function item(rand: Random, genre: Genre, index: number): QaItem {
  const entities = shuffled(rand, genre.entities).slice(0, int(rand, 5, 6));
  const attributes = Object.keys(genre.attributes);
  const values = new Map(attributes.map((attribute) => [attribute, distinctValues(rand, entities.length, genre.attributes[attribute].value)]));
  const paragraphs = entities.map((entity, entityIndex) =>
    paragraph(rand, genre, entity, new Map(attributes.map((attribute) => [attribute, values.get(attribute)![entityIndex]]))),
  );
  const entityIndex = int(rand, 0, entities.length - 1);
  const attribute = pick(rand, attributes);
  const answer = values.get(attribute)![entityIndex];
  const target = int(rand, MIN_TOKENS + 200, MAX_TOKENS - 400);
  let context = [genre.title(rand), ...paragraphs].join('\n\n');
  // Background paragraphs until the document reaches its length: filler about the same entities,
  // and decoys (the asked-about entity and attribute among them) with values that are not the answer.
  while (countTextTokens(context) < target) {
    const background = Array.from({ length: int(rand, 3, 6) }, () => {
      const entity = rand() < 0.3 ? entities[entityIndex] : pick(rand, entities);
      const decoyText = rand() < 0.35 ? decoy(rand, genre, entity, rand() < 0.5 ? attribute : pick(rand, attributes), answer) : undefined;
      return decoyText ?? pick(rand, genre.fillers)(entity, rand);
    }).join(' ');
    const at = int(rand, 1, paragraphs.length);
    paragraphs.splice(at, 0, background);
    context = [genre.title(rand), ...paragraphs].join('\n\n');
  }
  return {
    id: `${genre.name.replace(/\s+/g, '-')}-${index}`,
    genre: genre.name,
    context,
    question: pick(rand, genre.attributes[attribute].questions)(entities[entityIndex]),
    answers: [answer],
  };
}

export function qaSet(seed = QA_SEED, count = QA_ITEMS): QaItem[] {
  const rand = seeded(seed);
  return Array.from({ length: count }, (_, index) => item(rand, GENRES[index % GENRES.length], index));
}

if (require.main === module) {
  const path = join(__dirname, 'fixtures', 'compression', 'qa.json');
  writeFileSync(path, JSON.stringify(qaSet(), null, 1));
  process.stdout.write(`wrote ${path}\n`);
}
