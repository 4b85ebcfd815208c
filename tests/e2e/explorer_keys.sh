#!/usr/bin/env bash
# End-to-end: keys the explorer must never leave as dead ends, in a private tmux server:
# ? on a terminal too small for the help box, the sandwich entered without a pivot (3 in
# it, Tab), a sandwich computed on a worker, and a prompt longer than its line.
# Usage: explorer_keys.sh SMOLDER EXAMPLES_DIR
. "$(dirname "$0")/lib.sh"
smolder=$(realpath "$1")
ex=$(realpath "$2")
trap e2e_stop EXIT

# a 30x6 terminal cannot hold the help box: ? says so and the next key is the view's
e2e_start 30 6 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "the explorer starts at 30x6" "\[1\]"
keys '?'
expect "? on a 30x6 terminal says the help does not fit" "help needs 22x7"
keys 2
expect "the next key is the view's (2: the top table)" "\\[2\\]Top"
e2e_stop

# the sandwich without a pivot takes the flame graph's selection: by Tab and by 3 in it
e2e_start 100 30 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph" "\[1\]Flame"
keys Tab Tab
expect "Tab into the sandwich on the root says to pick a function" "select a function"
keys 1 j
expect "j selects main.worker" "main\.worker  self 0  total"
keys Tab Tab
expect "Tab into the sandwich pivots on main.worker" "callers of main\.worker|main\.worker.*self.*total"
expect_not "no dead-end hint once pivoted" "select a function in the flame graph"
expect "line 2 names the sandwich's pivot" "^ sandwich of main\.worker"
keys 4
expect "line 2 names the source pane's file" "^ .*main\.go"
e2e_stop

# the comparison's line 2 is the zoom path of the pane it shows
e2e_start 100 30 "$smolder" diff "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz"
expect "a diff" "\[1\]Flame"
keys c
expect "the comparison" "\[c\]Cmp"
keys j Enter
expect "line 2 is the compared pane's zoom path" "^ all . main\.worker"
expect_not "the comparison's panes are coloured by package: no diff colour scale" "^ less "
# the diff's top table: keys on the selected function (its rows are the diff's)
keys 2
expect "the diff's top table" "\[2\]Top"
keys f
expect "f on the diff's top row focuses on it" "focus"
keys 3
expect "3 on the diff's top row opens its sandwich" "^ sandwich of "
e2e_stop

e2e_start 100 30 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph again" "\[1\]Flame"
keys 3
expect "3 on the root: the empty sandwich" "select a function"
keys 1 j 3
expect "3 after selecting main.worker pivots on it" "callers of main\.worker|main\.worker.*self.*total"
e2e_stop

# filters typed in the sandwich keep it on its function (it went blank, and 3 or F did not
# bring it back): - on a caller, then F
e2e_start 100 30 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph for the sandwich's filters" "\[1\]Flame"
keys 2 j 3 Up j
expect "a caller of sha256.block selected" "^ caller: .*Write  "
keys -
expect "- hides the caller" "hide=.*Write.: [0-9.]+ ?[a-z]* of [0-9.]+ ?[a-z]* [(]100[.]0%[)]"
expect "the sandwich is still of sha256.block" "^ sandwich of crypto/sha256\.block"
expect_not "not emptied by the filter" "select a function in the flame graph"
keys F
expect "F pops the filter" "filter popped, 0 left"
expect "and the sandwich stays" "^ sandwich of crypto/sha256\.block"
expect "with its callers back" "^ caller: .*sha256\.block"
# a caller's numbers: the callers half is inverted, where a node's self is the value of
# the stacks that start at it — main.worker said 'self 980 ms', pprof's flat is 0
keys Up Up Up Up Up Up
expect "the callers' outermost frame: the time through it" "^ caller: main\.worker  total 980 ms \(10\.6% all, 86\.7% of sha256\.block\)"
expect_not "and no self (main.worker's is 0)" "caller: main\.worker  self"
e2e_stop

