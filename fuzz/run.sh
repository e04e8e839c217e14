#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 20) with cargo-fuzz (libFuzzer) and exits
# non-zero if any target crashed, broke an invariant, hung or ran out of memory.
#
#   bash fuzz/run.sh 20        # the CI step
#   bash fuzz/run.sh 3600      # a longer run; see fuzz/README.md
#
# Works on the stable toolchain: with `--sanitizer none` cargo-fuzz passes no -Z flag.
# Installs cargo-fuzz from crates.io when it is missing. New inputs that find coverage go
# to a scratch folder (FUZZ_WORK, default a temporary folder), never into fuzz/corpus/;
# crashing inputs go to fuzz/artifacts/<target>/. Set FUZZ_TARGETS="read clean" to run
# only some targets.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
targets="${FUZZ_TARGETS:-read clean annotate}"
cargo_fuzz_version="0.13.2"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "== installing cargo-fuzz $cargo_fuzz_version"
    cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked
fi

# Safe Rust only: AddressSanitizer finds nothing the panics and overflow checks (on in
# cargo-fuzz's default build) don't, and it needs nightly.
fuzz_flags=(--sanitizer none)

echo "== building the fuzz targets"
cargo fuzz build "${fuzz_flags[@]}"

if [[ -n "${FUZZ_WORK:-}" ]]; then
    work="$FUZZ_WORK"
else
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
failed=()
for target in $targets; do
    echo "== fuzzing $target for ${seconds}s"
    mkdir -p "$work/$target"
    # The first folder receives new inputs; the seeds (fuzz/corpus/<target>, and every
    # input that once crashed, fuzz/regressions/<target>) are only read.
    seeds=("fuzz/corpus/$target")
    if [[ -d "fuzz/regressions/$target" ]]; then
        seeds+=("fuzz/regressions/$target")
    fi
    if ! cargo fuzz run "${fuzz_flags[@]}" "$target" "$work/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$work/$target.log" 2>&1; then
        tail -n 40 "$work/$target.log"
        keep="fuzz/artifacts/$target/$target.log"
        mkdir -p "fuzz/artifacts/$target" && cp "$work/$target.log" "$keep"
        failed+=("$target")
    else
        grep -E '^(Done|stat::number_of_executed_units)' "$work/$target.log" || true
    fi
done

if ((${#failed[@]})); then
    echo "fuzzing FAILED for: ${failed[*]} (inputs and logs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzzing: no crash in $targets (${seconds}s each)"
