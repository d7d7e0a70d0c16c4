#!/usr/bin/env bash
# The fixture apps of test/compat (each as its Nest CLI made it, plus code from the README):
# pack this package; in each app, `npm ci`, then install what the README's install block for the
# app's Nest major names (`<!-- install: nest 10 11 -->` and the ```bash block under it; the
# tarball in place of `nestjs-nango`), without touching the app's package.json or lock file, so a
# README line that breaks an app fails here. Then run the app's own `npm run build`, boot
# `node dist/main` and call it over HTTP, and run the app's own test commands. In the Nest 11 app,
# one more scenario: with the ES-module-only `@nestjs/axios` 12, its jest run must fail with
# nestjs-nango's message naming the fix, not jest's. Each step counts as a test, and so does
# each test the app's runner reports. The last line is `tests: N passed, N failed`; exit status
# 1 on a failure.
#
# Usage: scripts/compat.sh [fixture ...]   (default: every folder in test/compat)
# COMPAT_TARBALL=path reuses a packed tarball.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "compat $1: ok"; }
fail() { failed=$((failed + 1)); echo "compat $1: FAILED"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=${COMPAT_TARBALL:-}
if [ -z "$tarball" ]; then
  if npm pack --silent --pack-destination "$work" > "$work/pack.log" 2>&1; then
    tarball="$work/$(tail -n 1 "$work/pack.log")"
  else
    cat "$work/pack.log"
    fail "npm pack"
    echo "tests: $passed passed, $failed failed"
    exit 1
  fi
fi

# Adds the counts of a jest or vitest summary in $1 (a log) to the totals; with no summary,
# counts one failure when the command ($2 = exit status) failed.
count_tests() {
  local log=$1 status=$2 line p f
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *Tests:? ' | tail -n 1)
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
  f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
  if [ -z "$p$f" ]; then
    if [ "$status" -eq 0 ]; then p=0; f=1; else p=0; f=1; fi
    echo "(no test summary found)"
  fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
}

# Runs a step in the app folder; its output goes to the terminal only when it fails.
step() {
  local name=$1 dir=$2
  shift 2
  if (cd "$dir" && "$@") > "$work/step.log" 2>&1; then
    pass "$name"
  else
    cat "$work/step.log"
    fail "$name"
    return 1
  fi
}

# The packages of the README's install block for Nest major $1, one a line (comments dropped):
# every word after `npm install` in the ```bash block under the marker naming that major.
readme_packages() {
  awk -v major="$1" '
    /^<!-- install: nest / {
      found = 0
      n = split($0, words, " ")
      for (i = 4; i < n; i++) if (words[i] == major) found = 1
      next
    }
    found && /^```bash$/ { inside = 1; next }
    inside && /^```$/ { inside = 0; found = 0; next }
    inside {
      sub(/#.*/, "")
      if ($1 == "npm" && $2 == "install") for (i = 3; i <= NF; i++) print $i
    }
  ' "$root/README.md"
}

# A Nest 10/11 app given `@nestjs/axios` 12 (the line a bare `npm install @nestjs/axios` picks):
# its jest run must fail with nestjs-nango's error naming the cause and the fix, not jest's own.
esm_axios_scenario() {
  local fixture=$1 dir=$2 name="$1: jest with @nestjs/axios 12 says npm install @nestjs/axios@^4"
  step "$fixture: npm install @nestjs/axios@^12" "$dir" \
    npm install --no-save --no-audit --no-fund "$tarball" '@nestjs/axios@^12' || return
  (cd "$dir" && env CI=1 NO_COLOR=1 FORCE_COLOR=0 npm run test:e2e) > "$work/test.log" 2>&1
  status=$?
  if [ "$status" -ne 0 ] &&
    grep -q 'NangoUsageError: nestjs-nango cannot load @nestjs/axios' "$work/test.log" &&
    grep -qF 'npm install @nestjs/axios@^4' "$work/test.log"; then
    pass "$name"
  else
    cat "$work/test.log"
    fail "$name"
  fi
}

# Fails unless each `name@range` argument is installed in node_modules at a version in range
# (semver from this repository's own node_modules).
INSTALLED_CHECK='
const { readFileSync } = require("node:fs");
const semver = require(process.env.COMPAT_SEMVER);
for (const spec of process.argv.slice(1)) {
  const at = spec.lastIndexOf("@");
  if (at <= 0) continue;
  const [name, range] = [spec.slice(0, at), spec.slice(at + 1)];
  const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8"));
  if (!semver.satisfies(version, range)) throw new Error(`${name} ${version} is not ${range}`);
  console.log(`${name} ${version} (${range})`);
}'

fixtures=("$@")
if [ ${#fixtures[@]} -eq 0 ]; then
  for dir in test/compat/*/; do fixtures+=("$(basename "$dir")"); done
fi

for fixture in "${fixtures[@]}"; do
  dir="$root/test/compat/$fixture"
  echo "== $fixture (node $(node --version))"
  rm -rf "$dir/node_modules" "$dir/dist"
  step "$fixture: npm ci" "$dir" npm ci --no-audit --no-fund || continue
  major=$(cd "$dir" && node -p "require('./package.json').dependencies['@nestjs/core'].match(/[0-9]+/)[0]")
  packages=()
  while IFS= read -r package; do
    if [ "$package" = nestjs-nango ]; then packages+=("$tarball"); else packages+=("$package"); fi
  done < <(readme_packages "$major")
  if [ ${#packages[@]} -eq 0 ] || ! printf '%s\n' "${packages[@]}" | grep -qxF "$tarball"; then
    echo "README.md has no install block for Nest $major naming nestjs-nango"
    fail "$fixture: the README's install line for Nest $major"
    continue
  fi
  echo "README's install line for Nest $major: ${packages[*]/#$tarball/nestjs-nango}"
  step "$fixture: npm install (the README's line for Nest $major)" "$dir" \
    npm install --no-save --no-audit --no-fund "${packages[@]}" || continue
  # What the line named is what the app now has (npm honours `pkg@range` over the app's own pin).
  step "$fixture: the installed versions are the README's" "$dir" \
    env COMPAT_SEMVER="$root/node_modules/semver" node -e "$INSTALLED_CHECK" \
      "${packages[@]}" || continue
  step "$fixture: npm run build" "$dir" npm run build || continue
  step "$fixture: node dist/main" "$dir" node "$root/scripts/compat-boot.mjs" "$dir"
  for script in test test:e2e; do
    (cd "$dir" && env -u NANGO_SECRET_KEY -u NANGO_HOST CI=1 NO_COLOR=1 FORCE_COLOR=0 \
      npm run "$script") > "$work/test.log" 2>&1
    status=$?
    before=$failed
    count_tests "$work/test.log" "$status"
    if [ "$failed" -ne "$before" ]; then
      cat "$work/test.log"
      echo "compat $fixture: npm run $script: FAILED"
    else
      echo "compat $fixture: npm run $script: ok ($(sed 's/\x1b\[[0-9;]*m//g' "$work/test.log" | grep -E '^ *Tests:? ' | tail -n 1 | xargs))"
    fi
  done
  if [ "$fixture" = nest11-cjs ]; then esm_axios_scenario "$fixture" "$dir"; fi
  rm -rf "$dir/node_modules" "$dir/dist"
done

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
