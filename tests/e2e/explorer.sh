#!/usr/bin/env bash
# End-to-end: the explorer on a real Go CPU profile, driven in a private tmux server at
# 80x24, asserting on what a person sees.  Usage: explorer.sh SMOLDER EXAMPLES_DIR
. "$(dirname "$0")/lib.sh"
smolder=$(realpath "$1")
ex=$(realpath "$2")
trap e2e_stop EXIT

e2e_start 80 24 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "header names the sample type and total" "cpu \(nanoseconds\) . 9\.24 s total"
expect "flame tab is active" "\[1\]Flame"
expect "root row shows the total" "^all  9\.24 s"
expect "status line describes the root" "all  self 0  total 9\.24 s \(100% all\)"
expect "hint line" "/ search . Enter zoom"

keys j
expect "j selects the widest child" "main\.worker  self 0  total 8\.99 s \(97\.3% all\)"
keys l l
expect "h/l reach the ·N cell of frames too narrow to draw" "[0-9]+ narrow frames under all: [0-9.]+ ms \([0-9.]+%\)"
keys k
expect "k goes back to the parent" "^ all  self 0  total"
# Enter on the +N cell at the zoom root opens its widest frame (it selected `all`)
keys j l l Enter
expect "Enter on the +N cell opens its widest frame" "^ all . runtime\.bgscavenge"
expect "and selects it" "^ runtime\.bgscavenge  self 0  total 60 ms"
keys Escape r
expect "Esc unzooms" "^ all *$"

# search: the matched share equals pprof's -focus=sha256 total (1.15 s of 9.24 s)
keys / s h a 2 5 6
expect "incremental search shows the matched share" "matched: 12\.[45]%"
keys Enter
expect "Enter jumps to the first match" "match 1 of [0-9]+"
expect "the selection is a sha256 frame" "sha256.*self .*total"
keys n
expect "n jumps to the next match" "match 2 of [0-9]+"

# zoom and unzoom
keys r j j Enter
expect "Enter zooms: the breadcrumb shows the path" "^ all . main\.worker . main\.processBatch"
expect "zoomed percentage in the status line" "all, 100% zoomed\)"
keys Escape
expect "Esc unzooms" "^ all *$"

# top table
keys 2
expect "top tab is active" "\[2\]Top"
expect "top table header with sort marker" "self▼ +self% +total +total% +name"
expect "top row: main.scoreRecords with pprof's numbers" "1\.55 s +16\.8% +1\.55 s +16\.8% +main\.scoreRecords"
keys s
expect "s sorts by total" "total▼"
keys s s / b l o c k Enter
expect "/ filters the table" "crypto/sha256\.block"
expect_not "the filter hides other rows" "main\.scoreRecords"
keys Enter
expect "Enter in the table jumps to the flame graph" "\[1\]Flame"
expect "with its widest occurrence selected" "crypto/sha256\.block  self 980 ms \(10\.6%\)"

# sample types and help
keys t
expect "t cycles the sample type" "samples \(count\)"
keys ?
expect "? opens the help" "smolder keys"
expect_not "the last entry is below the box at 80x24" "wheel .*widest child"
keys G
expect "G scrolls the help to its end" "wheel .*move to the parent / widest child"
expect_not "its first entry is above the box then" "1 2 3 4 / Tab .*flame graph, top table"
keys g
expect "g scrolls back to the top" "1 2 3 4 / Tab .*flame graph, top table"
keys PPage NPage
expect_not "PgDn pages the help down" "1 2 3 4 / Tab .*flame graph, top table"
keys PPage
expect "PgUp pages it back" "1 2 3 4 / Tab .*flame graph, top table"
keys Space
expect_not "Space pages it down too" "1 2 3 4 / Tab .*flame graph, top table"
keys Escape
expect_not "Esc closes the help" "smolder keys"

# resize and deep stacks
tm resize-window -t e2e -x 120 -y 40
expect "redraws on resize" "samples \(count\) . 924 total +\[1\]Flame"
tm resize-window -t e2e -x 80 -y 24
keys G
expect "G follows the widest path to a leaf, scrolled into view" "self [1-9].*total"

