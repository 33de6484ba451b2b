#!/usr/bin/env bash
# The corpus benchmark of fork-lint (see fork-lint/benches/corpus.rs and fork-lint/CI.md).
#
#   scripts/bench-corpus.sh [--cargo-check] [--runs N] [--fuzz-seconds S]
#   scripts/bench-corpus.sh --deps-closure [--runs N]
#
# 1. fetches the pinned corpus (../shared/bench/fetch-corpus: ~320 crates, 151 MB);
# 2. runs the benchmark (release build): read and parse floors, fork-lint on
#    the whole corpus (both the `fork-lint DIR` and the `cargo fork-lint`
#    paths), scaling at 1/4, 1/2 and all, peak RSS of the binary, and every
#    file one by one and as a tree (robustness); with --cargo-check also one
#    cold `cargo check` of the corpus manifest (slow: about a minute);
# 3. fuzzes the engine for a bounded time (proptest, stable Rust), and with
#    cargo-fuzz too when a nightly toolchain and cargo-fuzz are installed.
#
# --deps-closure instead measures the floor for following calls into
# dependencies (issue 10) on the corpus manifest (~340 packages): its
# dependency graph (`cargo metadata`, offline, after an untimed `cargo
# fetch`), the module trees of every library in the closure, and syn-parsing
# all of them; it prints the cold (0.2x) and warm (0.05x) targets.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=5
fuzz_seconds=120
bench_args=(--robustness)
deps_closure=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cargo-check) bench_args+=(--cargo-check) ;;
    --runs) runs=$2; shift ;;
    --fuzz-seconds) fuzz_seconds=$2; shift ;;
    --deps-closure) deps_closure=1 ;;
    *) echo "usage: $0 [--cargo-check] [--runs N] [--fuzz-seconds S] | --deps-closure [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

fetch=${FETCH_CORPUS:-$here/../shared/bench/fetch-corpus}
if [ -z "${FORK_LINT_CORPUS:-}" ]; then
  [ -x "$fetch" ] || { echo "no corpus: set FORK_LINT_CORPUS or FETCH_CORPUS (looked for $fetch)" >&2; exit 2; }
  FORK_LINT_CORPUS=$("$fetch")
fi
export FORK_LINT_CORPUS
echo "corpus: $FORK_LINT_CORPUS"

cd "$here"
if [ "$deps_closure" = 1 ]; then
  manifest=$(dirname "$FORK_LINT_CORPUS")/manifest/Cargo.toml
  echo "# fetching the dependencies of $manifest (not timed)"
  cargo fetch --locked --quiet --manifest-path "$manifest"
  cargo bench -p fork-lint --bench corpus -- --runs "$runs" --deps-closure "$manifest"
  exit 0
fi
cargo bench -p fork-lint --bench corpus -- --runs "$runs" "${bench_args[@]}"

echo
echo "# fuzzing (proptest) for up to ${fuzz_seconds}s"
# A large case count, cut off by the time budget; a failure is shrunk,
# persisted under fork-lint/proptest-regressions/ and fails this script.
status=0
PROPTEST_CASES=1000000 timeout --signal=INT "$fuzz_seconds" \
  cargo test --release -p fork-lint --test fuzz -- --test-threads 2 || status=$?
case $status in
  0) echo "fuzz: all cases passed" ;;
  124|130) echo "fuzz: time budget reached without a failure" ;;
  *) echo "fuzz: FAILED (status $status): turn the reproducer into a case of fuzz_regressions in fork-lint/tests/fuzz.rs" >&2; exit 1 ;;
esac

if cargo +nightly --version >/dev/null 2>&1 && cargo +nightly fuzz --version >/dev/null 2>&1 && [ -d fork-lint/fuzz ]; then
  echo "# cargo-fuzz (libFuzzer) for ${fuzz_seconds}s; log in fork-lint/fuzz/last-run.log"
  if (cd fork-lint && cargo +nightly fuzz run check_source -- -max_total_time="$fuzz_seconds" >fuzz/last-run.log 2>&1); then
    tail -n 1 fork-lint/fuzz/last-run.log
  else
    tail -n 30 fork-lint/fuzz/last-run.log >&2
    echo "cargo-fuzz: FAILED: the reproducer is under fork-lint/fuzz/artifacts/; add it to fuzz_regressions in fork-lint/tests/fuzz.rs" >&2
    exit 1
  fi
else
  echo "cargo-fuzz: skipped (needs a nightly toolchain, cargo-fuzz and fork-lint/fuzz/)"
fi