# a profile pprof subtracted itself (-diff_base -proto): its percentages are of pprof's
# total, the base's 9.24 s (go tool pprof -top: scoreRecords 33.01% of 9.24s total)
if go tool pprof -proto -diff_base="$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" \
     > "$E2E_TMP/d.pb.gz" 2>/dev/null; then
  e2e_start 100 24 "$smolder" "$E2E_TMP/d.pb.gz"
  expect "the header gives the net sum and pprof's total" "2\.68 s net . 9\.24 s total"
  keys 2
  expect "scoreRecords' share is pprof's" "33\.0%.*33\.1%  main\.scoreRecords"
  e2e_stop
else
  echo "FAIL - go tool pprof could not subtract the examples"; E2E_FAILS=$((E2E_FAILS + 1))
fi

# the command line's filters open as the first entries of the stack: percentages of the
# unfiltered total (as pprof's web UI), listed in the status line, popped by F
e2e_start 100 30 "$smolder" view --focus sha256 --hide runtime --lines "$ex/cpuwork-cpu.pb.gz"
expect "--focus on view: pprof's 1.15 s of 9.24 s" "cpu \(nanoseconds\) . 1\.15 s of 9\.24 s"
expect "the filters are in the status line" "focus:sha256 hide:runtime"
expect "and --lines is the granularity" " lines *$"
keys 2
expect "the top table's shares are of the unfiltered total, by line" \
  "100 ms +1\.1% +100 ms +1\.1% +crypto/sha256\.block crypto/sha256/sha256block_amd64\.s:805"
keys F
expect "F pops the last" "filter popped, 1 left"
keys F
expect "and the first" "filter popped, 0 left"
expect "back to the whole profile" "9\.24 s total"
e2e_stop

# O in the source pane: $EDITOR is a command line ("code --wait", "emacs -nw"), run as git
# runs it, with the terminal as its input even when the profile came on standard input;
# an editor with arguments was never started, and a failure said nothing
src=$(cd "$ex/../../shared/testdata/go/src" && pwd -P)
printf '#!/bin/sh\n{ printf "ARGS:"; printf " %%s" "$@"; [ -t 0 ] && printf " STDIN-TTY"; echo; } >> "$(dirname "$0")/ed.log"\n' > "$E2E_TMP/ed.sh"
chmod +x "$E2E_TMP/ed.sh"
e2e_start 100 30 "EDITOR='$E2E_TMP/ed.sh --wait'" "$smolder" view --source-path "$src" - "<" "$ex/cpuwork-cpu.pb.gz"
expect "a profile on standard input" "\[1\]Flame"
keys j j 4
expect "the source pane with the local file" "cpuwork/main\.go \(local file\)"
keys O
E2E_CHECKS=$((E2E_CHECKS + 1))
for _ in $(seq 100); do [ -s "$E2E_TMP/ed.log" ] && break; sleep 0.05; done
if grep -qx "ARGS: --wait +208 $src/cpuwork/main.go STDIN-TTY" "$E2E_TMP/ed.log" 2>/dev/null; then
  echo "ok   - O runs \$EDITOR with its arguments, +LINE and the file, keys from the terminal"
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - O and EDITOR='ed.sh --wait': '$(cat "$E2E_TMP/ed.log" 2>/dev/null)'"
fi
e2e_stop
e2e_start 100 30 "EDITOR=$E2E_TMP/no-such-editor" "$smolder" view --source-path "$src" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (no editor)" "\[1\]Flame"
keys j j 4
expect "the source pane (no editor)" "cpuwork/main\.go \(local file\)"
keys O
expect "an editor that cannot run says so" "cannot run the editor '.*no-such-editor' \(VISUAL or EDITOR\)"
e2e_stop

# the source pane entered without a function (Tab, a tab click, 4 in it) shows the flame
# graph's selection, as the sandwich does: it said "select a function ... and press 4",
# and 4 there did nothing
e2e_start 100 30 "$smolder" view --source-path "$src" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (source by Tab)" "\[1\]Flame"
keys j j Tab Tab Tab
expect "Tab into the source pane shows the selected function's file" "cpuwork/main\.go \(local file\) +hottest: line 208"
expect "with its numbers" "^ main\.processBatch  self 0 ns  total 8\.98 s"
expect_not "no dead end" "select a function \(flame graph"
# and a click on its tab opens the selection, as 4 does, though the pane shows another
keys 1 k
expect "main.worker selected" "^ main\.worker  self 0  total"
click 94 0
expect "a click on the Src tab shows main.worker" "^ main\.worker  self 0 ns  total 8\.99 s .* line 223"
# from the top table entered by 2, the click opens its selected row, as 4 would
keys 2
expect "the table's first row" "row 1 of [0-9]+"
click 94 0
expect "a click on the Src tab from the table opens its row" "^ main\.scoreRecords  self 1\.55 s"
e2e_stop