# filters: f on the selection, ':' options with completion, F pops
keys r 1 2 Escape g
expect "Esc clears the table's row filter" "155 +16\.8% +155 +16\.8% +main\.scoreRecords"
keys 1 t
expect "back on cpu" "cpu \(nanoseconds\)"
keys : f o Tab
expect "Tab completes an option name" "^:focus="
keys s h a 2 5 6 Enter
expect "focus=sha256 keeps pprof's 1.15 s of 9.24 s" "cpu \(nanoseconds\) . 1\.15 s of 9\.24 s"
expect "the status line lists the filter" "focus:sha256"
keys 2
expect "top under the filter, % of the unfiltered total" "1\.13 s +12\.2% +1\.13 s +12\.2% +crypto/sha256\.block"
keys F
expect "F pops it" "filter popped, 0 left"
expect "totals are back" "9\.24 s total"
keys : s h o w = d e c o d e R e c o r d s Enter
expect "show= keeps only the matching frames (pprof's -show)" "cpu \(nanoseconds\) . 2\.13 s of 9\.24 s"
expect "the status line lists it" "show:decodeRec"
keys F
expect "F pops it too" "filter popped, 0 left"
keys g x
expect "x ignores the selected function" "ignore:\\^main\\\\\.scoreRecords\\$"
expect "its time is gone" "cpu \(nanoseconds\) . 7\.69 s of 9\.24 s"
keys F : b o g u s = 1 Enter
expect "unknown options are refused with the list" "unknown option 'bogus' \(focus, i"
keys : f o c u s = \( Enter
expect "a bad regex is a clear message" "focus: bad regex at offset 1"
keys : g r Tab l Tab Enter 2 g
expect "granularity=lines (Tab completes values) shows pprof's -lines rows" "1\.27 s +13\.7% +1\.27 s +13\.7% +main\.scoreRecords cpuwork/main\.go:146"
expect "and says so in the status line" " lines *$"
keys : g r a n u l a r i t y = f u n c Tab Enter
expect "back to functions" "1\.55 s +16\.8% +1\.55 s +16\.8% +main\.scoreRecords$"
keys 1

# the mouse (SGR reports, as xterm sends them): click, double-click, wheel, tabs
mouse() { sleep 0.3; tm send-keys -t e2e -l "$1"; }  # after the keys before it settled
keys r 1
mouse $'\e[<0;40;6M\e[<0;40;6m'
expect "a click selects the frame under the pointer" "^ main\.hashRecords  self 0  total .*\(13\.1% all\)"
mouse $'\e[<0;40;6M\e[<0;40;6m\e[<0;40;6M\e[<0;40;6m'
expect "a double-click zooms into it" "^ all . main\.worker . main\.processBatch . main\.hashRecords"
mouse $'\e[<65;40;6M'
expect "the wheel moves to the widest child" "^ crypto/sha256\.\(\*digest\)\.Write  self.* \(10\.6% all, 81\.0% zoomed\)"
keys Escape
mouse $'\e[<0;73;1M\e[<0;73;1m'
expect "a click on a tab switches view" "\[2\]Top"
keys 1

# sandwich: callers above the function, callees below; Enter pivots
keys r 1 / h a s h R e c o r d s Enter 3
expect "3 opens the sandwich of the selection" "\[3\]Sw"
expect "the divider names the function with its total" "── main\.hashRecords  self 0 ns  total 1\.21 s \(13\.1%\)"
expect "its caller is drawn above it" "^main\.processBatch +│"
expect "its callees below it" "^crypto/sha256\.\(\*digest\)\.Write +│"
expect "the function itself: its share of all, no '100% zoomed'" "callee: main\.hashRecords  self 0  total 1\.21 s \(13\.1% all\)"
keys j
expect "j moves to the widest callee (its name gives way to the numbers), its share of the function" "callee: .*Write  self 0  total 980 ms \(10\.6% all, 81\.0% of main\.hashRecords\)"
keys Enter
expect "Enter pivots the sandwich to it" "── crypto/sha256\.\(\*digest\)\.Write  self 0 ns  total 1\.13 s \(12\.2%\)"
keys Up Up
expect "up from the function crosses into the callers" "caller: crypto/sha256\.\(\*digest\)\.Write|caller: main\.hashRecords"
keys 1

# y copies the selected name through OSC 52 (tmux keeps it as a paste buffer)
tm set-option -g set-clipboard on
keys r j y
expect "y says what it copied" "copied main\.worker"
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ "$(tm show-buffer 2>/dev/null)" = "main.worker" ]; then echo "ok   - the clipboard holds main.worker"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - the clipboard holds '$(tm show-buffer 2>&1)'"; fi

