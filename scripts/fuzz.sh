#!/usr/bin/env bash
# A short, bounded fuzzing run of every cargo-fuzz target in fuzz/ (article extraction and
# event decoding): FUZZ_SECONDS seconds each (default 20). Installs cargo-fuzz (and a C++
# compiler for libFuzzer) when missing; fails loudly if it cannot, or if a target crashes,
# panics, leaks or hangs (the input is left in fuzz/artifacts/<target>/).
#
# cargo-fuzz needs nightly compiler flags (-Zsanitizer=address and others); the machine has
# one stable toolchain, so RUSTC_BOOTSTRAP=1 lets stable rustc accept them. The targets are
# built as cargo-fuzz does by default: optimised, with debug assertions and overflow checks,
# under AddressSanitizer. Longer runs by hand: FUZZ_SECONDS=600 scripts/fuzz.sh, or
#   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run extract corpus/extract -- -max_total_time=600
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
TARGETS=(extract decode)

say() { echo "==> fuzz: $*" >&2; }
die() {
    echo >&2
    echo "!!! scripts/fuzz.sh: $*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

command -v cargo >/dev/null || die "cargo is not installed"
if ! command -v c++ >/dev/null; then
    say "installing a C++ compiler (libFuzzer is C++)"
    as_root apt-get update -qq || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null \
        || die "apt-get install g++ failed"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked || die "cargo install cargo-fuzz failed"
fi
cargo fuzz --version >/dev/null 2>&1 || die "cargo fuzz does not run after installing it"

export RUSTC_BOOTSTRAP=1
cd fuzz

# Seeds: the committed ones, and the seed articles beside the repository where they are.
seeds_extract=()
if [ -d ../../shared/seeds ]; then
    seeds_extract+=(../../shared/seeds)
fi

for target in "${TARGETS[@]}"; do
    mkdir -p "corpus/$target"
    extra=()
    case "$target" in
        extract) extra=("${seeds_extract[@]}") ;;
        decode) extra=(seeds/decode) ;;
    esac
    options=(-max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
    case "$target" in
        extract) options+=(-max_len=16384) ;;
        decode) options+=(-max_len=65536 -dict=dicts/decode.dict) ;;
    esac
    say "$target for ${FUZZ_SECONDS}s"
    log="$(mktemp)"
    if ! cargo fuzz run "$target" "corpus/$target" "${extra[@]}" -- "${options[@]}" >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        rm -f "$log"
        die "fuzz target $target failed: see above, and fuzz/artifacts/$target/"
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" >&2 || true
    rm -f "$log"
done
say "every target ran ${FUZZ_SECONDS}s clean"
