/**
 * The prompts the gateway writes for inner calls, and the bound of each in the reservation's
 * units: aigw-proxy reserves with promptsBound() before the relay builds them with the same text.
 */
import type { ChatMessage, ChatRequest } from '../openai-types';
import { textBound } from '../tokens/string-bound';
import { SHOWN_ANSWER_MAX_TOKENS } from './plan';
import { cutToBound, lastUserText } from './shown-text';

/** The most of the client's question a judge is shown. */
export const SHOWN_QUESTION_MAX_TOKENS = 8192;

const SCORE_SYSTEM = 'You grade an assistant answer. Reply with one integer from 1 (useless or wrong) to 10 (fully correct and helpful), and nothing else.';
const PICK_SYSTEM = 'You compare candidate answers to a question. Reply with only the number of the best candidate, and nothing else.';
const AGGREGATE_SYSTEM =
  'You have been given responses from several models to the latest user query. Critically evaluate them (some may be wrong or biased) and write one single, accurate, well-structured answer. Do not mention the other responses.';
const PLAN_SYSTEM = 'Before answering, write a short numbered plan of the steps needed. Then write the answer, on a line starting with "Answer:".';
const RE2_PREFIX = '\n\nRead the question again: ';
const LABEL = '\n\n### Candidate 10\n';

/** Labels and fixed text of any prompt here, in textBound units (all ASCII: its length). */
const FIXED_TOKENS = Math.max(...[SCORE_SYSTEM, PICK_SYSTEM, AGGREGATE_SYSTEM, PLAN_SYSTEM].map(textBound)) + 64;

/** The textBound of a judge's or an aggregator's added text, showing `answers` earlier answers. */
export function shownTokensBound(answers: number, withQuestion: boolean): number {
  return FIXED_TOKENS + (withQuestion ? SHOWN_QUESTION_MAX_TOKENS + LABEL.length : 0) + answers * (SHOWN_ANSWER_MAX_TOKENS + LABEL.length);
}

function shown(answers: string[]): string {
  return answers.map((text, i) => `### Candidate ${i + 1}\n${cutToBound(text, SHOWN_ANSWER_MAX_TOKENS)}`).join('\n\n');
}

function question(request: ChatRequest): string {
  return `### Question\n${cutToBound(lastUserText(request), SHOWN_QUESTION_MAX_TOKENS)}`;
}

/** A judge's request rating one answer 1–10 (a cascade's judge check). */
export function scoreRequest(request: ChatRequest, answer: string, maxTokens: number): ChatRequest {
  return judgeRequest(SCORE_SYSTEM, `${question(request)}\n\n${shown([answer])}`, maxTokens);
}

/** A judge's request picking the best of several answers (best-of-n). */
export function pickRequest(request: ChatRequest, answers: string[], maxTokens: number): ChatRequest {
  return judgeRequest(PICK_SYSTEM, `${question(request)}\n\n${shown(answers)}`, maxTokens);
}

function judgeRequest(system: string, user: string, maxTokens: number): ChatRequest {
  return {
    model: '',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    max_tokens: maxTokens,
    temperature: 0,
  };
}

/** Mixture of agents: the client's own request, with the proposals before it as a system message. */
export function aggregateRequest(request: ChatRequest, proposals: string[]): ChatRequest {
  const system: ChatMessage = { role: 'system', content: `${AGGREGATE_SYSTEM}\n\n${shown(proposals)}` };
  return { ...request, messages: [system, ...request.messages] };
}

/** Plan-then-answer: the client's request with a system instruction first. */
export function planRequest(request: ChatRequest): ChatRequest {
  return { ...request, messages: [{ role: 'system', content: PLAN_SYSTEM }, ...request.messages] };
}

/** RE2 (re-reading): the last user message's text repeated after "Read the question again:". */
export function reReadRequest(request: ChatRequest): ChatRequest {
  const messages = [...request.messages];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role !== 'user') continue;
    const text = lastUserText(request);
    const content = messages[i].content;
    messages[i] =
      typeof content === 'string' || content === null
        ? { ...messages[i], content: `${content ?? ''}${RE2_PREFIX}${text}` }
        : { ...messages[i], content: [...content, { type: 'text', text: `${RE2_PREFIX}${text}` }] };
    break;
  }
  return { ...request, messages };
}
