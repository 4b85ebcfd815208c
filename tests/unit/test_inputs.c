/*
 * test_inputs.c — the `perf script` and speedscope decoders, and format detection.
 *
 * perf: the real `perf script` of testdata/go's cpuwork (testdata/perf), checked against
 * figures this file computes from the text with a separate, naive scan (headers, periods,
 * leaf symbols), plus hand-written inputs for the header and frame shapes perf prints.
 * speedscope: the two speedscope files shipped with Grafana Pyroscope (read in place,
 * expected totals worked out by hand below), hand-written documents for units, files and
 * lines, and one broken document per rule.  Detection: every format next to the others,
 * including folded text that starts with '{' and every Go pprof fixture.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ingest/decode.h"

#define PERF_FIXTURE "perf/cpuwork.perfscript"
#define SPEEDSCOPE "pyroscope/grafana-pyroscope/pkg/og/convert/speedscope/testdata/"

static struct prof *decode_text(const char *text, const char *name)
{
	struct prof *p = tu_decode_bytes(text, strlen(text), name);

	tu_check_invariants(p);
	return p;
}

static int fails(const char *text, const char *name)
{
	return tu_decode_fails(text, strlen(text), name);
}

static enum decode_format detect(const char *text)
{
	return decode_detect((const uint8_t *)text, strlen(text));
}

/* The error message must mention `what`. */
static void fails_with(const char *text, int code, const char *what)
{
	assert_int_equal(fails(text, "in"), code);
	if (!strstr(err_last(), what))
		fail_msg("'%s' not in the message: %s", what, err_last());
}

/* The label `key` of sample i, or NULL. */
static const struct prof_label *label(const struct prof *p, uint32_t i, const char *key)
{
	const struct prof_sample *s = &p->samples[i];
	uint32_t j;

	for (j = 0; j < s->nlabels; j++)
		if (strcmp(prof_str(p, p->labels[s->label_off + j].key), key) == 0)
			return &p->labels[s->label_off + j];
	return NULL;
}

static const char *leaf_name(const struct prof *p, uint32_t i)
{
	const struct prof_sample *s = &p->samples[i];
	const struct prof_location *l;

	if (s->nlocs == 0)
		return "";
	l = &p->locations[p->sample_locs[s->loc_off]];
	return prof_str(p, p->functions[p->lines[l->line_off].func].name);
}

/* Flat of `name` in the top table of `type` (fails when absent). */
static int64_t flat(const struct prof *p, const char *type, const char *name)
{
	struct tree *t = NULL;
	struct top top;
	const struct top_row *r;
	int64_t v;

	tu_top(p, type, &t, &top);
	r = tu_top_row(&top, p, name);
	if (!r)
		fail_msg("no row '%s' in the top table of %s", name, type);
	v = r->flat;
	top_release(&top);
	tree_free(t);
	return v;
}

static int64_t total(const struct prof *p, const char *type)
{
	return prof_total(p, (uint32_t)tu_type(p, type));
}

/* ---- perf script ---- */

struct leaf_count {
	char name[256];
	int64_t n;
};

/*
 * The naive scan: a header is a non-empty line not starting with a tab; its period is
 * the number before "cpu-clock:ppp:"; the leaf is the second field of the first tab line
 * after it, cut at "+0x".
 */
static void scan_perf(const struct buf *b, int64_t *headers, int64_t *periods,
		      struct leaf_count *top)
{
	static struct leaf_count counts[4096];
	size_t ncounts = 0, i;
	const char *p = b->data, *end = b->data + b->len;
	bool want_leaf = false;

	*headers = *periods = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[4096], sym[256];

		if (n >= sizeof(line)) {
			fail_msg("%s", "fixture line too long for the scan");
			return;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + 1;
		if (n && line[0] != '\t') {
			char *ev = strstr(line, " cpu-clock:ppp:");

			assert_non_null(ev);
			while (ev > line && ev[-1] == ' ')
				ev--;
			while (ev > line && ev[-1] >= '0' && ev[-1] <= '9')
				ev--;
			*periods += atoll(ev);
			++*headers;
			want_leaf = true;
		} else if (n && want_leaf) {
			char *plus;

			assert_int_equal(sscanf(line, "%*s %255s", sym), 1);
			if ((plus = strstr(sym, "+0x")))
				*plus = '\0';
			for (i = 0; i < ncounts && strcmp(counts[i].name, sym); i++)
				;
			if (i == ncounts) {
				assert_true(ncounts < sizeof(counts) / sizeof(counts[0]));
				snprintf(counts[ncounts++].name, sizeof(counts[0].name), "%s", sym);
			}
			counts[i].n++;
			want_leaf = false;
		}
	}
	*top = counts[0];
	for (i = 1; i < ncounts; i++)
		if (counts[i].n > top->n)
			*top = counts[i];
}

static void test_perf_fixture(void **state)
{
	struct buf b = BUF_INIT;
	struct leaf_count leaf;
	int64_t headers, periods, leaf_samples = 0;
	struct prof *p;
	uint32_t i, m;

	(void)state;
	tu_read(PERF_FIXTURE, &b);
	scan_perf(&b, &headers, &periods, &leaf);
	/* figures checked once by hand: grep -c $'^[^\t]' → 7676, all 250000 ns, ... */
	tu_assert_i64(headers, 7676);
	tu_assert_i64(periods, 7676LL * 250000);
	assert_string_equal(leaf.name, "main.scoreRecords");
	tu_assert_i64(leaf.n, 1271);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_PERF);

	p = tu_decode(PERF_FIXTURE);
	tu_check_invariants(p);
	tu_assert_i64(p->nsamples, headers);
	assert_string_equal(tu_types(p), "samples/count cpu-clock/nanoseconds");
	assert_string_equal(prof_str(p, p->sample_types[p->default_type].type), "cpu-clock");
	tu_assert_i64(total(p, "samples"), headers);
	tu_assert_i64(total(p, "cpu-clock"), periods);
	/* the same top function and flat, by the decoder and by the scan */
	tu_assert_i64(flat(p, "samples", leaf.name), leaf.n);
	tu_assert_i64(flat(p, "cpu-clock", leaf.name), leaf.n * 250000);
	for (i = 0; i < p->nsamples; i++)
		leaf_samples += strcmp(leaf_name(p, i), leaf.name) == 0;
	tu_assert_i64(leaf_samples, leaf.n);
	/* offsets stripped; unknown symbols named */
	for (i = 0; i < p->nfunctions; i++) {
		const char *n = prof_str(p, p->functions[i].name);

		if (strstr(n, "+0x"))
			fail_msg("function '%s' keeps its offset", n);
	}
	assert_true(tu_has_function(p, "[unknown]"));
	assert_true(tu_has_function(p, "__vdso_clock_gettime"));
	assert_true(tu_has_function(p, "_raw_spin_unlock_irq"));
	assert_false(tu_has_function(p, "[[unknown]]"));
	/* dsos are mappings; "[unknown]" is not one */
	for (m = 0; m < p->nmappings; m++)
		assert_string_not_equal(prof_str(p, p->mappings[m].file), "[unknown]");
	assert_int_equal(p->nmappings, 3); /* the binary, [kernel.kallsyms], [vdso] */
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_location *l = &p->locations[i];
		const char *fn = prof_str(p, p->functions[p->lines[l->line_off].func].name);

		if (strcmp(fn, "main.scoreRecords") == 0)
			assert_string_equal(prof_str(p, p->mappings[l->mapping].file),
					    "/tmp/corpus-bin/cpuwork");
	}
	/* the process is a label, not a frame */
	assert_false(tu_has_function(p, "cpuwork"));
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_label *c = label(p, i, "comm"), *t = label(p, i, "tid");

		assert_non_null(c);
		assert_non_null(t);
		assert_string_equal(prof_str(p, c->str), "cpuwork");
		assert_true(t->num >= 26659 && t->num <= 26700);
		assert_null(label(p, i, "pid")); /* the header has the thread id only */
	}
	tu_assert_i64(label(p, 0, "tid")->num, 26659);
	/* first and last timestamps: 1298.967650 .. the last header's */
	assert_true(p->duration_nanos > 0 && p->duration_nanos < 10 * 1000000000LL);
	prof_free(p);
	buf_release(&b);
}

