import { describeGuard } from './guard-cases';

describeGuard('numbers', 'number', {
  traps: [
    ['How do I upgrade to Kong 3.9?', 'How do I upgrade to Kong 3.10?'],
    ['Set the timeout to 5 seconds', 'Set the timeout to 5 minutes'],
    ['Why is 50% of traffic failing?', 'Why is 5% of traffic failing?'],
    ['Fetch 1,000 rows', 'Fetch 100 rows'],
    ['Run two workers', 'Run three workers'],
    ['Deploy on 2025-01-05', 'Deploy on 2025-05-01'],
    ['What happened on Monday?', 'What happened on Friday?'],
    ['Use v2 of the API', 'Use v3 of the API'],
    ['Limit the body to 10 MB', 'Limit the body to 10 GB'],
  ],
  paraphrases: [
    ['Limit the body to 10 GB', 'Limit the body to 10GB'],
    ['Fetch 1,000 rows', 'Fetch 1000 rows'],
    ['Run two workers', 'Run 2 workers'],
    ['Wait five minutes', 'Wait 5 minutes'],
    ['Wait 30 seconds', 'Wait 30 sec'],
    ['Which one should I use?', 'Which should I use?'],
    ['How do I run a single test file?', 'How do I run only one test file?'],
    ['Use ipv6 with python3', 'Use ipv6 with python3'],
  ],
});
