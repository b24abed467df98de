import { describeGuard } from './guard-cases';

describeGuard('antonyms', 'antonym', {
  traps: [
    ['How do I enable logging?', 'How do I disable logging?'],
    ['Logging is enabled, why?', 'Logging is disabling itself, why?'],
    ['Why is the build faster?', 'Why is the build slower?'],
    ['Sort in ascending order', 'Sort in descending order'],
    ['Why is the token valid?', 'Why is the token invalid?'],
    ['How do I encode a header?', 'How do I decode a header?'],
    ['How do I import a CSV file?', 'How do I export a CSV file?'],
    ['Why does it return true?', 'Why does it return false?'],
    ['How do I make the bucket public?', 'How do I make the bucket private?'],
    ['How do I mount the volume?', 'How do I unmount the volume?'],
    ['How do I enable the cache?', 'How do I turn off the cache?'],
    ['How do I disable the cache?', 'How do I switch on the cache?'],
  ],
  paraphrases: [
    ['How do I enable logging?', 'How can I turn on logging?'],
    ['How do I start the server?', 'How do I launch the server?'],
    ['Why is the build slow?', 'Why does the build take so long?'],
    ['How do I install the package?', 'How can I install this package?'],
  ],
});
