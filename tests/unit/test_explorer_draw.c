/*
 * test_explorer_draw.c — what the flame graph and the source pane draw, read back from an
 * off-screen terminal (offscreen.h) as a person sees it:
 *
 *  - a diff without colour: the cell of frames too narrow to draw reads "·N" and ends
 *    in a separator ("#N" and "|" when the terminal is not UTF-8); "+" marks only frames
 *    that are in the new profile alone (the "+N" cell read as a new frame, and ran into
 *    the next frame's name);
 *  - a UTF-8 terminal without colour separates every frame with "│" (frames 2-3 cells
 *    wide drew "|", wide ones "│");
 *  - the source pane without --source-path: "source_path . (default)", not "(flag)", and
 *    code not found says how to say where to look (:source_path=, :repo=);
 *  - the source pane of a diff: base, new and change per line, named, with pprof -list
 *    -diff_base's numbers;
 *  - 4 in lines granularity opens the line frame's function on its line; files and
 *    packages granularity say so one way on the pane, its status and the message line;
 *  - the heat gutter of line totals past INT64_MAX / 7: a half bar, a full bar;
 *  - `/` in the source pane: Esc and a pattern that does not compile put back the search
 *    in use, Up recalls it, an empty Enter repeats it;
 *  - a diff's top table: percentages and changes of pprof's totals, as `smolder diff`
 *    (a negative base value made them of the net sum); a huge change stays apart from
 *    the column before it, in a compact form.
 */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/units.h"
#include "offscreen.h"
#include "profile/builder.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "source/source.h"
#include "testutil.h"
#include "tui/tui_int.h"

/*
 * The explorer on p (taken), named source, a diff of a prof_pair() when diff, without
 * colour when mono, with the command line's source options so (borrowed, may be NULL).
 */
