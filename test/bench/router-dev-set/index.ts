/**
 * The router's development set: prompts labelled with the model class that suffices, across
 * chat, code, math, extraction, tool-result steps, summarisation and reasoning. Written by this
 * project (not a public benchmark); dev.ts tuned the heuristic scorer's weights and the shipped
 * defaults, held-out.ts was written after they froze and only measures.
 *
 * Labelling rule (docs/routing.md): `weak` when a small, cheap model (gpt-4o-mini class) answers
 * it as well as a user would need: a lookup, one transformation (translate, reformat, extract,
 * classify, summarise a short text), boilerplate or one-function code, arithmetic in one or two
 * steps, chit-chat, or an agent step that reports a tool's result. `strong` when it needs a
 * frontier model (gpt-4o class) to be right: a proof or derivation, a puzzle with several
 * dependent steps, a design with trade-offs, debugging that needs a model of concurrency or
 * state, an algorithm with a complexity target, expert judgement weighing several constraints,
 * or a synthesis of many conditions. When in doubt, the label is what fails if the weak model
 * gets it: a subtle error a user would not catch is `strong`.
 */
import { DEV_ITEMS } from './dev';
import { HELD_OUT_ITEMS } from './held-out';
import type { DevItem } from './items';

export type { Category, DevItem, Label } from './items';

export function loadDevSet(): DevItem[] {
  return DEV_ITEMS;
}

export function loadHeldOut(): DevItem[] {
  return HELD_OUT_ITEMS;
}
