/** A TokenScorer whose tokenizer splits on spaces and whose scores come from a table: the algorithm without a model. */
import type { TokenScorer } from '../../../../sidecars/inference/llmlingua2/compress';

export class TableScorer implements TokenScorer {
  readonly style = 'wordpiece' as const;
  readonly specialTokens = new Set(['[UNK]']);
  readonly scored: string[][] = [];

  constructor(
    private readonly probs: Record<string, number>,
    readonly maxSeqLen = 512,
  ) {}

  /** "walk##ing" in the text stands for the two tokens walk, ##ing. */
  tokenize(text: string): string[] {
    return text
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((word) => word.split(/(?=##)/));
  }

  async keepProbabilities(chunks: string[][]): Promise<number[][]> {
    this.scored.push(...chunks);
    return chunks.map((tokens) => tokens.map((t) => this.probs[t] ?? 0.5));
  }
}
