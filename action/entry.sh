#!/usr/bin/env bash
# Entry point of action.yml: runs `oclhub lint --format github` in the current folder (the step's
# working-directory) with the report files the inputs ask for. The runner turns the workflow commands
# on stdout into annotations; oclhub appends the job summary to $GITHUB_STEP_SUMMARY itself.
#
# Reads INPUT_* (set by action.yml), GITHUB_ACTION_PATH (the action's folder), GITHUB_OUTPUT (step
# outputs). Exit code: oclhub's (0 clean, 1 findings at the fail level, 2 usage or tool error).
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# The CLI from the package: the version asked for, from npm; else the repository's own oclhub (a
# devDependency installed by an earlier `npm ci` step: the version the repository pins); else this
# action's own copy when it is built; else the action's version from npm.
local_bin=""
for folder in "$PWD" "${GITHUB_WORKSPACE:-}"; do
  if [[ -n "$folder" && -x "$folder/node_modules/.bin/oclhub" ]]; then
    local_bin="$folder/node_modules/.bin/oclhub"
    break
  fi
done
if [[ -n "${INPUT_VERSION:-}" ]]; then
  oclhub=(npm exec --yes --package "oclhub@${INPUT_VERSION}" -- oclhub)
elif [[ -n "$local_bin" ]]; then
  oclhub=("$local_bin")
elif [[ -f "$action_path/dist/bundle/oclhub.js" && -d "$action_path/node_modules" ]]; then
  oclhub=(node "$action_path/bin/oclhub.js")
else
  version="$(node -p "require(process.argv[1]).version" "$action_path/package.json")"
  oclhub=(npm exec --yes --package "oclhub@${version}" -- oclhub)
fi

args=(lint --format github --fail-on "${INPUT_FAIL_LEVEL:-block}")
[[ -n "${INPUT_HUB:-}" ]] && args+=(--hub "$INPUT_HUB")
# Lists: one item per line or separated by commas; blanks ignored.
each() { tr ',' '\n' <<<"$1" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | grep -v '^$' || true; }
while IFS= read -r project; do args+=(--project "$project"); done < <(printf '%s\n' "${INPUT_PROJECT:-}" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | grep -v '^$' || true)
while IFS= read -r environment; do args+=(--environment "$environment"); done < <(each "${INPUT_ENVIRONMENTS:-}")
while IFS= read -r tenant; do args+=(--tenant "$tenant"); done < <(each "${INPUT_TENANTS:-}")
[[ -n "${INPUT_RELEASE_VERSION:-}" ]] && args+=(--release-version "$INPUT_RELEASE_VERSION")
[[ -n "${INPUT_GIT_REF:-}" ]] && args+=(--git-ref "$INPUT_GIT_REF")
[[ -n "${INPUT_SARIF_FILE:-}" ]] && args+=(--output-sarif "$INPUT_SARIF_FILE")
[[ -n "${INPUT_JUNIT_FILE:-}" ]] && args+=(--output-junit "$INPUT_JUNIT_FILE")
[[ -n "${INPUT_JSON_FILE:-}" ]] && args+=(--output-json "$INPUT_JSON_FILE")
if [[ -n "${INPUT_ARGS:-}" ]]; then
  read -r -a extra <<<"$INPUT_ARGS"
  args+=("${extra[@]}")
fi

# The hub token only for oclhub's Git requests, never echoed (the runner masks secrets in logs).
if [[ -n "${INPUT_HUB_TOKEN:-}" ]]; then
  export OCLHUB_GIT_TOKEN="$INPUT_HUB_TOKEN"
fi
# Plain log output: no colour codes, no progress line.
export CI="${CI:-true}"

set +e
"${oclhub[@]}" "${args[@]}"
code=$?
set -e

if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
  {
    if [[ -n "${INPUT_SARIF_FILE:-}" && -f "$INPUT_SARIF_FILE" ]]; then
      echo "sarif-file=$(cd "$(dirname "$INPUT_SARIF_FILE")" && pwd)/$(basename "$INPUT_SARIF_FILE")"
    fi
    echo "exit-code=$code"
  } >>"$GITHUB_OUTPUT"
fi
exit "$code"
