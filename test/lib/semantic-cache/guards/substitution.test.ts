import { describeGuard } from './guard-cases';

describeGuard('substitution', 'related', {
  traps: [
    ['How do I install Docker on Ubuntu?', 'How do I update Docker on Ubuntu?'],
    ['How do I rename a file in git?', 'How do I rename a branch in git?'],
    ['How do I read environment variables in Node?', 'How do I validate environment variables in Node?'],
    ['How do I tag a Docker image?', 'How do I build a Docker image?'],
  ],
  paraphrases: [
    ['How do I find large files?', 'How can I locate big files?'],
    ['How do I exit vim?', 'How to quit vim?'],
    ['How do I enable HTTPS?', 'How can I turn on HTTPS?'],
    ['What is idempotency?', 'What does idempotent mean?'],
    ['How do I clear the cache?', 'How do I clean the cache?'],
    ['How do I disable the cache for one route?', 'How can I turn off caching for one route?'],
    ["What's the max request size in nginx?", 'What is the maximum request size in nginx?'],
  ],
  // Rewordings with a verb or phrase WordNet and the synonym groups do not pair: safe misses.
  knownMisses: [
    'how do i rename a git branch',
    'how to parse JSON in Go',
    'How can I run a cron job every day at midnight?',
    'How do I set a timeout on a fetch request?',
    'how to check disk usage on linux',
    'How do I reduce cold start time for AWS Lambda?',
    'How do I reduce the cost of my LLM API calls?',
    'How do I profile a slow Python function?',
  ],
  // A one-sided added verb is no swap (left to the threshold); a number or a file name is another guard's.
  trapsLeft: [
    'How do I stream a response from the OpenAI API?',
    'How do I fix a CORS error?',
    'How do I write a Dockerfile for Python?',
    'How do I sign commits in git?',
  ],
});
