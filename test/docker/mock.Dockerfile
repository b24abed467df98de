# syntax=docker/dockerfile:1
# The mock LLM providers as a compose service, for the end-to-end suite against real Kong
# (test/docker/compose.e2e.yml). Build context: the repository root.
# test/docker/mock-entry.ts serves every dialect (OpenAI, Anthropic, Gemini, Azure OpenAI) on
# $MOCK_PORT (9001) and wants $MOCK_API_KEY on every provider request.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: one bundled file. These first steps are sidecars/relay/Dockerfile's, so BuildKit
# --- runs that npm ci once for every image of the stack.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY test/harness/mock-provider/ test/harness/mock-provider/
COPY test/docker/mock-entry.ts test/docker/mock-entry.ts
# The mock uses nothing but Node's built-ins: nothing from node_modules is needed at run time.
RUN node_modules/.bin/esbuild test/docker/mock-entry.ts --bundle --platform=node --target=node20 \
      --log-level=warning --outfile=dist/mock.js

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MOCK_PORT=9001
WORKDIR /app
COPY --from=build /src/dist/mock.js /app/mock.js
USER node
EXPOSE 9001
# compose.e2e.yml sets `init: true`, so signals reach node through a real PID 1.
CMD ["node", "/app/mock.js"]
