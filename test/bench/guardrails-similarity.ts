/**
 * The embedding detectors measured with the real embedder: Universal Sentence Encoder Lite loaded
 * in-process (the inference sidecar's loader), the shipped attack list (lib/guardrails/known-attacks.ts)
 * and the plugin's windowing, on the injection development and held-out sets. Prints, per threshold,
 * the similarity detector's recall on attacks and false-positive rate on benign prompts, alone and
 * together with the rules; the shipped default (SIMILARITY_THRESHOLD_DEFAULT) was picked on the
 * development set only. `npx tsx test/bench/guardrails-similarity.ts` (about a minute: the model
 * loads and embeds a few hundred windows on the CPU).
 */
import { attackSimilarityDetector, type EmbedTexts, findInjection, KNOWN_ATTACKS, ReferenceVectors, requestWindowEmbedder } from '../../lib/guardrails';
import { SIMILARITY_THRESHOLD_DEFAULT } from '../../lib/guardrails/similarity';
import { loadUseLite } from '../../sidecars/inference/embed/use-lite';
import { type InjectionItem, loadInjectionHeldOut, loadInjectionSet } from '../lib/guardrails/dev-set';

const THRESHOLDS = [0.5, 0.55, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7, 0.72, 0.75, 0.8];

interface Scored {
  item: InjectionItem;
  score: number;
  rules: boolean;
}

/** Each item's best similarity to a known attack (threshold -1 reports every item's best window). */
async function scoreSet(items: readonly InjectionItem[], embed: EmbedTexts, attacks: ReferenceVectors): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const item of items) {
    const windows = requestWindowEmbedder(embed);
    const embedded = await windows.windowsOf(item.text);
    const refs = await attacks.vectorsFor(embedded.model);
    let score = Number.NEGATIVE_INFINITY;
    for (const w of embedded.vectors)
      for (const r of refs)
        score = Math.max(
          score,
          w.reduce((sum, x, i) => sum + x * r[i]!, 0),
        );
    // The detector itself must agree with the score computed here.
    const found = await attackSimilarityDetector(windows, attacks, score).detect(item.text);
    if (embedded.vectors.length > 0 && found.length !== 1) throw new Error(`detector disagrees on ${item.id}`);
    out.push({ item, score, rules: findInjection(item.text).length > 0 });
  }
  return out;
}

function rates(scored: readonly Scored[], threshold: number, withRules: boolean): { recall: number; fpr: number; attacks: number; benign: number } {
  const attacks = scored.filter((s) => s.item.label === 'attack');
  const benign = scored.filter((s) => s.item.label === 'benign');
  const flagged = (s: Scored): boolean => s.score >= threshold || (withRules && s.rules);
  return {
    recall: attacks.filter(flagged).length / attacks.length,
    fpr: benign.filter(flagged).length / benign.length,
    attacks: attacks.length,
    benign: benign.length,
  };
}

const pct = (x: number): string => (x * 100).toFixed(1);

async function main(): Promise<void> {
  const model = await loadUseLite();
  const embed: EmbedTexts = async (texts) => ({ vectors: await model.embed(texts), model: model.id });
  const attacks = new ReferenceVectors(KNOWN_ATTACKS, embed);
  const dev = await scoreSet(loadInjectionSet(), embed, attacks);
  const heldOut = await scoreSet(loadInjectionHeldOut(), embed, attacks);
  const lines = [
    `Similarity to ${KNOWN_ATTACKS.length} known attacks, ${model.id}; shipped threshold ${SIMILARITY_THRESHOLD_DEFAULT}.\n`,
    '| threshold | dev recall % | dev FP % | held-out recall % | held-out FP % | dev recall with rules % | dev FP with rules % | held-out recall with rules % | held-out FP with rules % |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of [...new Set([...THRESHOLDS, SIMILARITY_THRESHOLD_DEFAULT])].sort()) {
    const [d, h, dr, hr] = [rates(dev, t, false), rates(heldOut, t, false), rates(dev, t, true), rates(heldOut, t, true)];
    const mark = t === SIMILARITY_THRESHOLD_DEFAULT ? ' **(shipped)**' : '';
    lines.push(
      `| ${t}${mark} | ${pct(d.recall)} | ${pct(d.fpr)} | ${pct(h.recall)} | ${pct(h.fpr)} | ${pct(dr.recall)} | ${pct(dr.fpr)} | ${pct(hr.recall)} | ${pct(hr.fpr)} |`,
    );
  }
  const d = rates(dev, 0, false);
  lines.push('', `Development: ${d.attacks} attacks, ${d.benign} benign; held-out: ${rates(heldOut, 0, false).attacks} / ${rates(heldOut, 0, false).benign}.`);
  if (process.argv.includes('--scores'))
    for (const s of [...dev, ...heldOut].sort((a, b) => b.score - a.score)) lines.push(`${s.score.toFixed(3)} ${s.item.label} ${s.item.id} rules=${s.rules}`);
  process.stdout.write(lines.join('\n') + '\n');
}

if (require.main === module) void main();
