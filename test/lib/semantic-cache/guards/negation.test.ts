import { describeGuard } from './guard-cases';

describeGuard('negation', 'negation', {
  traps: [
    ['Why does the server start?', "Why doesn't the server start?"],
    ['Why does the server start?', 'Why doesnt the server start?'],
    ['How do I run it with sudo?', 'How do I run it without sudo?'],
    ['How do I write blocking code?', 'How do I write non-blocking code?'],
    ['Which tests were run?', 'Which tests were never run?'],
    ['Are any keys expired?', 'Are none of the keys expired?'],
  ],
  paraphrases: [
    ["Why won't my container start?", 'Why does my container fail to start?'],
    ["I can't connect to Redis", 'I am unable to connect to Redis'],
    ["Why isn't the cache used?", 'Why is the cache not used?'],
    ['How do I deploy with no downtime?', 'How do I deploy without downtime?'],
    ["Why doesn't the build never finish?", 'Why does the build finish?'],
  ],
});