# clicks in the top table select the row under the pointer, and only rows on screen: a
# click on the status or hint line below the table selected a row past its end
e2e_start 80 24 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (mouse)" "\[1\]Flame"
keys 2
expect "the top table (mouse)" "row 1 of [0-9]+"
click 10 5
expect "a click on the third row selects it" "row 3 of [0-9]+"
click 10 22
click 10 23
expect_not "clicks on the status and hint lines select nothing" "row (2[0-9]|1[0-9]) of"
expect "the third row stays selected" "row 3 of [0-9]+"
e2e_stop

# the mouse acts on what is seen: the help box covers the view (a click closes it and does
# nothing else; a double-click in it zoomed the flame graph under it, a click on a tab
# changed the view behind it), and a prompt takes only keys (a click on the Flame tab left
# `/score` typed in the top table open, and Enter then searched the flame graph)
dblclick() {  # dblclick X Y: two clicks within the double-click interval
  local c
  c=$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' $(($1 + 1)) $(($2 + 1)) $(($1 + 1)) $(($2 + 1)))
  tm send-keys -t e2e -l "$c$c"
  sleep 0.3
}
e2e_start 100 30 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (mouse on overlays)" "\[1\]Flame  2 Top"
keys '?'
expect "the help box" "smolder keys"
dblclick 40 5
expect_not "a double-click closes the help" "smolder keys"
expect "and zooms nothing under it" "^ all  self 0  total 9\.24 s \(100% all\)"
expect_not "the breadcrumb is the root's" "^ all . "
keys '?'
expect "the help box again" "smolder keys"
click 82 0
expect_not "a click on a tab closes the help" "smolder keys"
expect "and the view behind it stays" "\[1\]Flame  2 Top"
keys 2 / s c o r e
expect "a row filter typed in the top table" "^/score"
click 72 0
expect "a click on the Flame tab leaves the prompt" "^/score"
expect "and the top table" "\[2\]Top"
keys Enter
expect "Enter applies the table's filter" "row 1 of 1 +filter: score"
expect_not "not a flame graph search" "matched: "
e2e_stop

# ? below ~54 columns: the keys on a line of their own and the descriptions under them (a
# column beside the keys left them 10 cells at 40 columns, none at 30)
e2e_start 40 20 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "a 40-column explorer" "\[1\]"
keys '?'
expect "the help at 40 columns" "smolder keys"
expect "a description reads as a line, under its keys" "^.{4}  flame graph, top table,"
e2e_stop

# the top table's selection follows its function through s, I and t: it stayed on the row
# number, so s on the 4th row selected another function
e2e_start 100 24 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (top selection)" "\[1\]Flame"
keys 2 j j j
expect "the 4th row of the top table" "^ regexp\.\(\*bitState\)\.shouldVisit  self 370 ms  total 370 ms . row 4 of 359"
keys s
expect "s by total: still shouldVisit, further down" "^ regexp\.\(\*bitState\)\.shouldVisit  self 370 ms  total 370 ms . row 40 of 359"
keys I
expect "I inverted: still shouldVisit" "^ regexp\.\(\*bitState\)\.shouldVisit  self 370 ms .* row 320 of 359"
keys t
expect "t another sample type: still shouldVisit" "^ regexp\.\(\*bitState\)\.shouldVisit  self 37  total 37 "
e2e_stop

# and in the source pane: a click on the status or hint line selected a line off screen
e2e_start 80 24 "$smolder" view --source-path "$src" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph (source clicks)" "\[1\]Flame"
keys j j 4
expect "the source pane on line 208" " . line 208: self 0 ns"
click 10 22
click 10 23
expect_not "clicks on the status and hint lines select no line" " . line 2(0[0-79]|[1-9][0-9])"
expect "line 208 stays selected" " . line 208: self 0 ns"
click 10 8
expect "a click on a code line selects it" " . line 203$"
e2e_stop