/* A truncated excerpt ends mid-stack: still one sample per header. */
static void test_perf_excerpt(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t cut = 100000;

	(void)state;
	tu_read(PERF_FIXTURE, &b);
	assert_true(b.len > cut);
	while (b.data[cut] != '\n' || b.data[cut + 1] != '\t')
		cut++;
	b.len = cut; /* the last line is a frame line of an unfinished sample */
	p = tu_decode_bytes(b.data, b.len, "excerpt");
	tu_check_invariants(p);
	{
		int64_t headers = 0;
		size_t i;

		for (i = 0; i < b.len; i++)
			headers += (i == 0 || b.data[i - 1] == '\n') && b.data[i] != '\t' &&
				   b.data[i] != '\n';
		tu_assert_i64(p->nsamples, headers);
	}
	prof_free(p);
	buf_release(&b);
}

static const char perf_shapes[] =
	"# ========\n"
	"# captured on    : Thu Jan  1 00:00:00 2025\n"
	"# ========\n"
	"#\n"
	"V8 WorkerThread 24636/25607 [000] 94564.109216:     100 cycles:u: \n"
	"\t    7f0000001000 v8::internal::Foo(int, char const*)+0x1c "
	"(/usr/lib/libv8.so (deleted))\n"
	"\t    7f0000002000 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\t             b46 __vdso_clock_gettime+0x56 ([vdso])\n"
	"\t    7f0000003000 [unknown] ([unknown])\n"
	"\t            4000 main (/bin/app)\n"
	"\r\n"
	"pool 2 7 [001] 94564.200000:     300 cycles:u: \r\n"
	"\t            4000 main (/bin/app)\r\n"
	"\t  main.c:12\r\n"
	"\r\n"
	"pool 2 7 [001] 94564.300000: instructions: \n"
	"\t            4001 main+0x1 (/bin/app)\n"
	"\n"
	"idle 8 94565.109216: 5 cycles:u: \n"
	"\n";

static void test_perf_shapes(void **state)
{
	struct prof *p = decode_text(perf_shapes, "shapes");
	uint32_t i;

	(void)state;
	assert_int_equal(p->nsamples, 4);
	/* instructions has no period: count of samples; cycles:u → cycles */
	assert_string_equal(tu_types(p), "samples/count cycles/count instructions/count");
	assert_string_equal(prof_str(p, p->sample_types[p->default_type].type), "cycles");
	tu_assert_i64(total(p, "samples"), 4);
	tu_assert_i64(total(p, "cycles"), 100 + 300 + 5);
	tu_assert_i64(total(p, "instructions"), 1);
	tu_assert_i64(flat(p, "cycles", "v8::internal::Foo(int, char const*)"), 100);
	tu_assert_i64(flat(p, "cycles", "main"), 300);
	tu_assert_i64(flat(p, "instructions", "main"), 1);
	assert_true(tu_has_function(p, "[libc.so.6]"));
	assert_true(tu_has_function(p, "[unknown]"));
	assert_true(tu_has_function(p, "__vdso_clock_gettime"));
	/* labels: comm with spaces and digits, pid/tid */
	assert_string_equal(prof_str(p, label(p, 0, "comm")->str), "V8 WorkerThread");
	tu_assert_i64(label(p, 0, "pid")->num, 24636);
	tu_assert_i64(label(p, 0, "tid")->num, 25607);
	assert_string_equal(prof_str(p, label(p, 1, "comm")->str), "pool 2");
	tu_assert_i64(label(p, 1, "tid")->num, 7);
	assert_null(label(p, 1, "pid"));
	/* the idle sample has no call chain: its value stays on the root */
	assert_int_equal(p->samples[3].nlocs, 0);
	/* the dso with "(deleted)" in it is the mapping, whole */
	for (i = 0; i < p->nmappings; i++)
		if (strstr(prof_str(p, p->mappings[i].file), "libv8"))
			break;
	assert_true(i < p->nmappings);
	assert_string_equal(prof_str(p, p->mappings[i].file), "/usr/lib/libv8.so (deleted)");
	/* main and main+0x1 are one function at two addresses */
	tu_assert_i64(flat(p, "samples", "main"), 2);
	tu_assert_i64(p->duration_nanos, 94565109216000LL - 94564109216000LL);
	prof_free(p);
}

/* Without -g: the comm is padded and the frame follows the event; no blank lines. */
static void test_perf_without_callchains(void **state)
{
	struct prof *p = decode_text(
		"            perf  1234 [000]  100.000001:    1000 cycles:  ffffffff81001234 "
		"native_safe_halt+0x6 ([kernel.kallsyms])\n"
		"         swapper     0 [001]  100.000002:    3000 cycles:  7f00 [unknown] "
		"(/usr/lib/libc.so.6)\n"
		"             :-1    -1/-1 [002]  100.000003:     500 cycles:  ffffffff81001234 "
		"native_safe_halt+0x6 ([kernel.kallsyms])\n",
		"nog");

	(void)state;
	assert_int_equal(p->nsamples, 3);
	tu_assert_i64(flat(p, "cycles", "native_safe_halt"), 1500);
	tu_assert_i64(flat(p, "cycles", "[libc.so.6]"), 3000);
	assert_string_equal(prof_str(p, label(p, 1, "comm")->str), "swapper");
	tu_assert_i64(label(p, 1, "tid")->num, 0);
	/* perf's unknown thread */
	assert_string_equal(prof_str(p, label(p, 2, "comm")->str), ":-1");
	tu_assert_i64(label(p, 2, "pid")->num, -1);
	tu_assert_i64(label(p, 2, "tid")->num, -1);
	prof_free(p);
}

/* Events that differ only in modifiers keep their full names; clocks are nanoseconds. */
static void test_perf_events(void **state)
{
	struct prof *p = decode_text("a 1 1.0: 10 cycles:u:\n\t1 f (/x)\n\n"
				     "a 1 1.5: 20 cycles:k:\n\t2 g (/x)\n\n"
				     "a 1 2.0: 30 task-clock:\n\t1 f (/x)\n\n"
				     "a 1 2.5: sched:sched_switch: prev_comm=a prev_pid=1\n"
				     "\t3 h (/x)\n",
				     "events");

	(void)state;
	assert_string_equal(tu_types(p), "samples/count cycles:u/count cycles:k/count "
					 "task-clock/nanoseconds sched:sched_switch/count");
	tu_assert_i64(total(p, "cycles:u"), 10);
	tu_assert_i64(total(p, "cycles:k"), 20);
	tu_assert_i64(total(p, "task-clock"), 30);
	tu_assert_i64(total(p, "sched:sched_switch"), 1);
	tu_assert_i64(flat(p, "task-clock", "f"), 30);
	tu_assert_i64(flat(p, "sched:sched_switch", "h"), 1);
	tu_assert_i64(flat(p, "cycles:k", "g"), 20);
	tu_assert_i64(flat(p, "cycles:u", "f"), 10);
	prof_free(p);
}