keys q
expect "q quits with status 0" "EXITED=0"
e2e_stop

# ASCII locale and NO_COLOR: no UTF-8 glyphs, no colour sequences
e2e_start 80 24 env LC_ALL=C LANG=C NO_COLOR=1 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "ASCII header separators" "smolder - .* - cpu \(nanoseconds\) - 9\.24 s total"
expect "ASCII frame separators" "^main\.worker +\|"
expect "ASCII hint line" "/ search - Enter zoom - Esc back"
E2E_CHECKS=$((E2E_CHECKS + 1))
if tm capture-pane -p -e -t e2e | grep -q $'\e\[[0-9;]*\(3[0-7]\|4[0-7]\|38;\|48;\)'; then
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - NO_COLOR: colour sequences on screen"
else
  echo "ok   - NO_COLOR: no colour sequences"
fi
keys q
expect "quits" "EXITED=0"
e2e_stop

# a hostile profile: names with escape sequences are shown escaped, never sent
printf 'main;\033]0;pwned\007evil;\033[2Jclear 5\nmain;ok 3\n' > "$E2E_TMP/evil.folded"
e2e_start 80 24 "$smolder" "$E2E_TMP/evil.folded"
keys 2
expect "escape sequences in names are shown as \\x1b" '\\x1b\[2Jclear'
expect "and BEL as \\x07" 'pwned\\x07evil'
expect "and the screen was not cleared by them" "\[2\]Top"
keys q
e2e_stop

# diff: the before/after pair (scoreRecords made 3x slower)
e2e_start 80 24 "$smolder" diff "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz"
expect "the diff header shows base -> new totals" "cpu \(nanoseconds\) . 9\.24 s → 11\.9 s"
expect "the legend is on screen, in proportional mode" "less ▇▇▇▇ ▇ ▇▇▇▇ more . proportional . ±0\.1 % neutral . \+ new − removed"
expect "the comparison tab exists in a diff" "\[1\]Flame .* c *$"
keys / s c o r e R e c o r d s Enter
expect "the selection shows base -> new and the change" "main\.scoreRecords  base 1\.55 s \(16\.8%\) → new 4\.61 s \(38\.7%\)  \+21\.9 pp"
keys a
expect "a switches to absolute mode, shown in the legend" "more . absolute . "
expect "and in the status line" "\+33\.1% of base"
keys a
# no frame that is in both is marked + (the narrow-frames cell was a `+` against `block`);
# frames only on one side: the small diff at the end
E2E_CHECKS=$((E2E_CHECKS + 1))
if screen | sed -n '3,20p' | grep -qE '(^|│)\+ *block'; then
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - a frame in both profiles reads as + new"; screen | sed 's/^/     | /'
else echo "ok   - a frame in both profiles does not read as + new"; fi
keys 2
expect "the diff top table: base%, new%, change, sorted by change" "base% +new% +diff pp▼ +name"
expect "scoreRecords leads with its shares" "16\.8% +38\.7% +\+21\.90  main\.scoreRecords"
keys 1 r c
expect "c opens the comparison: base pane" "base: .*cpuwork-cpu\.pb\.gz . 9\.24 s total"
expect "and the new pane (stacked at 80 columns)" "new: .*scoreRecords-3x\.pb\.gz . 11\.9 s total"
keys j Enter
expect "zoom in one pane follows the call path in the other" "^main\.worker  [0-9.]+ s +│?$"
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ "$(screen | grep -cE '^main\.worker  [0-9.]+ s')" -eq 2 ]; then echo "ok   - both panes zoomed to main.worker"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - the panes are not in step"; screen | sed 's/^/     | /'; fi
keys w
expect "w moves the focus to the other pane" "w switch side"
tm resize-window -t e2e -x 170 -y 30
expect "side by side from 160 columns" "base: .*total +new: "
keys q
expect "q quits the diff with status 0" "EXITED=0"
e2e_stop

