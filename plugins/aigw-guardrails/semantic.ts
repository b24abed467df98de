/**
 * The embedding detectors of a route: similarity to the gateway's known attacks (injection
 * block's `similarity`) and topics (deny, allow), over the inference sidecar's Embed. References
 * are embedded once (the attack list once per sidecar address for the whole plugin server, a
 * route's topic examples once per plugin instance); per request, the windows of the texts read go
 * to the sidecar in one call under `embed_deadline_ms`. An optimisation-grade dependency: the
 * caller lets the request through when the embeddings fail (fail open, counted).
 *
 * Which texts: known attacks in the latest MAX_SEMANTIC_TEXTS user texts and tool results (older
 * turns were the latest when they were sent); denied topics in the latest user texts; allowed
 * topics in the latest user text only (a "thanks" earlier in the chat is not off topic).
 */
import {
  type AsyncDetector,
  allowedTopicsDetector,
  attackSimilarityDetector,
  deniedTopicsDetector,
  detectAllAsync,
  type EmbedTexts,
  type Finding,
  KNOWN_ATTACKS,
  ReferenceVectors,
  requestWindowEmbedder,
  TopicReferences,
} from '../../lib/guardrails';
import type { GuardrailsConfig } from './config';
import type { ScannedText } from './texts';

/** Texts read per request, latest first: with at most 6 windows each, one Embed batch or two. */
export const MAX_SEMANTIC_TEXTS = 8;

export type SemanticAction = 'monitor' | 'block';

export interface SemanticFinding {
  finding: Finding;
  action: SemanticAction;
  /** Index into the scanned texts. */
  text: number;
}

export type SemanticOutcome = { ok: true; findings: SemanticFinding[] } | { ok: false; reason: string };

interface Scored {
  references: ReferenceVectors | TopicReferences;
  threshold: number;
  action: SemanticAction;
}

export interface CompiledSemantic {
  attacks: (Scored & { references: ReferenceVectors }) | null;
  denied: (Scored & { references: TopicReferences }) | null;
  allowed: (Scored & { references: TopicReferences }) | null;
}

type TopicList = NonNullable<NonNullable<GuardrailsConfig['topics']>['deny']>;

const attackReferences = new Map<string, ReferenceVectors>();

/** The known attacks embedded by the sidecar at `address`: one set for every route of this plugin server. */
function sharedAttackReferences(address: string, embed: EmbedTexts): ReferenceVectors {
  let references = attackReferences.get(address);
  if (!references) {
    references = new ReferenceVectors(KNOWN_ATTACKS, embed);
    attackReferences.set(address, references);
  }
  return references;
}

/** A route's embedding detectors, or null when none is configured; starts embedding the references. */
export function compileSemantic(config: GuardrailsConfig, embed: EmbedTexts): CompiledSemantic | null {
  const similarity = config.injection?.similarity;
  const attacks =
    config.injection && similarity?.enabled
      ? { references: sharedAttackReferences(config.inference_address, embed), threshold: similarity.threshold, action: config.injection.action }
      : null;
  const topics = config.topics;
  const topicsOf = (list: TopicList | null | undefined) =>
    topics && list && list.length > 0 ? { references: new TopicReferences(list, embed), threshold: topics.threshold, action: topics.action } : null;
  const denied = topicsOf(topics?.deny);
  const allowed = topicsOf(topics?.allow);
  if (!attacks && !denied && !allowed) return null;
  attacks?.references.prefetch();
  denied?.references.references.prefetch();
  allowed?.references.references.prefetch();
  return { attacks, denied, allowed };
}

/** Runs the route's embedding detectors on the request's texts under `signal`; a failure is an outcome, never a throw. */
export async function detectSemantic(
  compiled: CompiledSemantic,
  texts: readonly ScannedText[],
  embed: EmbedTexts,
  signal: AbortSignal,
): Promise<SemanticOutcome> {
  const windows = requestWindowEmbedder(embed);
  const attacks = compiled.attacks && attackSimilarityDetector(windows, compiled.attacks.references, compiled.attacks.threshold);
  const denied = compiled.denied && deniedTopicsDetector(windows, compiled.denied.references, compiled.denied.threshold);
  const allowed = compiled.allowed && allowedTopicsDetector(windows, compiled.allowed.references, compiled.allowed.threshold);
  const actionOf = (f: Finding): SemanticAction => (f.detector === 'injection' ? compiled.attacks!.action : (compiled.denied ?? compiled.allowed)!.action);

  const jobs: Array<{ index: number; detectors: AsyncDetector[] }> = [];
  let latestUser = true;
  for (let index = texts.length - 1; index >= 0 && jobs.length < MAX_SEMANTIC_TEXTS; index--) {
    const { part } = texts[index]!;
    if (part === 'system') continue;
    const detectors: AsyncDetector[] = [];
    if (attacks) detectors.push(attacks);
    if (part === 'user' && denied) detectors.push(denied);
    if (part === 'user' && latestUser && allowed) detectors.push(allowed);
    if (part === 'user') latestUser = false;
    if (detectors.length > 0) jobs.push({ index, detectors });
  }
  try {
    // Started in one loop, so the window embedder sends every text's windows in one call.
    const results = await Promise.all(jobs.map((job) => detectAllAsync(texts[job.index]!.text, [], job.detectors, signal)));
    const findings = results.flatMap((result, i) => result.findings.map((finding) => ({ finding, action: actionOf(finding), text: jobs[i]!.index })));
    return { ok: true, findings };
  } catch (error) {
    return { ok: false, reason: signal.aborted ? 'deadline' : String((error as Error)?.message ?? error).slice(0, 120) };
  }
}