/* The location of sample i's frame k (leaf first). */
static const struct prof_location *frame_loc(const struct prof *p, uint32_t i, uint32_t k)
{
	assert_true(k < p->samples[i].nlocs);
	return &p->locations[p->sample_locs[p->samples[i].loc_off + k]];
}

static const char *line_func(const struct prof *p, const struct prof_location *l, uint32_t k)
{
	assert_true(k < l->nlines);
	return prof_str(p, p->functions[p->lines[l->line_off + k].func].name);
}

/*
 * perf script --inline: an inlined function is a frame of its own, "(inlined)" where the
 * dso would be, printed before the function it is inlined into at the same address.
 * Together they are one location with a line per function, innermost first (as pprof
 * keeps inline frames); "inlined" is never a mapping.
 */
static void test_perf_inlined(void **state)
{
	static const char text[] =
		"app 10 1.0: 100 cycles:\n"
		"\t          4005d6 inner+0x6 (inlined)\n"
		"\t          4005d6 middle+0x6 (inlined)\n"
		"\t          4005d6 main+0x16 (/bin/app)\n"
		"\t          400100 _start (/bin/app)\n"
		"\n"
		"app 10 1.1: 30 cycles:\n"
		"\t          4005d6 inner+0x6 (inlined)\n"
		"\t          4005d6 middle+0x6 (inlined)\n"
		"\t          4005d6 main+0x16 (/bin/app)\n"
		"\t          400100 _start (/bin/app)\n"
		"\n"
		/* a chain cut short: the inlined frame has no frame to belong to */
		"app 10 1.2: 5 cycles:\n"
		"\t          4005e0 inner+0x10 (inlined)\n"
		"\t          400100 _start (/bin/app)\n"
		"\n";
	struct prof *p;
	const struct prof_location *l;
	uint32_t i;

	(void)state;
	assert_int_equal(detect(text), DECODE_PERF);
	p = decode_text(text, "inlined");
	assert_int_equal(p->nsamples, 3);
	for (i = 0; i < p->nmappings; i++)
		assert_string_not_equal(prof_str(p, p->mappings[i].file), "inlined");
	assert_int_equal(p->nmappings, 1);
	/* one location of three lines, innermost first, in main's mapping */
	assert_int_equal(p->samples[0].nlocs, 2);
	l = frame_loc(p, 0, 0);
	assert_int_equal(l->nlines, 3);
	assert_string_equal(line_func(p, l, 0), "inner");
	assert_string_equal(line_func(p, l, 1), "middle");
	assert_string_equal(line_func(p, l, 2), "main");
	tu_assert_i64((int64_t)l->address, 0x4005d6);
	assert_string_equal(prof_str(p, p->mappings[l->mapping].file), "/bin/app");
	/* the same chain again is the same location */
	assert_ptr_equal(frame_loc(p, 1, 0), l);
	assert_string_equal(line_func(p, frame_loc(p, 0, 1), 0), "_start");
	/* the cut chain: inner alone, without a mapping */
	assert_int_equal(p->samples[2].nlocs, 2);
	l = frame_loc(p, 2, 0);
	assert_int_equal(l->nlines, 1);
	assert_string_equal(line_func(p, l, 0), "inner");
	assert_int_equal(l->mapping, PROF_NONE);
	/* the views see inner as the leaf, main and middle as its callers */
	tu_assert_i64(flat(p, "cycles", "inner"), 135);
	tu_assert_i64(flat(p, "cycles", "middle"), 0);
	tu_assert_i64(flat(p, "cycles", "main"), 0);
	assert_int_equal(p->nlocations, 3);
	prof_free(p);
}

static const char *line_file(const struct prof *p, const struct prof_location *l, uint32_t k)
{
	assert_true(k < l->nlines);
	return prof_str(p, p->functions[p->lines[l->line_off + k].func].file);
}

static int64_t line_no(const struct prof *p, const struct prof_location *l, uint32_t k)
{
	assert_true(k < l->nlines);
	return p->lines[l->line_off + k].line;
}

/*
 * perf script -F +srcline: after a frame, a line of two blanks and its source line
 * (perf's map__fprintf_srcline), " (inlined)" after it for an inlined function printed
 * without a dso.  "file:line" gives the frame's file and line; perf prints the address's
 * line (the innermost function's) after each frame at that address, so a frame it is
 * inlined into gets none; a srcline without a line number is read and ignored.  Only the
 * line right after a frame is a srcline.
 */
static void test_perf_srcline(void **state)
{
	static const char text[] =
		"app 10 1.0: 100 cycles:\n"
		"\t          4005d6 inner+0x6\n"
		"  inner.h:12 (inlined)\n"
		"\t          4005d6 main+0x16 (/bin/app)\n"
		"  inner.h:12\n"
		"\t          400100 _start (/bin/app)\n"
		"  /src/start.S:120\n"
		"\t    7f0000002000 [unknown] (/lib/libc.so.6)\n"
		"  libc.so.6[2000]\n"
		"\n"
		"app 10 1.1: 30 cycles:\n"
		"\t          400200 work (/bin/app)\n"
		"  /src/my dir/work.c:7\n"
		"\t          400100 _start (/bin/app)\n"
		"  /src/start.S:120\n"
		"\n";
	/* without -g: after the frame the header ends with; padded headers are headers */
	static const char nog[] =
		"             app    10 [000]  1.0:    100 cycles:  400200 work (/bin/app)\n"
		"  /src/work.c:7\n"
		"  kworker/u16:3    11 [001]  1.1:     50 cycles:  400300 idle (/bin/app)\n"
		"  kworker/u16:3    11 [001]  1.2:     50 cycles:  400300 idle (/bin/app)\n"
		"  /src/idle.c:3\n";
	struct prof *p;
	const struct prof_location *l;

	(void)state;
	assert_int_equal(detect(text), DECODE_PERF);
	p = decode_text(text, "srcline");
	assert_int_equal(p->nsamples, 2);
	assert_int_equal(p->samples[0].nlocs, 3);
	l = frame_loc(p, 0, 0);
	assert_int_equal(l->nlines, 2);
	assert_string_equal(line_func(p, l, 0), "inner");
	assert_string_equal(line_file(p, l, 0), "inner.h");
	tu_assert_i64(line_no(p, l, 0), 12);
	assert_string_equal(line_func(p, l, 1), "main");
	assert_string_equal(line_file(p, l, 1), "");
	tu_assert_i64(line_no(p, l, 1), 0);
	assert_string_equal(prof_str(p, p->mappings[l->mapping].file), "/bin/app");
	l = frame_loc(p, 0, 1);
	assert_string_equal(line_file(p, l, 0), "/src/start.S");
	tu_assert_i64(line_no(p, l, 0), 120);
	assert_ptr_equal(frame_loc(p, 1, 1), l);
	assert_true(frame_loc(p, 0, 2)->unsymbolized);
	l = frame_loc(p, 1, 0);
	assert_string_equal(line_func(p, l, 0), "work");
	assert_string_equal(line_file(p, l, 0), "/src/my dir/work.c");
	tu_assert_i64(line_no(p, l, 0), 7);
	tu_assert_i64(flat(p, "cycles", "inner"), 100);
	tu_assert_i64(flat(p, "cycles", "work"), 30);
	prof_free(p);

	assert_int_equal(detect(nog), DECODE_PERF);
	p = decode_text(nog, "nog");
	assert_int_equal(p->nsamples, 3);
	l = frame_loc(p, 0, 0);
	assert_string_equal(line_file(p, l, 0), "/src/work.c");
	tu_assert_i64(line_no(p, l, 0), 7);
	assert_string_equal(prof_str(p, label(p, 1, "comm")->str), "kworker/u16:3");
	assert_string_equal(line_file(p, frame_loc(p, 1, 0), 0), "");
	assert_string_equal(line_file(p, frame_loc(p, 2, 0), 0), "/src/idle.c");
	tu_assert_i64(flat(p, "cycles", "idle"), 100);
	prof_free(p);

	/* one srcline per frame; none after a header without a frame, or a blank line */
	fails_with("a 1 1.0: 10 cycles:\n\t1 f (/x)\n  f.c:1\n  f.c:2\n", ERR_PARSE, "line 4");
	fails_with("a 1 1.0: 10 cycles:\n\t1 f (/x)\n\na 1 1.1: 10 cycles:\n  f.c:1\n",
		   ERR_PARSE, "line 5");
	fails_with("a 1 1.0: 10 cycles:\n\t1 f (/x)\n\n  f.c:1\n", ERR_PARSE, "line 4");
}

