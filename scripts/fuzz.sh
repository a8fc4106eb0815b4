#!/usr/bin/env bash
# Fuzzes the parsers a stranger controls (shared/fuzz: kana name, birth date, user ID, password,
# roster CSV, email, contact, card fields, JSON bodies, survey answers, uploaded documents) with
# cargo-fuzz and libFuzzer, each target for a bounded time: KENNIN_FUZZ_SECONDS (default 10) per
# target. Prints each target's executions and coverage; fails on any crash, hang or failed
# property, and shows the input.
#
# cargo-fuzz (pinned) is installed into .tools/cargo when missing. It passes compiler flags that
# only nightly accepts; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them. The build goes to
# $CARGO_TARGET_DIR/fuzz (or target/fuzz): a folder of its own, because its flags differ from
# every other build's. No AddressSanitizer: kennin is safe Rust, and the unsafe code on these
# paths lives in libraries fuzzed upstream (encoding_rs, memchr, regex, zune-jpeg, png), so the
# sanitizer's cost in build time and executions would buy little; panics, overflow checks and
# debug assertions catch what matters here. By hand, longer: KENNIN_FUZZ_SECONDS=600
# scripts/fuzz.sh, or one target: scripts/fuzz.sh kana_name.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cargo_fuzz_version=0.13.2
seconds=${KENNIN_FUZZ_SECONDS:-10}
fuzz_dir=shared/fuzz
target_dir="${CARGO_TARGET_DIR:-$root/target}/fuzz"
cargo_fuzz="$root/.tools/cargo/bin/cargo-fuzz"
build_flags=(--fuzz-dir "$fuzz_dir" --target-dir "$target_dir" --sanitizer none --codegen-units 16)
export RUSTC_BOOTSTRAP=1
# A failed property names itself in its panic message; cargo-fuzz's own backtrace is noise.
export RUST_BACKTRACE=0

if [[ "$("$cargo_fuzz" --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]]; then
    echo "installing cargo-fuzz $cargo_fuzz_version into .tools/cargo" >&2
    # cargo install builds in a temporary folder of its own, not in the caller's target dir.
    env -u CARGO_TARGET_DIR cargo install --quiet --locked --force --root "$root/.tools/cargo" \
        cargo-fuzz --version "$cargo_fuzz_version"
fi

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <("$cargo_fuzz" fuzz list --fuzz-dir "$fuzz_dir")
fi

started=$SECONDS
"$cargo_fuzz" fuzz build "${build_flags[@]}"
echo "fuzz build: $((SECONDS - started)) s" >&2

logs="$target_dir/logs"
mkdir -p "$logs"
status=0
printf '%-12s %10s %8s %8s %8s  %s\n' target runs exec/s cov ft result >&2
for target in "${targets[@]}"; do
    # New inputs go to a scratch corpus; the committed seeds are only read.
    scratch="$target_dir/corpus/$target"
    mkdir -p "$scratch" "$fuzz_dir/corpus/$target"
    log="$logs/$target.log"
    result=ok
    "$cargo_fuzz" fuzz run "${build_flags[@]}" "$target" "$scratch" "$fuzz_dir/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1 || result=FAILED
    stats=$(cargo xtask fuzz-stats "$log")
    read -r runs rate cov ft <<<"$stats"
    printf '%-12s %10s %8s %8s %8s  %s\n' "$target" "$runs" "$rate" "$cov" "$ft" "$result" >&2
    if [[ $result != ok ]]; then
        status=1
        # The panic or signal, the crashing input (cargo-fuzz prints it with Debug), and how to
        # reproduce it.
        sed -n '/panicked at\|ERROR: libFuzzer\|ALARM/,/^Reproduce with/p' "$log" | head -40 >&2
        echo "reproduce: RUSTC_BOOTSTRAP=1 $cargo_fuzz fuzz run ${build_flags[*]} $target CRASH_FILE" >&2
    fi
done
exit "$status"
