#!/bin/sh
# Puts the `aigw` command (aigw.sh beside this file) on PATH: into AIGW_BIN_DIR when set, else
# the first of ~/.local/bin and /usr/local/bin that is on PATH and writable. Never overwrites an
# `aigw` it did not install, and never fails the make target that calls it: without a folder it
# says how to run the CLI instead.
set -eu
source_file="$(cd "$(dirname "$0")" && pwd)/aigw.sh"
on_path() { case ":$PATH:" in *":$1:"*) return 0 ;; esac; return 1; }

target=${AIGW_BIN_DIR:-}
if [ -z "$target" ]; then
  for candidate in "${HOME:-/nonexistent}/.local/bin" /usr/local/bin; do
    if on_path "$candidate" && [ -d "$candidate" ] && [ -w "$candidate" ]; then target=$candidate; break; fi
  done
fi
if [ -z "$target" ]; then
  echo "aigw: no writable folder on PATH for the command (~/.local/bin or /usr/local/bin); set AIGW_BIN_DIR, or run node dist/cli/aigw.js" >&2
  exit 0
fi

installed="$target/aigw"
if [ -e "$installed" ] && ! grep -q 'aigw-checkout-command' "$installed" 2>/dev/null; then
  echo "aigw: $installed exists and is not this project's command; left alone (run node dist/cli/aigw.js)" >&2
  exit 0
fi
if [ -f "$installed" ] && cmp -s "$source_file" "$installed"; then exit 0; fi
mkdir -p "$target"
# A temporary file renamed into place: another checkout installing at the same moment sees
# either the old command or the new one, never half a file.
tmp="$target/.aigw.$$"
cp "$source_file" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$installed"
echo "aigw: command installed in $target"
