/**
 * What aigw-proxy resolves for a multi-call request (a cascade, a reasoning strategy) and signs
 * into the route plan: every model group an inner call may use, with its targets, so the relay
 * never resolves a model name itself. The reservation already covers every call listed here.
 */
import type { PlanTarget } from '../plan';
import type { CascadeCheck } from '../router/decision';

/** A model group an inner call runs on: its public name and its targets in failover order. */
export interface InnerGroup {
  model: string;
  targets: PlanTarget[];
}

/** The strategies a request may select (docs/strategies.md). */
export const STRATEGY_NAMES = ['bon', 'sc', 'moa', 're2', 'plan'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * What an inner call was for, in the ledger's `strategy_role` column: `candidate` (a best-of-n
 * candidate or a self-consistency sample), `judge` (picks or scores), `aggregator` (mixture of
 * agents' final writer), `proposer` (a mixture's proposal), `cascade_weak` / `cascade_strong` (a
 * cascade's two answers), `final` (the one call of a prompt rewrite: re2, plan).
 */
export const STRATEGY_ROLES = ['candidate', 'judge', 'aggregator', 'proposer', 'cascade_weak', 'cascade_strong', 'final'] as const;
export type StrategyRole = (typeof STRATEGY_ROLES)[number];

export interface StrategyPlan {
  name: StrategyName;
  /** Candidates (bon, sc); 1 for single-call strategies; the proposers' count for moa. */
  n: number;
  /** The group every candidate runs on (bon, sc, re2, plan). */
  base: InnerGroup;
  /** Mixture of agents: each proposer's group (may repeat). */
  proposers?: InnerGroup[];
  /** Best-of-n's judge (absent: the scoring rule picks), moa's aggregator. */
  judge?: InnerGroup;
  aggregator?: InnerGroup;
  /** Inner calls in flight at once. */
  concurrency: number;
}

export interface CascadePlan {
  /** The router's decision's `escalate_to`, resolved. */
  strong: InnerGroup;
  /** The judge check's model group, when the checks have one. */
  judge?: InnerGroup;
  checks: CascadeCheck[];
}

/**
 * The most tokens of one earlier answer shown to a judge or an aggregator (in textBound units,
 * lib/tokens/string-bound.ts): the relay cuts longer answers, the reservation counts this much.
 */
export const SHOWN_ANSWER_MAX_TOKENS = 4096;

/** aigw-proxy's `strategies` defaults: the most candidates, the count without one, inner calls in flight. */
export const STRATEGY_MAX_N_DEFAULT = 5;
export const STRATEGY_DEFAULT_N = 3;
export const STRATEGY_CONCURRENCY_DEFAULT = 4;

/** A judge answers with a number: this is all it may generate. */
export const JUDGE_MAX_TOKENS = 16;