static void test_perf_errors(void **state)
{
	static const char head[] = "a 1 1.0: 10 cycles:\n";
	struct buf b = BUF_INIT;
	struct prof *p = NULL;
	int i;

	(void)state;
	/* a later line that is neither header nor frame */
	fails_with("a 1 1.0: 10 cycles:\n\t1 f (/x)\n\nthis is not a header\n", ERR_PARSE,
		   "line 4");
	/* a call chain after a blank line, without its header */
	fails_with("a 1 1.0: 10 cycles:\n\t1 f (/x)\n\n\t2 g (/x)\n", ERR_PARSE, "line 4");
	/* deeper than 65536 frames */
	buf_add(&b, head, strlen(head));
	for (i = 0; i < 65537; i++)
		buf_add(&b, "\t1 f (/x)\n", 10);
	assert_int_equal(tu_decode_fails(b.data, b.len, "deep"), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "deeper"));
	/* more than 64 events */
	buf_reset(&b);
	for (i = 0; i < 65; i++)
		buf_printf(&b, "a 1 1.0: 1 e%d:\n\t1 f (/x)\n\n", i);
	assert_int_equal(tu_decode_fails(b.data, b.len, "events"), ERR_TOOBIG);
	/* the decoder on its own, on text that is not perf script */
	assert_int_equal(perf_decode("main;foo 3\n", 11, &p), ERR_PARSE);
	assert_null(p);
	tu_assert_message(err_last());
	assert_int_equal(perf_decode("\n\n# x\n", 6, &p), ERR_PARSE);
	assert_null(p);
	buf_release(&b);
}

/* ---- speedscope ---- */

/*
 * simple.speedscope.json, one evented profile, unit none, frames a b c d:
 *   0..2  a;b;c  2   (c closes at 2, d opens at 2)
 *   2..6  a;b;d  4
 *   6..9  a;b;c  3
 *   9..14 a;b    5   (b and a close at 14)
 * total 2+4+3+5 = 14; flat c = 2+3 = 5, d = 4, b = 5, a = 0.
 */
static void test_speedscope_evented(void **state)
{
	struct prof *p = tu_decode(SPEEDSCOPE "simple.speedscope.json");
	uint32_t i;

	(void)state;
	tu_check_invariants(p);
	assert_string_equal(tu_types(p), "samples/count");
	tu_assert_i64(total(p, "samples"), 14);
	tu_assert_i64(flat(p, "samples", "c"), 5);
	tu_assert_i64(flat(p, "samples", "d"), 4);
	tu_assert_i64(flat(p, "samples", "b"), 5);
	tu_assert_i64(flat(p, "samples", "a"), 0);
	assert_int_equal(p->nsamples, 4); /* zero-length intervals are no samples */
	for (i = 0; i < p->nsamples; i++)
		assert_string_equal(prof_str(p, label(p, i, "profile")->str), "simple.txt");
	prof_free(p);
}

/*
 * two-sampled.speedscope.json: profiles "one" and "two", unit seconds, each with the
 * samples a;b;c a;b;c a;b;d a;b;c a;b weighing 1 1 4 3 5:
 *   per profile 1+1+4+3+5 = 14 s, so 28 s = 28e9 ns merged;
 *   flat c = (1+1+3) × 2 = 10 s, d = 4 × 2 = 8 s, b = 5 × 2 = 10 s, a = 0.
 */
static void test_speedscope_sampled(void **state)
{
	struct prof *p = tu_decode(SPEEDSCOPE "two-sampled.speedscope.json");
	int64_t one = 0, two = 0;
	uint32_t i;

	(void)state;
	tu_check_invariants(p);
	assert_string_equal(tu_types(p), "cpu/nanoseconds");
	assert_int_equal(p->nsamples, 10);
	tu_assert_i64(total(p, "cpu"), 28000000000LL);
	tu_assert_i64(flat(p, "cpu", "c"), 10000000000LL);
	tu_assert_i64(flat(p, "cpu", "d"), 8000000000LL);
	tu_assert_i64(flat(p, "cpu", "b"), 10000000000LL);
	tu_assert_i64(flat(p, "cpu", "a"), 0);
	for (i = 0; i < p->nsamples; i++) {
		const char *name = prof_str(p, label(p, i, "profile")->str);

		if (strcmp(name, "one") == 0)
			one += prof_value(p, i, 0);
		else if (strcmp(name, "two") == 0)
			two += prof_value(p, i, 0);
		else
			fail_msg("unexpected profile label '%s'", name);
	}
	tu_assert_i64(one, 14000000000LL);
	tu_assert_i64(two, 14000000000LL);
	prof_free(p);
}

#define SS_HEAD "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","