# q while a filter job runs quits at once: the job is left to its thread (it waited for the
# job).  The filter is slow by design: a regex that backtracks (~35 ms on each of 400 names)
python3 -c "
for i in range(400):
    print('main;' + 'a' * 40 + 'x%d' % i + ' 1')" > "$E2E_TMP/slow.folded"
e2e_start 100 24 "$smolder" "$E2E_TMP/slow.folded"
expect "a profile of 400 functions" "\[1\]Flame"
keys :
tm send-keys -t e2e -l 'focus=(a+)+$'
keys Enter
expect "the slow filter runs" "working [0-9.]+ s"
keys q
t0=$(date +%s%N)
expect "q quits while it runs" "^EXITED=0" 30
t=$(( ($(date +%s%N) - t0) / 1000000 ))
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ "$t" -lt 2000 ]; then echo "ok   - at once (${t} ms)"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - q took ${t} ms: it waited for the filter"; fi
e2e_stop

# Esc on the slow filter gives the explorer back at once (it said "cancelling..." and
# refused the next change until the filter had run its ~14 s): the next filter is taken
e2e_start 100 24 "$smolder" "$E2E_TMP/slow.folded"
expect "a profile of 400 functions" "\[1\]Flame"
keys :
tm send-keys -t e2e -l 'focus=(a+)+$'
keys Enter
expect "the slow filter runs" "working [0-9.]+ s"
keys Escape
expect "Esc: cancelled at once" "cancelled" 3
expect_not "no spinner after Esc" "working [0-9.]+ s"
keys :
tm send-keys -t e2e -l 'hide=x1$'
keys Enter
expect "the next filter is taken and applied" "hide=x1[$]: 400 of 400 [(]100[.]0%[)]" 3
keys q
expect "q quits" "^EXITED=0" 5
e2e_stop

# on a profile with many frames (heapwork: 180k in its samples) the sandwich is computed
# on a worker: the key loop lands it (it would say "computing" for ever otherwise), and an
# Enter on a callee pivots on a worker too
e2e_start 100 30 "$smolder" "$ex/heapwork-heap.pb.gz"
expect "the heap profile" "\[1\]Flame"
keys j 3
expect "3 on the flame graph's selection: its sandwich lands" "callers above, callees below"
expect "line 2 names the sandwich's pivot" "^ sandwich of runtime\.main"
expect_not "nothing left computing" "computing|working [0-9.]+ s"
keys j Enter
expect "Enter on a callee pivots on it" "^ sandwich of main\.main"
expect_not "the pivot landed too" "computing|working [0-9.]+ s"
e2e_stop

# n/N in the sandwich and in the comparison move within the focused half or side: they
# left it for the flame graph
e2e_start 100 30 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "flame graph" "\[1\]Flame"
keys j 3
expect "the sandwich of main.worker" "^ sandwich of main\.worker"
keys / s h a 2 5 6 Enter
expect "a search in the sandwich" "matched: 12\.4%"
keys n
expect "n selects the callees' first match" "^ callee: crypto/sha256\.\(\*digest\)\.Write  self 0"
expect "and counts the matches in that half" "^match 1 of 2 "
expect "n stays in the sandwich" "\[3\]Sw"
keys n
expect "n again: the next match" "^ callee: crypto/sha256\.Sum256  self 0"
keys N
expect "N: back to the previous one" "^ callee: crypto/sha256\.\(\*digest\)\.Write  self 0"
expect "N stays in the sandwich too" "\[3\]Sw"
e2e_stop

e2e_start 100 30 "$smolder" diff "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz"
expect "a diff" "\[1\]Flame"
keys c / s h a 2 5 6 Enter
expect "a search in the comparison" "matched: 9\.2%"
keys n
expect "n selects the first match on the focused side" "^ crypto/sha256\.\(\*digest\)\.Write  base 980 ms"
expect "n stays in the comparison" "\[c\]Cmp"
keys w n
expect "w then n: the next match on the other side" "^ crypto/sha256\.Sum256  base 170 ms"
expect "the comparison still" "\[c\]Cmp"
e2e_stop

# a prompt longer than the line shows where the typing is
e2e_start 60 20 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "explorer at 60 columns" "\[1\]"
keys : f o c u s = a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a Z Y X
expect "the end of a long prompt input stays visible" ":.*aaaZYX"
keys Escape
e2e_done
