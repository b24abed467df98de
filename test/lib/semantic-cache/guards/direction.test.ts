import { describeGuard } from './guard-cases';

describeGuard('direction', 'direction', {
  traps: [
    ['How do I migrate from Redis to Postgres?', 'How do I migrate from Postgres to Redis?'],
    ['Does auth run before logging?', 'Does logging run before auth?'],
    ['Does auth run after logging?', 'Does logging run after auth?'],
    ['Is x > y here?', 'Is y > x here?'],
    ['Why use yarn instead of npm?', 'Why use npm instead of yarn?'],
    ['How do I convert YAML into JSON?', 'How do I convert JSON into YAML?'],
  ],
  paraphrases: [
    ['Does auth run before logging?', 'Does logging run after auth?'],
    ['How do I migrate from MySQL to Postgres?', 'How do I move from MySQL to Postgres?'],
    ['How do I switch to Postgres from MySQL?', 'How do I migrate from MySQL to Postgres?'],
    ['Redis vs Memcached for sessions?', 'Memcached vs Redis for sessions?'],
    ['Is x > y here?', 'Is y < x here?'],
  ],
  knownMisses: ['How do I pass a secret to a GitHub Actions workflow?'],
});