static void test_speedscope_shapes(void **state)
{
	struct prof *p;
	uint32_t i;
	bool seen = false;

	(void)state;
	/* a BOM; files and lines; fractional milliseconds; an empty stack; root first */
	p = decode_text("\xef\xbb\xbf\n " SS_HEAD
			"\"shared\":{\"frames\":["
			"{\"name\":\"main\",\"file\":\"main.go\",\"line\":7},"
			"{\"name\":\"work\",\"file\":\"work.go\",\"line\":42,\"col\":3},"
			"{\"name\":\"we\\u001b[1mird\\u0000\"}]},"
			"\"profiles\":[{\"type\":\"sampled\",\"name\":\"p\","
			"\"unit\":\"milliseconds\","
			"\"startValue\":0,\"endValue\":3,"
			"\"samples\":[[0,1],[0],[],[0,1,2]],\"weights\":[1.5,0.25,2,0.000001]}]}",
			"shapes");
	assert_string_equal(tu_types(p), "cpu/nanoseconds");
	tu_assert_i64(total(p, "cpu"), 1500000 + 250000 + 2000000 + 1);
	tu_assert_i64(flat(p, "cpu", "work"), 1500000);
	tu_assert_i64(flat(p, "cpu", "main"), 250000);
	tu_assert_i64(p->samples[2].nlocs, 0);
	assert_int_equal(p->samples[0].nlocs, 2);
	assert_string_equal(leaf_name(p, 0), "work");
	for (i = 0; i < p->nlocations; i++) {
		const struct prof_line *l = &p->lines[p->locations[i].line_off];
		const struct prof_function *f = &p->functions[l->func];

		if (strcmp(prof_str(p, f->name), "work") == 0) {
			assert_string_equal(prof_str(p, f->file), "work.go");
			tu_assert_i64(l->line, 42);
			seen = true;
		}
	}
	assert_true(seen);
	/* the NUL byte and the escape survive in the name */
	seen = false;
	for (i = 0; i < p->nfunctions; i++)
		if (prof_strlen(p, p->functions[i].name) == 10) {
			assert_memory_equal(prof_str(p, p->functions[i].name), "we\x1b[1mird\0",
					    10);
			seen = true;
		}
	assert_true(seen);
	prof_free(p);

	/* frames that differ only in line share one function, with a location per line */
	p = decode_text(SS_HEAD "\"shared\":{\"frames\":[{\"name\":\"f\",\"file\":\"a.c\","
			"\"line\":1},{\"name\":\"f\",\"file\":\"a.c\",\"line\":2},"
			"{\"name\":\"f\",\"file\":\"b.c\",\"line\":2}]},\"profiles\":[{\"type\":"
			"\"sampled\",\"unit\":\"none\",\"samples\":[[0],[1],[2]],"
			"\"weights\":[1,2,4]}]}",
			"lines");
	assert_int_equal(p->nfunctions, 2);
	assert_int_equal(p->nlocations, 3);
	tu_assert_i64(flat(p, "samples", "f"), 7);
	prof_free(p);

	/* bytes; a profile without a name is labelled by its index */
	p = decode_text(SS_HEAD "\"shared\":{\"frames\":[{\"name\":\"f\"},{\"name\":\"g\"}]},"
			"\"profiles\":[{\"type\":\"sampled\",\"name\":\"\",\"unit\":\"bytes\","
			"\"samples\":[[0,1]],\"weights\":[4096]}]}",
			"bytes");
	assert_string_equal(tu_types(p), "space/bytes");
	tu_assert_i64(flat(p, "space", "g"), 4096);
	assert_string_equal(prof_str(p, label(p, 0, "profile")->str), "0");
	prof_free(p);

	/* evented µs: f 0..10 with g 2..5; times converted to ns */
	p = decode_text(SS_HEAD "\"shared\":{\"frames\":[{\"name\":\"f\"},{\"name\":\"g\"}]},"
			"\"profiles\":[{\"type\":\"evented\",\"name\":\"e\","
			"\"unit\":\"microseconds\","
			"\"startValue\":0,\"endValue\":10,\"events\":["
			"{\"type\":\"O\",\"frame\":0,\"at\":0},"
			"{\"type\":\"O\",\"frame\":1,\"at\":2},"
			"{\"type\":\"C\",\"frame\":1,\"at\":5},"
			"{\"type\":\"C\",\"frame\":0,\"at\":10}]},"
			"{\"type\":\"sampled\",\"name\":\"s\",\"unit\":\"seconds\","
			"\"samples\":[[1]],\"weights\":[1]}]}",
			"evented");
	/* f self = 2 + 5 µs; g = 3 µs + 1 s from the sampled profile */
	tu_assert_i64(flat(p, "cpu", "f"), 7000);
	tu_assert_i64(flat(p, "cpu", "g"), 3000 + 1000000000LL);
	prof_free(p);
}

#define FRAMES2 "\"shared\":{\"frames\":[{\"name\":\"f\"},{\"name\":\"g\"}]},"
#define SAMPLED(samples, weights)                                                          \
	SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"name\":\"p\",\"unit\":\"none\","  \
			"\"samples\":" samples ",\"weights\":" weights "}]}"
#define EVENTED(events)                                                                    \
	SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"evented\",\"name\":\"p\",\"unit\":\"none\","  \
			"\"events\":[" events "]}]}"
#define O(f, at) "{\"type\":\"O\",\"frame\":" #f ",\"at\":" #at "}"
#define C(f, at) "{\"type\":\"C\",\"frame\":" #f ",\"at\":" #at "}"

static void test_speedscope_errors(void **state)
{
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	/* the valid baselines decode */
	prof_free(decode_text(SAMPLED("[[0,1]]", "[3]"), "ok"));
	prof_free(decode_text(EVENTED(O(0, 0) "," O(1, 1) "," C(1, 2) "," C(0, 3)), "ok"));

	/* unbalanced events */
	fails_with(EVENTED(O(0, 0) "," O(1, 1) "," C(0, 2) "," C(1, 3)), ERR_PARSE,
		   "events[2] closes frame 0");
	fails_with(EVENTED(O(0, 0) "," O(1, 1) "," C(1, 2)), ERR_PARSE, "still open");
	fails_with(EVENTED(C(0, 0)), ERR_PARSE, "events[0] closes");
	fails_with(EVENTED(O(0, 5) "," C(0, 3)), ERR_PARSE, "back in time");
	fails_with(EVENTED(O(0, 0) ",{\"type\":\"X\",\"frame\":0,\"at\":1}"), ERR_PARSE,
		   "events[1].type");
	fails_with(EVENTED(O(0, 0) ",{\"type\":\"C\",\"frame\":0}"), ERR_PARSE, "events[1].at");
	fails_with(EVENTED(O(0, 0) ",7"), ERR_PARSE, "events[1] is not an object");
	/* bad frame indices */
	fails_with(SAMPLED("[[0,2]]", "[1]"), ERR_PARSE, "samples[0][1] is not a frame index");
	fails_with(SAMPLED("[[0,-1]]", "[1]"), ERR_PARSE, "samples[0][1]");
	fails_with(SAMPLED("[[0,1.5]]", "[1]"), ERR_PARSE, "samples[0][1]");
	fails_with(SAMPLED("[[\"0\"]]", "[1]"), ERR_PARSE, "samples[0][0]");
	fails_with(SAMPLED("[[1e20]]", "[1]"), ERR_PARSE, "samples[0][0]");
	fails_with(SAMPLED("[[99999999999999999999]]", "[1]"), ERR_PARSE, "invalid JSON");
	fails_with(EVENTED(O(2, 0)), ERR_PARSE, "events[0].frame");
	/* weights */
	fails_with(SAMPLED("[[0]]", "[-1]"), ERR_PARSE, "weights[0]");
	fails_with(SAMPLED("[[0]]", "[1e300]"), ERR_PARSE, "weights[0]");
	fails_with(SAMPLED("[[0]]", "[\"1\"]"), ERR_PARSE, "weights[0]");
	fails_with(SAMPLED("[[0],[1]]", "[1]"), ERR_PARSE, "2 samples but 1 weights");
	/* wrong types */
	fails_with(SAMPLED("{}", "[1]"), ERR_PARSE, "must be arrays");
	fails_with(SAMPLED("[0]", "[1]"), ERR_PARSE, "samples[0] is not an array");
	fails_with(SAMPLED("[[0]]", "3"), ERR_PARSE, "must be arrays");
	fails_with(SS_HEAD "\"shared\":{\"frames\":{}},\"profiles\":[]}", ERR_PARSE,
		   "shared.frames");
	fails_with(SS_HEAD "\"shared\":{\"frames\":[{\"name\":1}]},\"profiles\":[{}]}", ERR_PARSE,
		   "unit");
	fails_with(SS_HEAD "\"shared\":{\"frames\":[{\"name\":1}]},"
		   "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[],"
		   "\"weights\":[]}]}",
		   ERR_PARSE, "frames[0].name is not a string");
	fails_with(SS_HEAD "\"shared\":{\"frames\":[{\"file\":\"x\"}]},"
		   "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[],"
		   "\"weights\":[]}]}",
		   ERR_PARSE, "frames[0] has no name");
	fails_with(SS_HEAD "\"shared\":{\"frames\":[{\"name\":\"f\",\"line\":\"7\"}]},"
		   "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[],"
		   "\"weights\":[]}]}",
		   ERR_PARSE, "line");
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"other\",\"unit\":\"none\"}]}",
		   ERR_PARSE, "profiles[0].type");
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"parsecs\"}]}",
		   ERR_PARSE, "'parsecs'");
	fails_with(SS_HEAD FRAMES2
		   "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"\\u001b[31m\"}]}",
		   ERR_PARSE, "\\x1b[31m");
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"name\":3,"
		   "\"unit\":\"none\",\"samples\":[],\"weights\":[]}]}",
		   ERR_PARSE, "profiles[0].name");
	/* units must agree (times agree with each other) */
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\","
		   "\"samples\":[],\"weights\":[]},{\"type\":\"sampled\",\"unit\":\"bytes\","
		   "\"samples\":[],\"weights\":[]}]}",
		   ERR_PARSE, "does not agree");
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[]}", ERR_PARSE, "no 'profiles'");
	fails_with(SS_HEAD FRAMES2 "\"profiles\":[7]}", ERR_PARSE, "profiles[0] is not an object");
	/* not JSON, and JSON errors quoting control bytes */
	fails_with(SS_HEAD "\"shared\":", ERR_PARSE, "invalid JSON at byte");
	fails_with(SS_HEAD "\"a\":1,\"a\":2}", ERR_PARSE, "invalid JSON");
	fails_with(SS_HEAD "\x01\x1b[2J}", ERR_PARSE, "invalid JSON");
	/* huge arrays: a sample deeper than 65536 frames, more values than the bound */
	buf_printf(&b, "%s", SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"unit\":"
			     "\"none\",\"samples\":[[0");
	for (i = 0; i < 65536; i++)
		buf_add(&b, ",1", 2);
	buf_printf(&b, "]],\"weights\":[1]}]}");
	assert_int_equal(tu_decode_fails(b.data, b.len, "deep"), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "deeper than 65536"));
	buf_reset(&b);
	buf_printf(&b, "%s", SS_HEAD FRAMES2 "\"profiles\":[{\"type\":\"sampled\",\"unit\":"
			     "\"none\",\"samples\":[[0");
	for (i = 0; i < SPEEDSCOPE_MAX_VALUES; i++)
		buf_add(&b, ",1", 2);
	buf_printf(&b, "]],\"weights\":[1]}]}");
	assert_int_equal(tu_decode_fails(b.data, b.len, "huge"), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "JSON values"));
	buf_release(&b);
}

