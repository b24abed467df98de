/** Okapi BM25 with sentences as the documents and the question's terms as the query. */

const K1 = 1.2;
const B = 0.75;

/** One score per document (each a list of terms), for the query's distinct terms. */
export function bm25Scores(documents: readonly (readonly string[])[], queryTerms: readonly string[]): number[] {
  const query = new Set(queryTerms);
  const documentFrequency = new Map<string, number>();
  let totalLength = 0;
  for (const document of documents) {
    totalLength += document.length;
    const seen = new Set<string>();
    for (const term of document) {
      if (query.has(term) && !seen.has(term)) {
        seen.add(term);
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
    }
  }
  const count = documents.length;
  const averageLength = count > 0 ? totalLength / count || 1 : 1;
  const idf = new Map<string, number>();
  for (const [term, frequency] of documentFrequency) idf.set(term, Math.log(1 + (count - frequency + 0.5) / (frequency + 0.5)));
  return documents.map((document) => {
    const frequencies = new Map<string, number>();
    for (const term of document) if (idf.has(term)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    let score = 0;
    const lengthNorm = 1 - B + (B * document.length) / averageLength;
    for (const [term, frequency] of frequencies) score += (idf.get(term)! * (frequency * (K1 + 1))) / (frequency + K1 * lengthNorm);
    return score;
  });
}
