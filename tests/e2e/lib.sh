# lib.sh — helpers for end-to-end tests of the explorer in a private tmux server.
# Source it; call e2e_start, then keys/wait_for/expect; e2e_stop at the end.
set -u
# patterns use "." for one character (·, ›): match characters, not bytes
export LC_ALL=C.UTF-8
E2E_SOCK="smolder-e2e-$$-$RANDOM"
E2E_FAILS=0
E2E_TMP=$(mktemp -d)
E2E_CHECKS=0

tm() { tmux -L "$E2E_SOCK" -f /dev/null "$@"; }

e2e_start() {  # e2e_start WIDTH HEIGHT COMMAND...
  local w=$1 h=$2; shift 2
  tm new-session -d -x "$w" -y "$h" -s e2e "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $*; echo EXITED=\$?; sleep 30"
  tm set-option -g remain-on-exit on >/dev/null
}

e2e_stop() { tm kill-server 2>/dev/null || true; sleep 0.1; }

# e2e_git_env: git (and libgit2) without the user's or the system's configuration, with a
# fixed identity for the commits a test makes
e2e_git_env() {
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
  export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t.invalid
}

screen() { tm capture-pane -p -t e2e; }

keys() { tm send-keys -t e2e "$@"; }

# click X Y: a left click at column X, line Y (from 0), as xterm reports it (SGR 1006);
# then a pause past the explorer's double-click interval (200 ms), so two clicks stay two
click() {
  tm send-keys -t e2e -l "$(printf '\033[<0;%d;%dM' $(($1 + 1)) $(($2 + 1)))"
  tm send-keys -t e2e -l "$(printf '\033[<0;%d;%dm' $(($1 + 1)) $(($2 + 1)))"
  sleep 0.3
}

# wait_for PATTERN [SECONDS]: polls the screen until the (grep -E) pattern shows
wait_for() {
  local pat=$1 limit=${2:-10} i=0
  while [ "$i" -lt $((limit * 20)) ]; do
    screen | grep -qE -- "$pat" && return 0
    sleep 0.05; i=$((i + 1))
  done
  return 1
}

expect() {  # expect DESCRIPTION PATTERN [SECONDS]
  E2E_CHECKS=$((E2E_CHECKS + 1))
  if wait_for "$2" "${3:-10}"; then
    echo "ok   - $1"
  else
    E2E_FAILS=$((E2E_FAILS + 1))
    echo "FAIL - $1: no /$2/ on screen:"
    screen | sed 's/^/     | /'
  fi
}

expect_not() {  # expect_not DESCRIPTION PATTERN (checked once, after the screen settled)
  E2E_CHECKS=$((E2E_CHECKS + 1))
  sleep 0.3
  if screen | grep -qE -- "$2"; then
    E2E_FAILS=$((E2E_FAILS + 1))
    echo "FAIL - $1: /$2/ is on screen:"
    screen | sed 's/^/     | /'
  else
    echo "ok   - $1"
  fi
}

e2e_done() {
  e2e_stop
  rm -rf "$E2E_TMP"
  echo "$((E2E_CHECKS - E2E_FAILS)) passed, $E2E_FAILS failed"
  [ "$E2E_FAILS" -eq 0 ]
}