/*
 * A speedscope file is known by a top-level "$schema" (or "exporter") naming speedscope
 * wherever it is, not only in the first 16 KiB; the key nested in another value does
 * not count, brackets and quotes inside strings do not confuse the walk, and text that
 * only starts with '{' is not taken for JSON.
 */
static void test_speedscope_late_schema(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t i;

	(void)state;
	buf_puts(&b, "{\"shared\":{\"frames\":[{\"name\":\"");
	for (i = 0; i < 20000; i++)
		buf_add(&b, "a", 1);
	buf_puts(&b, "\"},{\"name\":\"b\"}]},\n\"profiles\":[{\"type\":\"sampled\",\"name\":\"p\","
		     "\"unit\":\"none\",\"samples\":[[0,1]],\"weights\":[3]}],\n"
		     " \"$schema\" : \"https://www.speedscope.app/file-format-schema.json\"}\n");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_SPEEDSCOPE);
	p = tu_decode_bytes(b.data, b.len, "late.json");
	tu_check_invariants(p);
	tu_assert_i64(flat(p, "samples", "b"), 3);
	prof_free(p);
	/* "exporter", after strings holding brackets, quotes and escapes */
	buf_reset(&b);
	buf_puts(&b, "{\"pad\":[1, -2.5e3, true, null, {\"k\":\"}]\\\"{[\"}, \"");
	for (i = 0; i < 20000; i++)
		buf_add(&b, "]", 1);
	buf_puts(&b, "\"], \"exporter\": \"speedscope@1.25.0\"}");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_SPEEDSCOPE);
	/* a "$schema" that is not the document's own */
	buf_reset(&b);
	buf_puts(&b, "{\"pad\":\"");
	for (i = 0; i < 20000; i++)
		buf_add(&b, "a", 1);
	buf_puts(&b, "\",\"x\":{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"},"
		     "\"$schema\":\"https://json-schema.org/draft-07/schema\"}");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	/* folded text starting with '{': rejected at its second byte, however long */
	buf_reset(&b);
	for (i = 0; i < 2000; i++)
		buf_puts(&b, "{lambda}::run;main 3\n");
	buf_puts(&b, "\"$schema\":\"speedscope\"\n");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	buf_release(&b);
}

/* ---- detection ---- */

static void test_detection(void **state)
{
	struct buf b = BUF_INIT;
	struct prof *p;
	DIR *d;
	struct dirent *e;
	int pprofs = 0;

	(void)state;
	/* folded text that starts with '{', or mentions speedscope, stays folded */
	assert_int_equal(detect("{lambda}::run;main 3\n"), DECODE_FOLDED);
	p = decode_text("{lambda}::run;main 3\n", "brace.folded");
	tu_assert_i64(flat(p, "samples", "main"), 3);
	prof_free(p);
	assert_int_equal(detect("main;speedscope;{x} 3\n"), DECODE_FOLDED);
	assert_int_equal(detect("{\"not\":\"a profile\"}"), DECODE_FOLDED);
	/* folded lines shaped a little like perf headers are still folded */
	assert_int_equal(detect("cpuwork 123 cycles: 5\nmain;foo 3\n"), DECODE_FOLDED);
	assert_int_equal(detect("a 1 1.0: 10 cycles: 3\n\t1 f 2\n"), DECODE_FOLDED);
	/* perf: a header then a call chain; a header alone is not enough */
	assert_int_equal(detect("a 1 1.0: 10 cycles:\n\t1 f (/x)\n"), DECODE_PERF);
	assert_int_equal(detect("a 1 1.0: 10 cycles:\n"), DECODE_FOLDED);
	assert_int_equal(detect("\n# c\n  a 1 1.0: 10 cycles:  ff f (/x)\n"), DECODE_PERF);
	assert_int_equal(detect("a 1 1.0: 10 cycles:  ff f (/x)"), DECODE_PERF); /* no '\n' */
	assert_int_equal(detect("# only a comment"), DECODE_FOLDED);
	/* a perf call chain is never folded, even when it cannot be perf */
	assert_int_equal(detect("\t1 f (/x)\n"), DECODE_FOLDED);
	/* speedscope */
	assert_int_equal(detect(" \n{\"$schema\":\"https://www.speedscope.app/file-format-"
				"schema.json\"}"),
			 DECODE_SPEEDSCOPE);
	tu_read(SPEEDSCOPE "two-sampled.speedscope.json", &b);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_SPEEDSCOPE);
	tu_read("folded/cpuwork-cpu.folded", &b);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	/*
	 * every Go pprof fixture is still pprof, and so is every cut of it past its first 64
	 * bytes (a truncated download), whatever folded detection allows: the decoder then
	 * says where the protobuf breaks
	 */
	d = opendir(tu_path("go"));
	assert_non_null(d);
	while ((e = readdir(d))) {
		char rel[512];
		size_t n = strlen(e->d_name), len;

		if (n < 6 || strcmp(e->d_name + n - 6, ".pb.gz") != 0)
			continue;
		snprintf(rel, sizeof(rel), "go/%s", e->d_name);
		tu_read_inflated(rel, &b);
		if (decode_detect((const uint8_t *)b.data, b.len) != DECODE_PPROF)
			fail_msg("%s is not detected as pprof", rel);
		for (len = 64; len < b.len && len <= 16384; len++)
			if (decode_detect((const uint8_t *)b.data, len) != DECODE_PPROF)
				fail_msg("%s cut at %zu is not detected as pprof", rel, len);
		pprofs++;
	}
	closedir(d);
	assert_int_equal(pprofs, 9);
	buf_release(&b);
}