# the source pane (4): per-line self/total (pprof -list numbers) with the code
gosrc=$(cd "$ex/../../shared/testdata/go/src" && pwd)
e2e_start 100 30 "$smolder" --source-path "$gosrc" "$ex/cpuwork-cpu.pb.gz"
keys / s c o r e R e c o r d s Enter 4
expect "4 opens the source pane on the hottest line" "hottest: line 146"
expect "the file and where it came from" "cpuwork/main\.go \(local file\)"
expect "per-line self and total with the heat gutter and the code" "1\.27 s +1\.27 s █ +146 +s = s\*0\.999"
expect "the status line names the function and the line" "main\.scoreRecords  self 1\.55 s  total 1\.55 s \(16\.8%\) . line 146"
keys k k ]
expect "] jumps to the next line with a cost" "line 145: self 270 ms total 270 ms"
keys g H
expect "H jumps back to the hottest line" "hottest line: 146"
tm set-option -g set-clipboard on
keys y
expect "y copies path:line" "copied .*cpuwork/main\.go:146"
keys / r e c s Enter
expect "/ searches the code" "line 1[0-9][0-9]"
keys q
e2e_stop
# without the code: the numbers still show, with the reason
e2e_start 100 30 env -C / "$smolder" "$ex/cpuwork-cpu.pb.gz"
keys / s c o r e R e c o r d s Enter 4
expect "without the code, the lines with a cost and why" "\(no code: no source for 'cpuwork/main\.go'"
expect "the numbers are there" "1\.27 s +1\.27 s █ +146"
keys q
e2e_stop

# R collapses recursion; e exports what is shown
printf 'main;f;f;f;g 5\nmain;h 3\n' > "$E2E_TMP/rec.folded"
e2e_start 80 24 "$smolder" "$E2E_TMP/rec.folded"
keys j j j
expect "a recursive tower before R" "^ f  self 0  total 5 \(62\.5% all\)"
keys R
expect "R says it collapsed recursion" "recursion collapsed"
expect "and the status line lists it" "collapsed recursion"
keys r G
expect "one f left above g" "^ g  self 5 "
keys r j j Enter e
expect "e asks for the format" "export as: p pprof . f folded . s speedscope . v svg"
keys f
expect "and proposes a path" "export to: rec-view\.folded"
keys C-u
tm send-keys -t e2e -l "$E2E_TMP/out.folded"
keys Enter
expect "e writes the file" "wrote .*out\.folded \(folded"
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ "$(cat "$E2E_TMP/out.folded" 2>/dev/null)" = "main;f;g 5" ]; then echo "ok   - the export holds the zoomed, collapsed stacks"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - export holds: $(cat "$E2E_TMP/out.folded" 2>&1)"; fi
keys q
e2e_stop

