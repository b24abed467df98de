/**
 * Names a lower-case query still carries: programming and natural languages, runtimes, stores,
 * platforms, tools, formats and protocols, each mapped to one canonical name so spellings of the
 * same thing compare equal (postgresql = postgres, k8s = kubernetes). Words that are mostly
 * ordinary English ("go", "node", "rest", "express", "spring", "c") are left out: a false name
 * vetoes real paraphrases.
 */

const SYNONYMS: Record<string, string> = {
  js: 'javascript',
  ecmascript: 'javascript',
  ts: 'typescript',
  golang: 'go',
  py: 'python',
  python3: 'python',
  postgresql: 'postgres',
  psql: 'postgres',
  k8s: 'kubernetes',
  kube: 'kubernetes',
  mongo: 'mongodb',
  cpp: 'c++',
  csharp: 'c#',
  nodejs: 'node',
  vuejs: 'vue',
  nuxtjs: 'nuxt',
  mac: 'macos',
  osx: 'macos',
  mandarin: 'chinese',
  websockets: 'websocket',
  ssl: 'tls',
  yml: 'yaml',
  gcloud: 'gcp',
  vscode: 'vs code',
  'c++': 'c++',
  'c#': 'c#',
  'f#': 'f#',
  '.net': '.net',
  dotnet: '.net',
};

const NAMES =
  // Programming languages.
  'python javascript typescript rust java kotlin swift ruby php scala elixir erlang haskell clojure perl lua dart julia zig ocaml fortran cobol matlab bash zsh powershell sql ' +
  // Natural languages.
  'english french german spanish italian portuguese chinese japanese korean russian arabic hindi dutch polish turkish swedish ukrainian ' +
  // Runtimes, frameworks, libraries.
  'deno bun react vue angular svelte django flask fastapi rails laravel nextjs nuxt pytorch tensorflow numpy pandas langchain jest mocha vitest pytest webpack vite esbuild babel eslint prettier biome ' +
  // Stores and queues.
  'postgres mysql mariadb sqlite redis memcached mongodb cassandra dynamodb elasticsearch opensearch kafka rabbitmq nats pgvector qdrant pinecone ' +
  // Platforms, infrastructure, tools.
  'docker podman kubernetes helm terraform ansible aws gcp azure lambda s3 ec2 cloudflare vercel heroku github gitlab bitbucket jenkins circleci git nginx apache kong envoy traefik istio ' +
  'linux ubuntu debian alpine centos fedora rhel macos windows ios android chrome firefox safari vim emacs intellij prometheus grafana datadog sentry npm yarn pnpm pip poetry conda cargo maven gradle ' +
  // Model providers and models.
  'openai anthropic claude gpt gemini llama mistral ollama vllm bedrock vertex cohere ' +
  // Formats and protocols.
  'json yaml toml xml csv protobuf grpc graphql http https http2 websocket sse tcp udp dns tls ssh jwt oauth saml ldap cors csrf html css markdown utf8 base64';

const CANONICAL: ReadonlyMap<string, string> = new Map([...NAMES.split(' ').map((name): [string, string] => [name, name]), ...Object.entries(SYNONYMS)]);

/** The canonical name of a lower-case word or symbol token, or undefined when it names nothing we know. */
export function canonicalName(token: string): string | undefined {
  return CANONICAL.get(token);
}
