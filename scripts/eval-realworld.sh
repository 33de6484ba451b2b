#!/usr/bin/env bash
# Evaluation of fork-lint on the labelled real-world development set (issue 8).
# Not a test: `cargo test` never runs it.
#
#   scripts/eval-realworld.sh [--no-build] [--quiet] [--region-oracle[=deep]] [CRATE...]
#
# 1. builds the release binary (unless --no-build; FORK_LINT=path overrides it);
# 2. unpacks the pinned crates with ../shared/realworld/fetch (or uses
#    FORK_LINT_REALWORLD=DIR/crates when set);
# 3. runs `fork-lint --format json .` inside each crate directory, so files are
#    crate-relative, into a temporary folder (KEEP_FINDINGS=DIR keeps them);
# 4. scores the findings against fork-lint/eval/realworld.toml with
#    scripts/eval_realworld.py (matching rule: see that file or the TOML's
#    header) and prints per crate and total: labelled hazards, found, recall,
#    findings, true and false positives, precision; then the missed hazards
#    and the false or unlabelled findings.
#
# --region-oracle is a diagnostic: it scores a copy of the crates in which the
# functions named by the labels' `oracle` entries are marked
# `#[fork_guard::child]`, i.e. fork-lint is told where the child code is.
# Hazards found only then are missed because the region is not found.
# --region-oracle=deep also marks the helpers the child calls, so that hazards
# that a call reports as "and N more" show up at their own lines.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=1
oracle=0
py_args=()
crates=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --quiet) py_args+=(--quiet) ;;
    --region-oracle) oracle=1 ;;
    --region-oracle=deep) oracle=2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "usage: $0 [--no-build] [--quiet] [--region-oracle[=deep]] [CRATE...]" >&2; exit 2 ;;
    *) crates+=("$1") ;;
  esac
  shift
done

bin=${FORK_LINT:-$here/target/release/fork-lint}
if [ -z "${FORK_LINT:-}" ] && [ "$build" = 1 ]; then
  (cd "$here" && cargo build --release -q -p fork-lint --bin fork-lint)
fi
[ -x "$bin" ] || { echo "no fork-lint binary at $bin (build it or set FORK_LINT)" >&2; exit 2; }

if [ -z "${FORK_LINT_REALWORLD:-}" ]; then
  fetch=${FETCH_REALWORLD:-$here/../shared/realworld/fetch}
  [ -x "$fetch" ] || { echo "no corpus: set FORK_LINT_REALWORLD or FETCH_REALWORLD (looked for $fetch)" >&2; exit 2; }
  FORK_LINT_REALWORLD=$("$fetch")
fi

labels=$here/fork-lint/eval/realworld.toml
scorer=$here/scripts/eval_realworld.py
if [ ${#crates[@]} -eq 0 ]; then
  mapfile -t crates < <(python3 "$scorer" crates "$labels")
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=${KEEP_FINDINGS:-$scratch/findings}
mkdir -p "$out"
src=$FORK_LINT_REALWORLD
if [ "$oracle" != 0 ]; then
  src=$scratch/oracle
  mkdir -p "$src"
  copy_args=()
  [ "$oracle" = 1 ] || copy_args+=(--deep)
  for c in "${crates[@]}"; do copy_args+=(--crate "$c"); done
  python3 "$scorer" oracle-copy "$labels" "$FORK_LINT_REALWORLD" "$src" "${copy_args[@]}"
fi
echo "fork-lint: $bin"
echo "corpus:    $FORK_LINT_REALWORLD"
[ "$oracle" != 1 ] || echo "mode:      region oracle (child functions marked #[fork_guard::child] in a copy)"
[ "$oracle" != 2 ] || echo "mode:      deep region oracle (child functions and their helpers marked #[fork_guard::child] in a copy)"
echo
for c in "${crates[@]}"; do
  dir=$src/$c
  [ -d "$dir" ] || { echo "missing crate $dir" >&2; exit 2; }
  # Exit status 1 means findings, 2 that some file did not parse (reported as
  # `error` lines, which the scorer prints); only a crash is fatal here.
  status=0
  (cd "$dir" && "$bin" --format json .) > "$out/$c.jsonl" 2> "$out/$c.stderr" || status=$?
  if [ "$status" -gt 2 ]; then
    echo "fork-lint failed on $c (exit $status):" >&2
    cat "$out/$c.stderr" >&2
    exit 2
  fi
done

"$bin" --list-rules > "$scratch/rules"
args=("$labels" "$out" --crates-dir "$FORK_LINT_REALWORLD" --rules "$scratch/rules")
for c in "${crates[@]}"; do args+=(--crate "$c"); done
python3 "$scorer" score "${args[@]}" ${py_args[@]+"${py_args[@]}"}