# e in the comparison exports what its panes show: it took the flame graph's zoom (none
# here), so the whole diff was written, as profile-diff.folded
printf 'main;a;x 5\nmain;b 3\n' > "$E2E_TMP/cb.folded"
printf 'main;a;x 7\nmain;b 1\n' > "$E2E_TMP/cn.folded"
e2e_start 80 24 env -C "$E2E_TMP" "$smolder" diff cb.folded cn.folded
expect "a diff of two folded files" "8 → 8"
keys c j j Enter
expect "zoomed into main;a in the comparison" "^ all . main . a"
keys e f
expect "the proposed path says it is a view" "export to: cn-diff-view\.folded"
keys Enter
expect "e in the comparison writes the file" "wrote cn-diff-view\.folded \(folded"
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ -s "$E2E_TMP/cn-diff-view.folded" ] && ! grep -qv '^main;a;x ' "$E2E_TMP/cn-diff-view.folded"; then
  echo "ok   - the export holds the comparison's zoomed path only"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - comparison export holds: $(cat "$E2E_TMP/cn-diff-view.folded" 2>&1)"; fi
keys q
e2e_stop

# 3001 root functions at 120 columns are one +3001 cell: Enter reaches its widest frame
{ for i in $(seq 0 3000); do echo "f$i;leaf 1"; done; echo "f1234;leaf 9"; } > "$E2E_TMP/wide.folded"
e2e_start 120 24 "$smolder" "$E2E_TMP/wide.folded"
expect "3001 roots" "\[1\]Flame"
keys j
expect "j selects the ·3001 cell" "3001 narrow frames under all"
keys Enter
expect "Enter opens the widest root function" "^ all . f1234"
keys j
expect "and the frames under it are reachable" "^ leaf  self 10 .*total 10 "
keys k l
expect "l on the zoom root zooms to its next sibling" "^ all . f1235 *$"
keys h h
expect "h twice: the one before f1234" "^ all . f1233 *$"
keys Escape
expect "Esc goes back to where the zoom came from" "^ all *$"
keys q
e2e_stop

# e never replaces a file unasked: the suggestion skips taken names, a typed one asks
# "overwrite NAME? y/N" (only y writes), and the profile being viewed is refused even on y
mkdir "$E2E_TMP/ow"
cp "$ex/cpuwork-cpu.pb.gz" "$E2E_TMP/ow/"
e2e_start 100 24 env -C "$E2E_TMP/ow" "$smolder" cpuwork-cpu.pb.gz
expect "the copy of cpuwork" "\[1\]Flame"
keys : ; tm send-keys -t e2e -l 'focus=scoreRecords'; keys Enter
expect "focused on scoreRecords" "focus=scoreRecords"
keys e p
expect "the suggestion is not the viewed file's name" "export to: cpuwork-cpu-export\.pb\.gz"
keys Enter
expect "the suggestion is written" "wrote cpuwork-cpu-export\.pb\.gz \(pprof"
keys e p
expect "the next suggestion skips the name just written" "export to: cpuwork-cpu-export-2\.pb\.gz"
keys C-u; tm send-keys -t e2e -l 'cpuwork-cpu-export.pb.gz'; keys Enter
expect "a taken name asks first" "overwrite cpuwork-cpu-export\.pb\.gz\? y/N"
keys n
expect "n keeps the file" "export cancelled: cpuwork-cpu-export\.pb\.gz kept"
cp "$E2E_TMP/ow/cpuwork-cpu-export.pb.gz" "$E2E_TMP/focused.pb.gz"
keys e p C-u; tm send-keys -t e2e -l 'cpuwork-cpu.pb.gz'; keys Enter
expect "the viewed profile is refused" "cpuwork-cpu\.pb\.gz is the profile being viewed: not overwritten"
expect "and the prompt is back to pick another name" "export to: cpuwork-cpu\.pb\.gz"
keys y
expect_not "y is typed into the name there, nothing is written" "^wrote"
keys Escape
E2E_CHECKS=$((E2E_CHECKS + 1))
if cmp -s "$ex/cpuwork-cpu.pb.gz" "$E2E_TMP/ow/cpuwork-cpu.pb.gz"; then echo "ok   - the viewed profile is intact"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - the viewed profile was changed by e"; fi
# F drops the focus: the whole profile, written over the focused export on y
keys F
expect "the focus is dropped" "9\.24 ?s"
keys e p C-u; tm send-keys -t e2e -l 'cpuwork-cpu-export.pb.gz'; keys Enter
expect "a taken name asks again" "overwrite cpuwork-cpu-export\.pb\.gz\? y/N"
keys y
expect "y writes it" "wrote cpuwork-cpu-export\.pb\.gz \(pprof"
E2E_CHECKS=$((E2E_CHECKS + 1))
if ! cmp -s "$E2E_TMP/focused.pb.gz" "$E2E_TMP/ow/cpuwork-cpu-export.pb.gz" &&
   [ -z "$(find "$E2E_TMP/ow" -name '.*.tmp')" ]; then echo "ok   - y replaced the file, no temporary file left"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - y did not replace the file: $(ls -a "$E2E_TMP/ow")"; fi
