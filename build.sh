#!/usr/bin/env bash
# build.sh — one entry point for setting smolder up on a fresh Debian 12 machine.
#
#   ./build.sh run [FILE]   install what is missing, build, open the explorer on FILE
#                           (default: the bundled examples/cpuwork-cpu.pb.gz)
#   ./build.sh test         install what is missing, build, run the whole ctest suite
#   ./build.sh test-sanitize  the same under AddressSanitizer + UndefinedBehaviorSanitizer,
#                           built with clang (installed when missing): its UBSan also
#                           checks pointer arithmetic on NULL, which GCC's does not
#   ./build.sh bench ARGS   build (Release) and run smolder-bench ARGS, e.g. --analysis
#                           or --serve (README, Performance; no ARGS: its usage)
#   ./build.sh deps         only install the Debian packages
#
# SMOLDER_WERROR=1 builds with warnings as errors (CI sets it).  apt-get runs through
# sudo when you are not root, and only when a package is missing.
set -euo pipefail
cd "$(dirname "$0")"

DEPS=(build-essential cmake pkg-config libncurses-dev libprotobuf-c-dev protobuf-c-compiler
      libzstd-dev libyaml-dev libcurl4-openssl-dev libdeflate-dev libpcre2-dev libxxhash-dev
      libcmocka-dev libjansson-dev libsqlite3-dev libmicrohttpd-dev libgit2-dev sqlite3 tmux golang-go ncurses-term libxml2-utils python3-jsonschema
      openssl libcrypt-dev curl git)

deps() {  # deps [extra packages...]
  local missing=()
  for p in "${DEPS[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # node and npm (test fixtures from npm): Debian's packages unless a node is already here
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {  # build DIR [cmake args...]
  local dir=$1; shift
  local werror=OFF
  [ "${SMOLDER_WERROR:-0}" = 1 ] && werror=ON
  cmake -S . -B "$dir" -DSMOLDER_WERROR="$werror" "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)"
}

cmd=${1:-run}
case $cmd in
  deps) deps ;;
  run)
    deps; build build
    exec ./build/smolder "${2:-examples/cpuwork-cpu.pb.gz}" ;;
  test)
    deps; build build
    cd build && ctest --output-on-failure -j"$(nproc)" ;;
  test-sanitize)
    deps clang libclang-rt-dev  # the sanitizers' runtime is only recommended by clang
    build build-sanitize -DSMOLDER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
    cd build-sanitize && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$(nproc)" ;;
  bench)
    deps; build build -DCMAKE_BUILD_TYPE=Release
    ./build/bench/smolder-bench "${@:2}" ;;
  *) echo "usage: ./build.sh run|test|test-sanitize|bench|deps" >&2; exit 2 ;;
esac
