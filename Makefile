# The two commands a newcomer needs: `make dev` (gateway on this machine, no Docker) and
# `make test` (installs what the tests need, builds, runs everything).
SHELL := /bin/bash
.DEFAULT_GOAL := build

# onnxruntime-node ships its CPU library; its install script only tries a download.
export ONNXRUNTIME_NODE_INSTALL := skip

BIN := node_modules/.bin
PLUGINS := $(notdir $(wildcard plugins/*))
ESBUILD := $(BIN)/esbuild --bundle --platform=node --target=node20 --format=cjs --packages=external --log-level=warning
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
JEST_ARGS ?=

.PHONY: models fixture-model build deps system-deps dev-deps aigw-command typecheck bundle test dev up down bench bench-readme bench-tokens lint format clean

# The Debian packages `make dev` runs (the stores); `make test` installs these and more.
DEV_PACKAGES := redis-server postgresql-15

# npm ci only when the lockfile changed since the last install.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json

system-deps:
	bash .ci/system-deps.sh

dev-deps:
	bash .ci/system-deps.sh $(DEV_PACKAGES)
	@bash .ci/system-deps.sh prometheus || echo "make dev runs without Prometheus (optional)"

# `aigw` on PATH (AIGW_BIN_DIR, else ~/.local/bin or /usr/local/bin): it runs the CLI of the
# checkout you are in, with the key and URL that checkout's `make dev` wrote.
aigw-command:
	@sh sidecars/control/cli/install-command.sh

typecheck: deps
	$(BIN)/tsc --noEmit -p tsconfig.json
	$(BIN)/tsc --noEmit -p sidecars/control/console/app/tsconfig.json

# One folder per plugin holding only that plugin's CommonJS file (Kong 3.9 needs one plugin
# server per plugin); npm packages stay external and resolve from a parent node_modules.
# The admin console's web app goes to dist/console/ (hashed app.js and app.css; docs/console.md).
bundle: deps
	rm -rf dist
	@for p in $(PLUGINS); do \
	  $(ESBUILD) plugins/$$p/index.ts --outfile=dist/kong-plugins/$$p/$$p.js || exit 1; \
	done
	$(ESBUILD) sidecars/relay/main.ts --outfile=dist/sidecars/relay.js
	$(ESBUILD) sidecars/control/main.ts --outfile=dist/sidecars/control.js
	$(ESBUILD) sidecars/inference/main.ts --outfile=dist/sidecars/inference.js
	$(ESBUILD) sidecars/inference/worker/main.ts --outfile=dist/sidecars/inference-worker.js
	$(ESBUILD) sidecars/control/cli.ts --outfile=dist/cli/aigw.js --banner:js='#!/usr/bin/env node' && chmod +x dist/cli/aigw.js
	$(BIN)/tsx sidecars/control/console/build-app.ts dist/console

build: typecheck bundle

# Biome (biome.json): lint rules and the formatter's layout, checked without writing.
# `make format` writes the layout and the safe fixes.
lint: typecheck
	$(BIN)/biome ci --reporter=summary --colors=off
	@! grep -rnE "console\.log" plugins lib || (echo "console.log in plugin or library code breaks kong-js-pluginserver's --dump-all-plugins" && false)

format: deps
	$(BIN)/biome check --write

# Lint first: CI runs this target, so a lint or format error fails the build.
test: system-deps lint bundle
	$(BIN)/jest --ci $(JEST_ARGS)

# Works first on a fresh machine: the stores' packages, npm ci, the build and the command.
# Always this machine's gateway, even in a shell set up for the remote end-to-end run.
dev: dev-deps build aigw-command
	env -u AIGW_E2E_URL $(BIN)/tsx test/harness/stack/dev.ts

# The inference sidecar's published models into models/ (INFERENCE_MODELS_DIR), each file checked
# against the sha256 committed in sidecars/inference/models/catalogue/; a mismatch is never installed.
models: deps
	$(BIN)/tsx sidecars/inference/models/fetch-models.ts models

# The generated test model (mechanics, not quality) into .tmp/models.
fixture-model: deps
	$(BIN)/tsx sidecars/inference/fixtures/make-fixture-model.ts .tmp/models

# Results go to test/bench/raw/ (ignored): a run changes no tracked file.
bench: build
	env -u AIGW_E2E_URL $(BIN)/tsx test/bench/bench.ts

# The latest `make bench` run into the README's marked sections and test/bench/results.{json,md}.
bench-readme: deps
	$(BIN)/tsx test/bench/readme.ts

# The token functions alone (lib/tokens): p50 on 4 MB worst-case bodies and typical chats.
bench-tokens: deps
	$(BIN)/tsx test/bench/tokens.ts

up:
	$(COMPOSE) --env-file kong/.env up -d --build

down:
	$(COMPOSE) --env-file kong/.env down

clean:
	rm -rf dist .tmp coverage
