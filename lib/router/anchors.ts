/**
 * Anchor prompts of the heuristic difficulty scorer: what clearly suffices for a small model and
 * what clearly needs a frontier one (docs/routing.md, labelling rule). A request's embedding is
 * pulled toward the side whose nearest anchors are closer. Written for the scorer, distinct from
 * the development set's prompts (test/bench/router-dev-set), so the measurement is not of itself.
 */
export const DIFFICULTY_ANCHORS: { readonly easy: readonly string[]; readonly hard: readonly string[] } = {
  easy: [
    'Hi there, how are you today?',
    'What is the capital of Australia?',
    'Translate "good morning, see you tomorrow" into Spanish.',
    'Fix the spelling in this sentence: "I recieved the pakage yesterday."',
    'Summarize this paragraph in one sentence.',
    'Extract the email addresses from the text below as a JSON list.',
    'Convert 5 kilometres to miles.',
    'Give me three synonyms for "happy".',
    'What does the acronym HTTP stand for?',
    'Classify the sentiment of this review as positive or negative.',
    'Rewrite this message to sound more polite.',
    'List the days of the week in French.',
  ],
  hard: [
    'Prove that there are infinitely many primes of the form 4k+3.',
    'Design a distributed rate limiter that stays correct under network partitions and explain the trade-offs.',
    'Find the race condition in this concurrent queue implementation and propose a lock-free fix.',
    'Derive the closed form of the recurrence T(n) = 2T(n/2) + n log n and justify each step.',
    'A bat and a ball puzzle variant: reason step by step about which of the three suspects lied.',
    'Compare the consistency guarantees of Raft and Paxos under leader failure and give a counterexample for each weaker model.',
    'Write an efficient algorithm for the longest increasing subsequence and analyse its complexity.',
    'Evaluate the legal and ethical implications of this data-sharing agreement clause by clause.',
    'Plan a migration of a monolithic billing system to event sourcing without downtime.',
    'Compute the expected number of rolls of a fair die until two consecutive sixes, showing the derivation.',
    'Refactor this 300-line module to remove the circular dependency while keeping its public API.',
    'Critique the methodology of this study and explain why its causal claim may not hold.',
  ],
};