keys q
e2e_stop

# review-a regressions, each at the terminal size that showed it
DIFF="$smolder diff $ex/cpuwork-cpu.pb.gz $ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz"

# a 6-line terminal leaves the comparison no line for a graph: it drew a pane of height -1
# (4e9 rows, the UI frozen at 100% CPU); now only the headers, and keys still work
e2e_start 80 6 $DIFF
expect "a diff in 6 lines" "9\.24 s → 11\.9 s"
keys c
expect "c in 6 lines shows a pane header" "new: .*11\.9 s total"
keys 2
expect "and the UI still answers keys" "\[2\]Top"
keys q
expect "and quits" "EXITED=0"
e2e_stop

# Esc after a search jump outside the zoom: the graph of the old zoom, its root selected
# (the selection stayed outside it, sel_row() underflowed, and nothing was drawn)
e2e_start 80 24 "$smolder" "$ex/cpuwork-cpu.pb.gz"
keys j j j Enter
expect "zoomed into main.decodeRecords" "^main\.decodeRecords  2\.13 s"
keys / g c B g M a r k W o r k e r '$' Enter
expect "the search jumps outside the zoom" "runtime\.gcBgMarkWorker  self"
keys Escape
expect "Esc draws the old zoom again" "^main\.decodeRecords  2\.13 s"
expect "with its root selected" "^ main\.decodeRecords  self 0  total 2\.13 s \(23\.1% all, 100% zoomed\)"
keys q
e2e_stop

# the sandwich divider's self of a recursive function is its flat over every frame (15,
# as the top table and pprof say), not the self of its root-most frame (5)
printf 'main;f;g;f 10\nmain;f 5\nmain;h 3\n' > "$E2E_TMP/rec2.folded"
e2e_start 80 24 "$smolder" "$E2E_TMP/rec2.folded"
keys / '^' f '$' Enter 3
expect "the divider of recursive f says self 15" "── f  self 15  total 15 \(83\.3%\)"
keys q
e2e_stop

# a diff's "+N" cell: each side's total of the hidden frames (pprof: 100 ms base, 160 ms
# new), not the cell's width (their sum, 260 ms) as one value
e2e_start 100 10 $DIFF
expect "a diff at 100x10" "9\.24 s → 11\.9 s"
keys j l l
expect "·N in a diff says base → new" "6 narrow frames under all: base 100 ms \(1\.1%\) → new 160 ms \(1\.3%\)  \+0\.3 pp"
keys q
e2e_stop

# long names give way to the numbers: in the status line (the name was put first and the
# line cut at its end, self/total lost) and in the zoom root's label (its value was cut)
printf 'main;java/util/regex/Pattern$CharPropertyGreedy.match 7\nmain;other 3\n' > "$E2E_TMP/java.folded"
e2e_start 80 12 "$smolder" "$E2E_TMP/java.folded"
keys j j
expect "a Java name leaves the numbers whole at 80 columns" "^ [^ ]*match  self 7 \(70\.0%\)  total 7 \(70\.0% all\)"
keys q
e2e_stop
{ printf 'main;'; head -c 10000 /dev/zero | tr '\0' a; printf ' 5\nmain;other 3\n'; } > "$E2E_TMP/long.folded"
e2e_start 80 12 "$smolder" "$E2E_TMP/long.folded"
keys j j Enter
expect "a 10k-character name in the status line keeps the numbers" "^ a+…a+  self 5 \(62\.5%\)  total 5 \(62\.5% all, 100% zoomed\)"
expect "and the zoom root's label keeps its value" "^a+…a+  5 *│"
keys 2 j
expect "the top table's status line too" "^ other  self 3  total 3 . row 2 of 3"
keys k
expect "even for the long name" "^ a+…a+  self 5  total 5 . row 1 of 3"
keys q
e2e_stop

