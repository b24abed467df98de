#!/bin/sh
# aigw-checkout-command: the `aigw` command `make dev` puts on PATH. It runs the CLI of the AI
# gateway checkout the current folder is in (its dist/cli/aigw.js), so each checkout uses its own
# build and the admin key and gateway URL its `make dev` wrote (.tmp/dev). The same file serves
# every checkout on the machine.
dir=$(pwd -P)
while :; do
  if [ -f "$dir/sidecars/control/cli.ts" ] && [ -f "$dir/package.json" ]; then
    if [ -f "$dir/dist/cli/aigw.js" ]; then exec node "$dir/dist/cli/aigw.js" "$@"; fi
    echo "aigw: $dir has no build yet: run \`make build\` (or \`make dev\`) there first" >&2
    exit 127
  fi
  [ "$dir" = / ] && break
  dir=$(dirname "$dir")
done
echo "aigw: run it inside a checkout of the AI gateway ($(pwd) is not in one), or run that checkout's dist/cli/aigw.js" >&2
exit 127