/*
 * Keys are compared with their JSON escapes undone: "\u0024schema" is "$schema" (a JSON
 * writer may escape any character), here after the first 16 KiB, where only the key
 * walk finds it; it was read as folded text and refused.
 */
static void test_speedscope_escaped_keys(void **state)
{
	static const char *const keys[] = {
		"\"\\u0024schema\"", "\"$sch\\u0065ma\"", "\"\\u0065xporter\"", "\"$\\u0073chema\"",
	};
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t i, k;

	(void)state;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		buf_reset(&b);
		buf_puts(&b, "{\"shared\":{\"frames\":[{\"name\":\"");
		for (i = 0; i < 20000; i++)
			buf_add(&b, "a", 1);
		buf_puts(&b, "\"},{\"name\":\"b\"}]},\n\"profiles\":[{\"type\":\"sampled\",\"name\":"
			     "\"p\",\"unit\":\"none\",\"samples\":[[0,1]],\"weights\":[3]}],\n");
		buf_puts(&b, keys[k]);
		/* the value escaped too: "\/" is "/" */
		buf_puts(&b, ": \"https:\\/\\/www.speedscope.app\\/file-format-schema.json\"}\n");
		assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_SPEEDSCOPE);
		p = tu_decode_bytes(b.data, b.len, "escaped.json");
		tu_check_invariants(p);
		tu_assert_i64(flat(p, "samples", "b"), 3);
		prof_free(p);
	}
	/* an escape that makes another key ("$schema" and a NUL) is not the key */
	buf_reset(&b);
	buf_puts(&b, "{\"pad\":\"");
	for (i = 0; i < 20000; i++)
		buf_add(&b, "a", 1);
	buf_puts(&b, "\",\"$schema\\u0000\":\"https://www.speedscope.app/file-format-schema.json\"}");
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FOLDED);
	buf_release(&b);
}

#define FLAMEBEARER_EXPORT "pyroscope/grafana-pyroscope/pkg/og/structs/flamebearer/convert/testdata/profile.json"
#define OG_FIXTURES "pyroscope/grafana-pyroscope-og-743df17/og/cypress/fixtures/"

/*
 * Pyroscope's flame graph JSON (its UI's export, OG Pyroscope's files), plain and
 * gzipped (*.json.gz): it was not read at all (taken for folded text).  Samples at
 * sampleRate 100 are cpu nanoseconds (x 10^7); the numbers are the files' own.
 */
static void test_flamebearer_json(void **state)
{
	struct buf b = BUF_INIT, gz = BUF_INIT;
	struct prof *p, *q;

	(void)state;
	tu_read(FLAMEBEARER_EXPORT, &b);
	assert_int_equal(decode_detect((const uint8_t *)b.data, b.len), DECODE_FLAMEBEARER);
	p = tu_decode_bytes(b.data, b.len, "profile.json");
	tu_check_invariants(p);
	/* numTicks 953; runtime.nanotime's self 733 (its nodes' self summed) */
	tu_assert_i64(total(p, "cpu"), 953 * 10000000LL);
	tu_assert_i64(flat(p, "cpu", "runtime.nanotime"), 733 * 10000000LL);
	/* timeline.startTime, one 10 s sample */
	tu_assert_i64(p->time_nanos, 1677178490 * 1000000000LL);
	tu_assert_i64(p->duration_nanos, 10 * 1000000000LL);
	/* gzipped, as it is downloaded: the same profile */
	tu_gzip(b.data, b.len, &gz);
	q = tu_decode_bytes(gz.data, gz.len, "profile.json.gz");
	tu_assert_i64(total(q, "cpu"), total(p, "cpu"));
	tu_assert_i64(flat(q, "cpu", "runtime.nanotime"), flat(p, "cpu", "runtime.nanotime"));
	prof_free(p);
	prof_free(q);
	/* metadata with units and a rate but no format (a hand-trimmed export): still read
	 * from metadata, key by key: 100 Hz samples are cpu time */
	p = tu_decode_str("{\"version\":1,\"flamebearer\":{\"names\":[\"total\",\"main\"],"
			  "\"levels\":[[0,100,0,0],[0,100,100,1]],\"numTicks\":100,"
			  "\"maxSelf\":100},\"metadata\":{\"units\":\"samples\","
			  "\"sampleRate\":100,\"name\":\"cpu\"}}");
	tu_assert_i64(total(p, "cpu"), 1000000000LL);
	prof_free(p);
	/* OG: main.work's self 214 + 771, main.main's 2 */
	p = tu_decode(OG_FIXTURES "simple-golang-app-cpu.json");
	tu_check_invariants(p);
	tu_assert_i64(total(p, "cpu"), 988 * 10000000LL);
	tu_assert_i64(flat(p, "cpu", "main.work"), 985 * 10000000LL);
	tu_assert_i64(flat(p, "cpu", "main.main"), 2 * 10000000LL);
	prof_free(p);
	/* bytes: space/bytes, the numbers as they are */
	p = tu_decode(OG_FIXTURES "pyroscope.server.inuse_space.json");
	tu_check_invariants(p);
	tu_assert_i64(total(p, "space"), 449319704);
	prof_free(p);
	/* a diff ("double"): pprof's -diff_base form, right (987) minus left (991) */
	p = tu_decode(OG_FIXTURES "simple-golang-app-cpu-diff.json");
	tu_check_invariants(p);
	assert_int_equal(p->ntypes, 1);
	tu_assert_i64(total(p, "cpu"), (987 - 991) * 10000000LL);
	prof_free(p);
	buf_release(&b);
	buf_release(&gz);
}

/* Broken flame graph JSON: one line naming what is wrong. */
/*
 * A few KiB gzipped can hold millions of JSON values (~50 bytes each in jansson): past
 * 4 Mi (a million nodes) a flame graph JSON is refused before it is parsed.
 */
static void test_flamebearer_json_bounded(void **state)
{
	struct buf big = BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(buf_puts(&big, "{\"flamebearer\":{\"names\":[\"total\"],"
				       "\"levels\":[[0,1,1,0],[0"), 0);
	for (i = 0; i < ((size_t)1 << 22); i++)
		assert_int_equal(buf_puts(&big, ",0"), 0);
	assert_int_equal(buf_puts(&big, "]]}}"), 0);
	fails_with(big.data, ERR_TOOBIG, "JSON values");
	buf_release(&big);
}

static void test_flamebearer_json_errors(void **state)
{
	(void)state;
	fails_with("{\"flamebearer\":{\"names\":[\"total\"],\"levels\":[[0,1,1,\"x\"]]}}",
		   ERR_PARSE, "flamebearer.levels[0][3] is not an integer");
	fails_with("{\"flamebearer\":{\"names\":[\"total\",3],\"levels\":[]}}", ERR_PARSE,
		   "flamebearer.names[1] is not a string");
	fails_with("{\"flamebearer\":{\"names\":[\"total\"]}}", ERR_PARSE,
		   "flamebearer.levels is not an array");
	fails_with("{\"flamebearer\":{\"names\":[\"total\"],\"levels\":[[0,1,1,0]]},"
		   "\"metadata\":{\"format\":\"triple\"}}", ERR_UNSUPPORTED, "format 'triple'");
	/* samples at 1 Hz are 10^9 ns each: too many overflow */
	fails_with("{\"flamebearer\":{\"names\":[\"total\",\"a\"],\"levels\":[[0,9000000000000,0,0],"
		   "[0,9000000000000,9000000000000,1]]},\"metadata\":{\"format\":\"single\","
		   "\"units\":\"samples\",\"sampleRate\":1}}", ERR_TOOBIG, "overflow");
	/* a node outside its parent: flamebearer_to_prof's check, named */
	assert_int_not_equal(fails("{\"flamebearer\":{\"names\":[\"total\",\"a\"],\"levels\":"
				   "[[0,1,0,0],[5,1,1,1]]}}", "in"), 0);
	assert_non_null(strstr(err_last(), "flamebearer"));
	fails_with("{\"flamebearer\":{\"names\":[\"total\"],\"levels\":[[0,1,1,0]]},}", ERR_PARSE,
		   "flamebearer: offset");
}