# top table headers over their columns: the labels' right edges on the numbers' (the
# total columns sat one cell left, the 3-byte ▼ padded nothing, the diff's 2 cells left)
e2e_start 80 10 "$smolder" "$ex/cpuwork-cpu.pb.gz"
keys 2
expect "plain header over its columns" "^      self▼    self%      total    total%  name\$"
expect "the row under it" "^    1\.55 s     16\.8%     1\.55 s     16\.8%  main\.scoreRecords"
keys s
expect "sorted by total: the marker in the gap" "^      self     self%      total▼   total%  name\$"
keys q
e2e_stop
e2e_start 80 10 $DIFF
keys 2
expect "diff header over its columns" "^      base%      new%    diff pp▼ name\$"
expect "the diff row under it" "^      16\.8%     38\.7%     \+21\.90  main\.scoreRecords"
keys q
e2e_stop

# f on a name that is not UTF-8: the quoted name was refused in PCRE2's UTF mode ("bad
# regex at offset 4: UTF-8 error"); now matched byte for byte
printf 'main;bad\xff\xfe\xc3utf 4\nmain;ok 3\n' > "$E2E_TMP/bad.folded"
e2e_start 80 10 "$smolder" "$E2E_TMP/bad.folded"
keys / b a d Enter f
expect "f on a name with invalid UTF-8 keeps its samples" "samples \(count\) . 4 of 7"
expect_not "and says no regex error" "bad regex"
keys q
e2e_stop

# f on a name whose exact pattern does not fit a filter (600+ bytes): the pattern was cut,
# losing its '$', and kept both …A and …B (40 of 45); it is refused with a message
x600=$(head -c 600 /dev/zero | tr '\0' x)
printf 'main;pkg.F%sA;leafA 10\nmain;pkg.F%sB;leafB 30\nmain;other 5\n' "$x600" "$x600" > "$E2E_TMP/longpfx.folded"
e2e_start 100 10 "$smolder" "$E2E_TMP/longpfx.folded"
keys / x A '$' Enter
expect "the …A frame is selected" "^ Fx+…x+A  self 0  total 10"
keys f
expect "f refuses a pattern longer than a filter" "focus: the pattern is 609 bytes, longer than the 511 a filter holds"
expect_not "and filters nothing" "of 45"
keys q
e2e_stop

# frames only on one side carry + / − (the diff reads without colour)
printf 'main;kept 10\nmain;gone 10\n' > "$E2E_TMP/d-base.folded"
printf 'main;kept 10\nmain;fresh 10\n' > "$E2E_TMP/d-new.folded"
e2e_start 80 12 env NO_COLOR=1 "$smolder" diff "$E2E_TMP/d-base.folded" "$E2E_TMP/d-new.folded"
expect "a frame only in new is marked +" "(^|│)\+fresh"
expect "one only in base is marked −" "(^|│)−gone"
expect_not "one in both is not" "\+kept"
keys q
e2e_stop

# SIGTERM ends the explorer through ncurses, which gives the terminal back (main catches
# SIGTERM for the verbs' cancel; the explorer hands it back, or it would ignore it)
e2e_start 80 24 "$smolder" "$ex/cpuwork-cpu.pb.gz"
expect "the explorer is up" "\[1\]Flame"
spid=$(pgrep -P "$(tm display -p -t e2e '#{pane_pid}')" | head -1)
kill -TERM "$spid"
expect "SIGTERM ends the explorer and restores the terminal" "^EXITED=1" 5
e2e_stop

e2e_done