static struct tui_app *app_new(struct prof *p, const char *source, bool diff, bool mono,
			       const struct source_opts *so)
{
	struct tui_opts o;
	struct tui_app *a;

	memset(&o, 0, sizeof(o));
	o.sample_type = -1;
	o.source = source;
	o.diff = diff;
	o.base_source = diff ? "base" : NULL;
	o.no_color = mono;
	o.source_opts = so;
	if (tui_app_new(p, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	return a;
}

/* The explorer on p (taken), without colour when mono, a diff of a prof_pair() when diff. */
static struct tui_app *app_of(struct prof *p, bool diff, bool mono)
{
	return app_new(p, "test", diff, mono, NULL);
}

/* The diff of new_text against base_text (folded stacks), without colour. */
static struct tui_app *diff_app(const char *base_text, const char *new_text)
{
	struct prof *base = tu_decode_str(base_text), *cur = tu_decode_str(new_text), *pair;

	assert_int_equal(prof_pair(base, cur, &pair), 0);
	prof_free(base);
	prof_free(cur);
	return app_of(pair, true, true);
}

/* The first of the h lines of text holding s (a static buffer), or fails. */
static const char *line_with(const char *text, int h, const char *s)
{
	int y;

	for (y = 0; y < h; y++)
		if (strstr(screen_line(text, y), s))
			return screen_line(text, y);
	print_screen(text);
	fail_msg("no line with '%s'", s);
	return "";
}

static int count_char(const char *s, char ch)
{
	int n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* ------------------------------------------------------------------------------------ */
/* the flame graph without colour                                                         */

#define TINY "main;t0 1\nmain;t1 1\nmain;t2 1\nmain;t3 1\nmain;t4 1\n" \
	     "main;t5 1\nmain;t6 1\nmain;t7 1\nmain;t8 1\nmain;t9 1\n"

static void test_diff_narrow_cell_mono(void **state)
{
	/* block is in both, fresh only in the new profile, t0..t9 too narrow for a cell */
	struct tui_app *a = diff_app("main;block 50\n" TINY, "main;block 50\nmain;fresh 50\n" TINY);
	struct offscreen scr = screen_open(24, 80);
	const char *text, *row, *cell;

	(void)state;
	text = screen_text(a, &scr);
	row = line_with(text, scr.h, "block");
	/* the one "+" is fresh's; the narrow frames' cell is "…10" and a separator */
	assert_non_null(strstr(row, "+fresh"));
	cell = strstr(row, "\xc2\xb7" "10");
	if (cell)
		cell += strlen("\xc2\xb7" "10") + strspn(cell + 4, " ");
	if (count_char(row, '+') != 1 || !cell || strncmp(cell, "\xe2\x94\x82", 3) != 0) {
		print_screen(text);
		fail_msg("the narrow frames' cell reads as a new frame: '%s'", row);
	}
	assert_not_on_screen(text, "+block");
	screen_close(&scr);
	tui_app_free(a);
}

/* The same on a terminal that is not UTF-8: "#N" and "|" (".N" read as ".Decode"). */
static void test_diff_narrow_cell_ascii(void **state)
{
	struct tui_app *a;
	struct offscreen scr;
	const char *text, *row, *cell;

	(void)state;
	setlocale(LC_ALL, "C");
	a = diff_app("main;block 50\n" TINY, "main;block 50\nmain;fresh 50\n" TINY);
	scr = screen_open(24, 80);
	text = screen_text(a, &scr);
	setlocale(LC_ALL, "C.UTF-8");
	row = line_with(text, scr.h, "block");
	assert_non_null(strstr(row, "|+fresh"));
	cell = strstr(row, "|#10");
	if (count_char(row, '+') != 1 || !cell || cell[4 + strspn(cell + 4, " ")] != '|') {
		print_screen(text);
		fail_msg("the narrow frames' cell is not '#10' and a separator: '%s'", row);
	}
	assert_not_on_screen(text, "\xe2\x94\x82");
	screen_close(&scr);
	tui_app_free(a);
}

static void test_separators_mono_utf8(void **state)
{
	/* small is 2 cells wide at 80 columns: colour and a separator, no name */
	struct tui_app *a = app_of(tu_decode_str("main;big 100\nmain;small 3\n"), false, true);
	struct offscreen scr = screen_open(24, 80);
	const char *text, *row;

	(void)state;
	text = screen_text(a, &scr);
	row = line_with(text, scr.h, "big");
	assert_int_equal(count_char(row, '|'), 0);
	/* big's separator and small's */
	if (!strstr(row, "\xe2\x94\x82 \xe2\x94\x82") && !strstr(row, "\xe2\x94\x82\xe2\x94\x82")) {
		print_screen(text);
		fail_msg("small's cell has no '│' separator: '%s'", row);
	}
	assert_not_on_screen(text, "|");
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* the source pane                                                                        */

/* The explorer on p (taken) with the command line's source options so (borrowed). */
static struct tui_app *app_with_source(struct prof *p, const struct source_opts *so, bool diff)
{
	return app_new(p, "test", diff, false, so);
}

/* Opens function fn in the source pane, as 4 does, and draws it. */
static const char *source_of(struct tui_app *a, struct offscreen *scr, const char *fn)
{
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, fn)), 0);
	a->view = VIEW_SOURCE;
	return screen_text(a, scr);
}

/*
 * Without --source-path the command line looks in "." (pprof's default): the settings
 * line said "source_path . (flag)"; code not found said where it looked, not how to say
 * where to look.
 */
static void test_source_not_found_hint(void **state)
{
	struct source_opts so = { .source_path = ".", .offline = true };
	struct tui_app *a = app_with_source(tu_decode("go/cpuwork-cpu.pb.gz"), &so, false);
	struct offscreen scr = screen_open(24, 80);
	const char *text;

	(void)state;
	text = source_of(a, &scr, "main.scoreRecords");
	assert_on_screen(text, "no code");
	assert_on_screen(text, ":source_path=DIR or :repo=PATH|URL say where to look");
	assert_not_on_screen(text, "(flag)");
	screen_close(&scr);
	tui_app_free(a);
	/* wide enough for the whole settings line */
	a = app_with_source(tu_decode("go/cpuwork-cpu.pb.gz"), &so, false);
	scr = screen_open(24, 160);
	text = source_of(a, &scr, "main.scoreRecords");
	assert_on_screen(text, "source_path . (default)");
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * The source pane of a diff showed the new profile's numbers alone, unlabelled.  Each
 * line's total in the base and the new profile and the change, as `go tool pprof -list
 * main.scoreRecords -diff_base cpuwork-cpu.pb.gz cpuwork-cpu-after-scoreRecords-3x.pb.gz`
 * prints it (cum: +560ms on line 145, +2.46s on line 146; the routine +3.06s).
 */
static void test_source_diff_columns(void **state)
{
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct prof *base = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *cur = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz"), *pair;
	struct offscreen scr = screen_open(24, 80);
	struct tui_app *a;
	const char *text, *row;
	struct buf st = BUF_INIT;

	(void)state;
	assert_int_equal(prof_pair(base, cur, &pair), 0);
	prof_free(base);
	prof_free(cur);
	a = app_with_source(pair, &so, true);
	text = source_of(a, &scr, "main.scoreRecords");
	row = line_with(text, scr.h, " line  code");
	if (!strstr(row, "base") || !strstr(row, "new") || !strstr(row, "change")) {
		print_screen(text);
		fail_msg("the columns are not named: '%s'", row);
	}
	row = line_with(text, scr.h, "    146");
	if (!strstr(row, "1.27 s") || !strstr(row, "3.73 s") || !strstr(row, "+2.46 s")) {
		print_screen(text);
		fail_msg("line 146 is not base 1.27 s, new 3.73 s, +2.46 s: '%s'", row);
	}
	row = line_with(text, scr.h, "    145");
	if (!strstr(row, "270 ms") || !strstr(row, "830 ms") || !strstr(row, "+560 ms")) {
		print_screen(text);
		fail_msg("line 145 is not base 270 ms, new 830 ms, +560 ms: '%s'", row);
	}
	source_view_status(a, &st);
	assert_non_null(st.data);
	if (!strstr(st.data, "total 1.55 s \xe2\x86\x92 4.61 s (+3.06 s)") ||
	    !strstr(st.data, "self 1.27 s \xe2\x86\x92 3.72 s (+2.45 s)"))
		fail_msg("status: '%s'", st.data);
	buf_release(&st);
	screen_close(&scr);
	tui_app_free(a);
}

/* The string id of the function of p whose name starts with pre and ends with post. */
static uint32_t function_like(const struct prof *p, const char *pre, const char *post)
{
	uint32_t i;

	for (i = 0; i < p->nfunctions; i++) {
		const char *s = prof_str(p, p->functions[i].name);
		size_t n = strlen(s);

		if (strncmp(s, pre, strlen(pre)) == 0 && n >= strlen(post) &&
		    strcmp(s + n - strlen(post), post) == 0)
			return p->functions[i].name;
	}
	fail_msg("no function %s...%s", pre, post);
	return 0;
}

/*
 * 4 in lines granularity: the pane said "select a function ... and press 4", the status
 * line "no function chosen" and the message line "needs function granularity" (naming
 * the function open before, if any).  A line frame names its function and line: the
 * pane opens that function there; files and packages say one thing everywhere.
 */
static void test_source_in_lines_granularity(void **state)
{
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = app_with_source(tu_decode("go/cpuwork-cpu.pb.gz"), &so, false);
	struct offscreen scr = screen_open(24, 80);
	struct buf st = BUF_INIT;
	const char *text;
	uint32_t frame;

	(void)state;
	/* a function open before */
	text = source_of(a, &scr, "runtime.mallocgc");
	a->view = VIEW_FLAME;
	app_command(a, "granularity=lines");
	assert_int_equal(a->gran, GRAN_LINES);
	frame = function_like(a->prof, "main.scoreRecords ", ":145");
	assert_int_equal(source_view_set(a, frame), 0);
	a->view = VIEW_SOURCE;
	text = screen_text(a, &scr);
	assert_string_equal(a->src.fname, "main.scoreRecords");
	assert_int_equal(a->src.sel, 145);
	assert_not_on_screen(text, "needs function granularity");
	assert_not_on_screen(text, "select a function");
	assert_not_on_screen(text, "mallocgc");
	/* the function's numbers, as in function granularity: 1.55 s, 1.27 s on line 146 */
	source_view_status(a, &st);
	assert_non_null(st.data);
	if (!strstr(st.data, "main.scoreRecords  self 1.55 s  total 1.55 s") ||
	    !strstr(st.data, "line 145: self 270 ms total 270 ms"))
		fail_msg("status: '%s'", st.data);
	assert_on_screen(text, "1.27 s");
	buf_reset(&st);
	/* files: the pane, its status and 4 say the same, without the function kept */
	a->view = VIEW_FLAME;
	app_command(a, "granularity=files");
	a->view = VIEW_SOURCE;
	text = screen_text(a, &scr);
	assert_on_screen(text, "the source pane shows functions and lines, not files");
	assert_not_on_screen(text, "main.scoreRecords");
	source_view_status(a, &st);
	assert_string_equal(st.data, "the source pane shows functions and lines, not files "
			    "(:granularity=functions)");
	assert_int_not_equal(source_view_set(a, a->prof->functions[0].name), 0);
	assert_string_equal(err_last(), st.data);
	buf_release(&st);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * A profile of x.cc: Foo::bar (line 10, 7 samples), Foo::bar [clone .cold] (line 20, 100),
 * main.a\xffb (line 30, 3), each called from main (line 1).
 */
static struct prof *clone_profile(void)
{
	static const char *const names[] = { "main", "Foo::bar", "Foo::bar [clone .cold]",
					     "main.a\377b" };
	static const int64_t lines[] = { 1, 10, 20, 30 }, values[] = { 0, 7, 100, 3 };
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, file, nm, fn, loc[4], i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "x.cc", 4, &file), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pb_string(b, names[i], strlen(names[i]), &nm), 0);
		assert_int_equal(pb_function(b, &(struct prof_function){ nm, nm, file, lines[i] - 1 },
					     &fn), 0);
		assert_int_equal(pb_location(b, PROF_NONE, 0x10 * (i + 1),
					     &(struct prof_line){ fn, lines[i] }, 1, &loc[i]), 0);
	}
	for (i = 1; i < 4; i++) {
		uint32_t stack[2] = { loc[i], loc[0] };

		assert_int_equal(pb_sample(b, stack, 2, &values[i], NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	tu_check_invariants(p);
	return p;
}

/*
 * In lines granularity the pane shows the numbers of the line frame's function alone: it
 * picked frames by the regex ^name\  (the name quoted), so Foo::bar took in
 * "Foo::bar [clone .cold] x.cc:20" (self 107, not 7).  A name holding invalid UTF-8 is
 * found the same way, without a regex of its bytes.
 */
static void test_source_lines_granularity_exact_function(void **state)
{
	static const struct {
		const char *frame, *fname, *numbers;
	} cases[] = {
		{ "Foo::bar x.cc:10", "Foo::bar", "self 7  total 7" },
		{ "Foo::bar [clone .cold] x.cc:20", "Foo::bar [clone .cold]", "self 100  total 100" },
		{ "main.a\xff" "b x.cc:30", "main.a\xff" "b", "self 3  total 3" },
	};
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct tui_app *a = app_with_source(clone_profile(), &so, false);
	struct buf st = BUF_INIT;
	size_t i;

	(void)state;
	app_command(a, "granularity=lines");
	assert_int_equal(a->gran, GRAN_LINES);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t frame = prof_find_str(a->prof, cases[i].frame);

		assert_int_not_equal(frame, PROF_NONE);
		assert_int_equal(source_view_set(a, frame), 0);
		assert_string_equal(a->src.fname, cases[i].fname);
		buf_reset(&st);
		source_view_status(a, &st);
		if (!st.data || !strstr(st.data, cases[i].numbers))
			fail_msg("%s: status '%s', not %s", cases[i].fname, st.data ? st.data : "",
				 cases[i].numbers);
	}
	buf_release(&st);
	tui_app_free(a);
}

/*
 * At 80 columns a long path gives way to its file's name in the header (it showed
 * `/work/s…u.pb.gz`); a URL is shortened in the middle as before.
 */
static void test_header_file_name(void **state)
{
	static const char *const path = "/work/some/rather/deep/directory/of/profiles/"
					"taken/today/cpuwork-cpu.pb.gz";
	struct offscreen scr = screen_open(24, 80);
	struct tui_app *a = app_new(tu_decode_str("main;work 5\n"), path, false, false, NULL);

	(void)state;
	if (!strstr(screen_line(screen_text(a, &scr), 0), " cpuwork-cpu.pb.gz "))
		fail_msg("header: '%s'", screen_line(screen_text(a, &scr), 0));
	tui_app_free(a);
	screen_close(&scr);
}

/*
 * A profile of main.f in `name` (hugeline.go: in the source_path dir): v3 on line 3 and
 * vfar on line `far`.
 */
static struct prof *line_profile(const char *name, int64_t far, int64_t v3, int64_t vfar)
{
	const int64_t lines[] = { 3, 0 }, values[] = { v3, vfar };
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, file, nm, fn, loc, i;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, name, strlen(name), &file), 0);
	assert_int_equal(pb_string(b, "main.f", 6, &nm), 0);
	assert_int_equal(pb_function(b, &(struct prof_function){ nm, nm, file, 2 }, &fn), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pb_location(b, PROF_NONE, 0x10 * (i + 1),
					     &(struct prof_line){ fn, lines[i] ? lines[i] : far }, 1,
					     &loc), 0);
		assert_int_equal(pb_sample(b, &loc, 1, &values[i], NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	tu_check_invariants(p);
	return p;
}

/* line_profile() with 5 samples on line 3 and 7 on line `far`. */
static struct prof *far_line_profile(const char *name, int64_t far)
{
	return line_profile(name, far, 5, 7);
}

/* Writes code to hugeline.go in the scratch directory, whose name goes to dir. */
static const char *write_code(const char *code, char *dir, size_t n)
{
	FILE *f = fopen(tu_tmp_path("hugeline.go"), "w");

	assert_non_null(f);
	assert_int_equal(fwrite(code, 1, strlen(code), f), strlen(code));
	assert_int_equal(fclose(f), 0);
	snprintf(dir, n, "%s", tu_tmp_path("hugeline.go"));
	*strrchr(dir, '/') = '\0';
	return dir;
}

static void watchdog_fired(int sig)
{
	static const char m[] = "the source pane walked its rows one at a time: still busy "
				"after 5 s\n";

	(void)sig;
	if (write(STDERR_FILENO, m, sizeof(m) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Presses each key of s in turn, as a person types them. */
static void keys(struct tui_app *a, const char *s)
{
	for (; *s; s++)
		tui_app_key(a, (unsigned char)*s);
}

/*
 * A profile with a cost on line 10^12 of a 5-line file: ], [, n, N and a / search walked
 * the pane's rows (one per line up to 10^12) one at a time on the UI thread, so each took
 * up to hours (10^9: seconds) with Esc and q unread.  Now ] and [ go straight to the next
 * line with a cost and the searches read only the lines that have code.  A watchdog
 * turns a walk into a failure.
 */
static void test_source_far_line(void **state)
{
	static const char code[] = "package main\nfunc f() {\n\twork() // alpha\n"
				   "\twork() // beta\n}\n";
	const int64_t far = 1000000000000LL;
	const struct {
		const char *keys;
		int64_t sel;          /* the line selected after them */
		const char *message;  /* on the message line, or NULL: not checked */
	} steps[] = {
		{ "]", far, "no more lines with a cost" },
		{ "[", 3, NULL },
		{ "[", 3, "no more lines with a cost" },
		{ "]", far, NULL },
		/* from the far line: nothing after it, beta before it */
		{ "/beta\n", far, "no more matches" },
		{ "N", 4, NULL },
		{ "N", 4, "no more matches" },
		{ "g/zzzz\n", 1, "no more matches" },
		{ "/alpha\n", 3, NULL },
		{ "n", 3, "no more matches" },
		{ "G", far, NULL },
	};
	struct source_opts so = { .offline = true };
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a;
	const char *text;
	char dir[4096];
	size_t i;

	(void)state;
	so.source_path = write_code(code, dir, sizeof(dir));
	a = app_with_source(far_line_profile("hugeline.go", far), &so, false);
	signal(SIGALRM, watchdog_fired);
	alarm(5);
	text = source_of(a, &scr, "main.f");
	assert_true(a->src.have_code);
	assert_int_equal(a->src.sel, far); /* the hottest */
	assert_on_screen(text, "1000000000000");
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		keys(a, steps[i].keys);
		if (a->src.sel != steps[i].sel)
			fail_msg("'%s': line %lld, not %lld", steps[i].keys, (long long)a->src.sel,
				 (long long)steps[i].sel);
		if (steps[i].message && !strstr(a->message, steps[i].message))
			fail_msg("'%s': message '%s', not '%s'", steps[i].keys, a->message,
				 steps[i].message);
	}
	text = screen_text(a, &scr);
	assert_on_screen(text, "1000000000000");
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * A line past 2^32 has no code in a 5-line file: the pane took the code of the line its
 * number wrapped to in 32 bits (line 2^32 + 3 showed line 3's "work() // alpha").
 */
static void test_source_line_past_2_32(void **state)
{
	static const char code[] = "package main\nfunc f() {\n\twork() // alpha\n}\n";
	struct source_opts so = { .offline = true };
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a;
	const char *text;
	char dir[4096];

	(void)state;
	so.source_path = write_code(code, dir, sizeof(dir));
	a = app_with_source(far_line_profile("hugeline.go", 4294967299LL), &so, false);
	text = source_of(a, &scr, "main.f");
	assert_true(a->src.have_code);
	assert_int_equal(a->src.sel, 4294967299LL);
	/* rows 4294967291-4294967299 are shown: none has code */
	if (strstr(text, "alpha") || strstr(text, "package main")) {
		print_screen(text);
		fail_msg("lines past 2^32 show the code of lines 1-3");
	}
	keys(a, "/alpha\n");
	assert_int_equal(a->src.sel, 4294967299LL);
	tui_app_key(a, 'N');
	assert_int_equal(a->src.sel, 3);
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * `/` in the source pane puts back the search it found, as it does elsewhere: Esc while
 * typing kept what the typing had applied (n went on jumping between its matches), and
 * an Enter on a pattern that does not compile dropped the search in use.  Up recalls
 * it and an empty Enter repeats it, as in the other views.
 */
static void test_source_search_put_back(void **state)
{
	static const char code[] = "package main\nfunc f() {\n\twork() // alpha\n"
				   "\twork() // beta\n}\n";
	struct source_opts so = { .offline = true };
	struct tui_app *a;
	char dir[4096];

	(void)state;
	so.source_path = write_code(code, dir, sizeof(dir));
	a = app_with_source(far_line_profile("hugeline.go", 4), &so, false);
	assert_int_equal(source_view_set(a, prof_find_str(a->prof, "main.f")), 0);
	a->view = VIEW_SOURCE;
	assert_true(a->src.have_code);
	/* no search before: none after Esc */
	keys(a, "/work");
	assert_non_null(a->src.search.code);  /* incremental */
	tui_app_key(a, 27);
	assert_null(a->src.search.code);
	keys(a, "n");
	assert_non_null(strstr(a->message, "no search: / starts one"));
	/* a search before: Esc and a bad Enter put it back */
	keys(a, "g/alpha\n");
	assert_int_equal(a->src.sel, 3);
	keys(a, "/bet");
	tui_app_key(a, 27);
	assert_non_null(a->src.search.code);
	assert_string_equal(a->src.search.pattern, "alpha");
	keys(a, "/alp(\n");
	assert_non_null(strstr(a->message, "missing closing parenthesis"));
	assert_non_null(a->src.search.code);
	assert_string_equal(a->src.search.pattern, "alpha");
	/* Up recalls it; an empty Enter repeats it */
	keys(a, "/");
	tui_app_key(a, KEY_UP);
	assert_int_equal(a->prompt_len, 5);
	tui_app_key(a, 27);
	keys(a, "g/\n");
	assert_string_equal(a->src.search.pattern, "alpha");
	assert_int_equal(a->src.sel, 3);
	tui_app_free(a);
}

/*
 * The heat gutter of line totals near INT64_MAX (legal in a pprof or a push): its level,
 * 1 + total * 7 / the largest total, overflowed past 1.3e18, and the glyph was read from
 * before its table (UBSan: signed integer overflow; a plain build drew a stray string or
 * crashed).  1e18 of 2e18 is a half bar, 2e18 a full one.
 */
static void test_source_heat_huge_totals(void **state)
{
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a = app_with_source(line_profile("heat.go", 9, 1000000000000000000LL,
							 2000000000000000000LL), &so, false);
	const char *text;

	(void)state;
	text = source_of(a, &scr, "main.f");
	if (!strstr(line_with(text, scr.h, "      3  "), " \xe2\x96\x84      3  ") ||
	    !strstr(line_with(text, scr.h, "      9  "), " \xe2\x96\x88      9  ")) {
		print_screen(text);
		fail_msg("line 3 (half the hottest) is not a half bar, line 9 not a full one");
	}
	/* values wider than their columns still stand apart (they ran together) */
	{
		char v[UNITS_MAX], want[2 * UNITS_MAX + 4];

		units_format(v, sizeof(v), 2000000000000000000LL, "count");
		assert_true(strlen(v) >= 11);
		snprintf(want, sizeof(want), "%s %s ", v, v);
		if (!strstr(line_with(text, scr.h, "      9  "), want)) {
			print_screen(text);
			fail_msg("line 9 does not show '%s'", want);
		}
	}
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * The pane's header names the file as list's ROUTINE line and pprof do, trimmed of
 * Bazel's /proc/self/cwd/ and cleaned: it showed /proc/self/cwd/./pkg//hugeline.go.
 */
static void test_source_header_file_shown(void **state)
{
	struct source_opts so = { .source_path = "/nonexistent", .offline = true };
	struct offscreen scr = screen_open(24, 100);
	struct tui_app *a = app_with_source(far_line_profile("/proc/self/cwd/./pkg//hugeline.go",
							     9), &so, false);
	const char *line;

	(void)state;
	line = screen_line(source_of(a, &scr, "main.f"), 2);  /* under the breadcrumb */
	if (strncmp(line, " pkg/hugeline.go (no code: ", 27) != 0)
		fail_msg("header: '%s'", line);
	/* and the breadcrumb line above it, the view's title */
	line = screen_line(source_of(a, &scr, "main.f"), 1);
	if (!strstr(line, " pkg/hugeline.go") || strstr(line, "/proc/self/cwd"))
		fail_msg("title: '%s'", line);
	screen_close(&scr);
	tui_app_free(a);
	/* a function with lines but no file: no file shown, not Clean's "." */
	scr = screen_open(24, 100);
	a = app_with_source(far_line_profile("", 9), &so, false);
	line = screen_line(source_of(a, &scr, "main.f"), 1);
	if (strstr(line, " ."))
		fail_msg("title of no file: '%s'", line);
	line = screen_line(source_of(a, &scr, "main.f"), 2);
	if (line[0] == ' ' && line[1] == '.')
		fail_msg("header of no file: '%s'", line);
	screen_close(&scr);
	tui_app_free(a);
}

/* ------------------------------------------------------------------------------------ */
/* a diff's top table                                                                     */

/*
 * A base with a negative value: the table's percentages and changes are of pprof's
 * totals (magnitudes), as the flame graph's status and `smolder diff` have them; the
 * table used the net totals (b: 150.0%, +200.00 where the CLI says 37.5%, +87.50).
 */
static void test_diff_table_signed_base(void **state)
{
	struct tui_app *a = diff_app("main;a 10\nmain;b -6\n", "main;a 10\nmain;b 10\n");
	struct offscreen scr = screen_open(24, 80);
	const char *text;

	(void)state;
	tui_app_key(a, '2');
	text = screen_text(a, &scr);
	/* smolder diff sb.folded sn.folded: b 37.5% 50.0% +87.50, main 25.0% 100% +75.00,
	 * a 62.5% 50.0% -12.50 */
	if (!strstr(line_with(text, scr.h, "  b "), "37.5%     50.0%     +87.50  b") ||
	    !strstr(line_with(text, scr.h, "  main "), "25.0%      100%     +75.00  main") ||
	    !strstr(line_with(text, scr.h, "  a "), "62.5%     50.0%     -12.50  a")) {
		print_screen(text);
		fail_msg("the diff table's numbers are not smolder diff's");
	}
	tui_app_key(a, 'a');  /* absolute: +100.00 +100.00 +0.00, as smolder diff --absolute */
	text = screen_text(a, &scr);
	if (!strstr(line_with(text, scr.h, "  b "), "37.5%     50.0%   +100.00%  b") ||
	    !strstr(line_with(text, scr.h, "  main "), "25.0%      100%   +100.00%  main") ||
	    !strstr(line_with(text, scr.h, "  a "), "62.5%     50.0%     +0.00%  a")) {
		print_screen(text);
		fail_msg("the absolute diff table's numbers are not smolder diff --absolute's");
	}
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * A huge change keeps a space before it and a compact form: +10000000000500.00% ran
 * into the new% column ("100%+1000...").
 */
static void test_diff_table_huge_change(void **state)
{
	struct tui_app *a = diff_app("main;a 1\n", "main;a 1\nmain;b 100000000000\nmain;c 5\n");
	struct offscreen scr = screen_open(24, 80);
	const char *text, *row;

	(void)state;
	tui_app_key(a, 'a');
	tui_app_key(a, '2');
	text = screen_text(a, &scr);
	row = line_with(text, scr.h, "  main ");
	if (!strstr(row, "100%      100%  +1.0e+13%  main")) {
		print_screen(text);
		fail_msg("main's row: '%s'", row);
	}
	row = line_with(text, scr.h, "+b");
	if (!strstr(row, "0%      100%  +1.0e+13%  +b")) {
		print_screen(text);
		fail_msg("b's row: '%s'", row);
	}
	/* a change that fits keeps its two decimals */
	row = line_with(text, scr.h, "+c");
	if (!strstr(row, "0%    5e-09%   +500.00%  +c")) {
		print_screen(text);
		fail_msg("c's row: '%s'", row);
	}
	screen_close(&scr);
	tui_app_free(a);
}

/*
 * The top table's values wider than their columns stand apart: 3e18 samples ran into
 * the percentage before them ("50.0%3000000000G").
 */
static void test_top_table_huge_values(void **state)
{
	struct tui_app *a = app_of(tu_decode_str("main;foo 2000000000000000000\n"
						 "main;bar 1000000000000000000\n"
						 "main;foo;baz 3000000000000000000\n"), false, true);
	struct offscreen scr = screen_open(24, 80);
	const char *text, *row;
	char v[UNITS_MAX], want[2 * UNITS_MAX + 32];

	(void)state;
	tui_app_key(a, '2');
	text = screen_text(a, &scr);
	units_format(v, sizeof(v), 3000000000000000000LL, "count");
	assert_true(strlen(v) >= 11);
	snprintf(want, sizeof(want), "%s     50.0%% %s     50.0%%  baz", v, v);
	row = line_with(text, scr.h, "  baz");
	if (!strstr(row, want)) {
		print_screen(text);
		fail_msg("baz's row: '%s', not '%s'", row, want);
	}
	screen_close(&scr);
	tui_app_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_narrow_cell_mono),
		cmocka_unit_test(test_diff_narrow_cell_ascii),
		cmocka_unit_test(test_separators_mono_utf8),
		cmocka_unit_test(test_source_not_found_hint),
		cmocka_unit_test(test_source_diff_columns),
		cmocka_unit_test(test_source_in_lines_granularity),
		cmocka_unit_test(test_source_lines_granularity_exact_function),
		cmocka_unit_test(test_header_file_name),
		cmocka_unit_test(test_source_far_line),
		cmocka_unit_test(test_source_line_past_2_32),
		cmocka_unit_test(test_source_header_file_shown),
		cmocka_unit_test(test_source_heat_huge_totals),
		cmocka_unit_test(test_source_search_put_back),
		cmocka_unit_test(test_diff_table_signed_base),
		cmocka_unit_test(test_diff_table_huge_change),
		cmocka_unit_test(test_top_table_huge_values),
	};
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	tu_init(argc, argv);
	if (tu_tmp_create("explorer_draw"))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tu_tmp_remove();
	return rc;
}