/*
 * A pprof with sample types and no samples: go tool pprof -top prints its empty table,
 * and `smolder query profile` writes one for a type whose values are all zero.
 * decode_profile_empty_ok (what the verbs read files with) takes it; decode_profile, and
 * any format but pprof, still refuse.
 */
static void test_empty_pprof(void **state)
{
	/* sample_type {type: 1, unit: 2}; strings "", "cpu", "nanoseconds" */
	static const char pb[] = "\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x03" "cpu"
				 "\x32\x0b" "nanoseconds";
	struct prof *p = NULL;

	(void)state;
	assert_int_equal(decode_profile_empty_ok((const uint8_t *)pb, sizeof(pb) - 1, "e.pb", &p), 0);
	assert_int_equal(p->nsamples, 0);
	assert_int_equal(p->ntypes, 1);
	assert_string_equal(prof_str(p, p->sample_types[0].type), "cpu");
	prof_free(p);
	assert_int_not_equal(decode_profile((const uint8_t *)pb, sizeof(pb) - 1, "e.pb", &p), 0);
	assert_non_null(strstr(err_last(), "no samples"));
	/* folded text without a stack */
	assert_int_not_equal(decode_profile_empty_ok((const uint8_t *)"# x\n", 4, "e.folded", &p), 0);
	assert_null(p);
}

/*
 * prof_find_type reads an index as pprof's SampleIndexByName does, with Go's strconv.Atoi:
 * an optional sign and digits only.  strtol took " 1" (a leading blank) as index 1, where
 * pprof looks it up as a name and refuses it.
 */
static void test_find_type_index(void **state)
{
	struct prof *p = tu_decode("go/heapwork-heap.pb.gz");

	(void)state;
	assert_int_equal(p->ntypes, 4);
	assert_int_equal(prof_find_type(p, "1"), 1);
	assert_int_equal(prof_find_type(p, "+1"), 1);
	assert_int_equal(prof_find_type(p, "01"), 1);
	assert_int_equal(prof_find_type(p, "-0"), 0);
	assert_int_equal(prof_find_type(p, " 1"), -1);
	assert_int_equal(prof_find_type(p, "\t1"), -1);
	assert_int_equal(prof_find_type(p, "1 "), -1);
	assert_int_equal(prof_find_type(p, "0x1"), -1);
	assert_int_equal(prof_find_type(p, "+"), -1);
	assert_int_equal(prof_find_type(p, "-1"), -1);
	assert_int_equal(prof_find_type(p, "4"), -1);
	assert_int_equal(prof_find_type(p, "99999999999999999999"), -1);
	assert_int_equal(prof_find_type(p, "inuse_space"), 3);
	assert_int_equal(prof_find_type(p, "alloc_objects"), 0);
	prof_free(p);
}

/*
 * Folded lines whose root frame begins like JSON or a web page ("{closure}" is a Rust and
 * PHP frame) are folded: the sniffers took "{closure};speedscope::render 100" for
 * speedscope ("invalid JSON at byte 8") and "<html> 100" for a saved page.  Also with a
 * second line, without a final line break, and with a root frame longer than the 4 KiB
 * the folded sniff looks at.  Real documents, and ones cut short, are still what they are.
 */
static void test_folded_markup_first_line(void **state)
{
	static const char *const roots[] = {
		"{closure}", "<html>", "<!DOCTYPE html>",
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"}",
		"{\"flamebearer\":{}}", "{\"exporter\":\"speedscope\"}", "{\"$schema\":\"speedscope",
	};
	struct buf b = BUF_INIT;
	struct prof *p;
	size_t i, k;

	(void)state;
	for (k = 0; k < sizeof(roots) / sizeof(roots[0]); k++) {
		for (i = 0; i < 4; i++) {
			buf_reset(&b);
			buf_puts(&b, roots[k]);
			if (i == 3)  /* past what looks_like_folded reads */
				while (b.len < 5000)
					buf_puts(&b, "x");
			buf_puts(&b, ";speedscope::render 100");
			if (i != 1)
				buf_puts(&b, "\n");
			if (i == 2)
				buf_puts(&b, "main 5\n");
			if (decode_detect((const uint8_t *)b.data, b.len) != DECODE_FOLDED)
				fail_msg("'%s' (%zu) is not detected as folded", roots[k], i);
			p = tu_decode_bytes(b.data, b.len, "in");
			tu_check_invariants(p);
			tu_assert_i64(flat(p, "samples", "speedscope::render"), 100);
			tu_assert_i64(total(p, "samples"), i == 2 ? 105 : 100);
			if (i != 3)
				assert_true(tu_has_function(p, roots[k]));
			prof_free(p);
		}
	}
	/* what the sniffers are for */
	assert_int_equal(detect("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\""
				",\"profiles\":[{\"type\":\"sampled\",\"endValue\": 12"),
			 DECODE_SPEEDSCOPE);  /* cut short */
	assert_int_equal(detect("{\"flamebearer\":{\"names\":[\"a\"],\n\"levels\": [[0, 1"),
			 DECODE_FLAMEBEARER);
	assert_int_equal(detect("{\n  \"exporter\": \"speedscope@1.5\",\n  \"x\": 1\n}\n"),
			 DECODE_SPEEDSCOPE);
	assert_int_equal(detect("{\"pad\":[1,2],\n\"$schema\":\"https://www.speedscope.app/"
				"file-format-schema.json\",\"profiles\":[{\"x\": 1"),
			 DECODE_SPEEDSCOPE);  /* the textual sniff */
	fails_with("<!doctype html>\n<p>saved</p>\n", ERR_UNSUPPORTED, "an HTML page");
	fails_with("<html> <body>x</body> 100</html>", ERR_UNSUPPORTED, "an HTML page");
	fails_with("{\"not\":\"a profile\"}\n", ERR_UNSUPPORTED, "neither speedscope");
	buf_release(&b);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perf_fixture),
		cmocka_unit_test(test_perf_excerpt),
		cmocka_unit_test(test_perf_shapes),
		cmocka_unit_test(test_perf_without_callchains),
		cmocka_unit_test(test_perf_events),
		cmocka_unit_test(test_perf_inlined),
		cmocka_unit_test(test_perf_srcline),
		cmocka_unit_test(test_perf_errors),
		cmocka_unit_test(test_speedscope_evented),
		cmocka_unit_test(test_speedscope_sampled),
		cmocka_unit_test(test_speedscope_shapes),
		cmocka_unit_test(test_speedscope_errors),
		cmocka_unit_test(test_speedscope_late_schema),
		cmocka_unit_test(test_speedscope_escaped_keys),
		cmocka_unit_test(test_flamebearer_json),
		cmocka_unit_test(test_flamebearer_json_errors),
		cmocka_unit_test(test_flamebearer_json_bounded),
		cmocka_unit_test(test_empty_pprof),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_folded_markup_first_line),
		cmocka_unit_test(test_find_type_index),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("inputs", tests, NULL, NULL) ? 1 : 0;
}
