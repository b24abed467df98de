import { describeGuard } from './guard-cases';

describeGuard('entities', 'entity', {
  traps: [
    ['How do I read a file in Python?', 'How do I read a file in Ruby?'],
    ['What does `maxTokens` do?', 'What does `max_tokens` do?'],
    ['Where does config.yaml live?', 'Where does config.json live?'],
    ['How do I use --force with git push?', 'How do I use --force-with-lease with git push?'],
    ['Translate this into French', 'Translate this into German'],
    ['How do I get the IPv4 address?', 'How do I get the IPv6 address?'],
    ['Why does src/app.ts fail to compile?', 'Why does src/main.ts fail to compile?'],
    ['How do I call getUserById?', 'How do I call getUserByEmail?'],
    ['How do I write C++ templates?', 'How do I write C# templates?'],
    ['How do I ignore *.log files?', 'How do I ignore *.tmp files?'],
    ['Why does app.js crash?', 'Why does server.js crash?'],
    ['How do I use Node.js streams?', 'How do I use Deno streams?'],
  ],
  paraphrases: [
    ['How do I connect to Postgres?', 'How can I connect to postgresql?'],
    ['How do I restart a k8s deployment?', 'How do I restart a Kubernetes deployment?'],
    ['How do I use Redis as a cache?', 'how do I use redis as a cache'],
    ['How do I parse JSON in JS?', 'How do I parse JSON in JavaScript?'],
    ['How do I version REST APIs?', 'How do I version a REST API?'],
    ['How Do I Enable Streaming In The SDK?', 'How can I turn on streaming in the SDK?'],
    ['Why does os.path.join fail?', 'Why is os.path.join failing?'],
    ['How do I use the OpenAI SDK with Node?', "How can I use OpenAI's SDK with Node.js?"],
    ['How do I deploy a Next.js app?', 'How do I deploy a nextjs app?'],
    ['How do I install Node on macOS?', 'What is the best way to install Node.js on a Mac?'],
  ],
});
