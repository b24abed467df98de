import { normaliseForRules } from './normalise';
import type { Detector, Finding } from './types';

// Rules over the normalised text (normalise.ts: lower-case letters, single spaces). Gaps between
// words are bounded ({0,3} words of ≤ 20 letters), so no rule reads far from where it starts.
const W = '[a-z]{1,20}';
const gap = (max: number): string => `(?: ${W}){0,${max}}?`;

const TARGETS =
  '(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|constraints|programming|directions|context|restrictions|commands|orders|guidance|polic(?:y|ies)|training|settings)';
const QUALIFIERS =
  '(?:previous|prior|above|preceding|earlier|initial|original|system|all|any|your|every|existing|safety|developer|former|old|given|those|these)';

const RULES: Array<{ type: string; regex: RegExp }> = [
  {
    type: 'ignore_instructions',
    regex: new RegExp(
      `\\b(?:ignore|ignoring|disregard|forget|skip|override|bypass|dismiss|abandon|neglect|set aside|throw out|stop following)${gap(3)} ${QUALIFIERS}${gap(2)} ${TARGETS}\\b`,
      'g',
    ),
  },
  {
    type: 'ignore_instructions',
    regex: new RegExp(`\\bforget (?:about )?(?:everything|all)${gap(2)} (?:above|before|previously|so far|you were told|you have been told|i said)\\b`, 'g'),
  },
  {
    type: 'role_override',
    regex:
      /\b(?:you are|you re|youre|act as|pretend to be|pretend you are|roleplay as|behave like|become|simulate|you will be|you ll be) (?:now )?(?:a |an |the |my )?(?:dan|stan|dude|evil|unfiltered|uncensored|unrestricted|jailbroken|unbound|amoral|unethical|rogue|unchained|unaligned)\b/g,
  },
  { type: 'role_override', regex: /\b(?:do anything now|dan mode|jailbroken mode|opposite mode)\b/g },
  {
    type: 'role_override',
    regex: new RegExp(`\\b(?:ai|model|assistant|chatbot|persona)${gap(4)} (?:known as|called|named) (?:dan|stan|dude|aim|evil ${W})\\b`, 'g'),
  },
  {
    type: 'developer_mode',
    regex:
      /\b(?:(?:developer|dev|god|debug|sudo|unrestricted|jailbreak|dan) mode (?:enabled|activated|engaged|output|response)|(?:enter|activate|switch to|you are in|you re in|are now in|simulate|act in) (?:the )?(?:developer|god|sudo|unrestricted|jailbreak|dan) mode)\b/g,
  },
  {
    type: 'system_prompt_leak',
    regex: new RegExp(
      `\\b(?:reveal|show|print|repeat|output|display|tell|give|leak|dump|share|write out|recite|disclose|expose) (?:me |us )?(?:your|the|all|any)${gap(2)} (?:system|initial|hidden|original|secret|internal|developer|confidential|first)(?: ${W})? (?:prompt|prompts|instructions|message|rules|configuration|guidelines)\\b`,
      'g',
    ),
  },
  // Questions must ask about *your* prompt: "what is the system message format" is a developer's question.
  {
    type: 'system_prompt_leak',
    regex: new RegExp(
      `\\b(?:what is|what s|whats|what are|what was|what were)${gap(4)} your (?:system|initial|hidden|original|secret|internal|first)(?: ${W})? (?:prompt|prompts|instructions|message|rules)\\b`,
      'g',
    ),
  },
  {
    type: 'system_prompt_leak',
    regex: /\b(?:repeat|print|output|copy) (?:the |all )?(?:words|text|everything|all text|content) (?:above|before this|written above|from the beginning)\b/g,
  },
  { type: 'system_prompt_leak', regex: /\bwhat (?:were|are) your (?:original |initial |exact |first )?instructions\b/g },
  {
    type: 'no_restrictions',
    regex: new RegExp(
      `\\b(?:you|answer|respond|reply|act|speak|talk|write)${gap(6)} (?:without|with no|free of|free from|not bound by|bypassing|ignoring|no longer bound by|no longer have) (?:any |all |your |the |its )?(?:(?:ethical|moral|safety|content) (?:restrictions|limitations|guidelines|constraints)|filters?|filtering|censorship|guardrails|safeguards|content polic(?:y|ies)|ethics|morals)\\b`,
      'g',
    ),
  },
  {
    type: 'instruction_override',
    regex: new RegExp(
      `\\b(?:from now on|henceforth|for the rest of this conversation)${gap(1)} you (?:will|must|shall|are|can)${gap(3)} (?:no longer|not|never|ignore|without|unfiltered|uncensored|free)\\b|\\bsystem (?:override|prompt override)\\b`,
      'g',
    ),
  },
];

/** Chat-template control tokens pasted into user text to fake a new system turn; matched on the raw text. */
const DELIMITERS = /<\|im_start\|>|<\|im_end\|>|<\|system\|>|<\|endoftext\|>|\[\/?INST\]|<<\/?SYS>>|^#{2,} ?(?:system|instruction)s?:?\s*$/gim;

/** Prompt-injection and jailbreak phrasings, after normalisation (see normalise.ts). */
export function findInjection(text: string): Finding[] {
  const found: Finding[] = [];
  const normalised = normaliseForRules(text);
  for (const { type, regex } of RULES) {
    for (const m of normalised.text.matchAll(regex)) {
      found.push({ detector: 'injection', type, start: normalised.starts[m.index]!, end: normalised.ends[m.index + m[0].length - 1]! });
    }
  }
  for (const m of text.matchAll(DELIMITERS)) found.push({ detector: 'injection', type: 'delimiter_injection', start: m.index, end: m.index + m[0].length });
  return found;
}

export const injectionDetector = (): Detector => ({ name: 'injection', detect: findInjection });
