/*
 * test_export.c — ingest/encode_speedscope.c and encode_svg.c: the JSON always parses
 * (jansson is strict about UTF-8) and says what the profile says, hostile names come
 * out repaired and escaped, and the SVG's boxes have the widths the values give them.
 * Also base/outfile.c, which writes the exports: replace or not, through a link, and a
 * failed write (a file size limit) that leaves the old file and nothing else; and the
 * explorer's export of the sandwich's callers half (stacks root first, as pprof's).
 */
#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/outfile.h"
#include "base/text.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "profile/builder.h"
#include "profile/demangle.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "profile/recursion.h"
#include "profile/top.h"
#include "offscreen.h"
#include "profile.pb-c.h"
#include "tui/tui_int.h"

/* A profile of one sample type whose stacks are given as name lists (root first). */
struct stack {
	const char *frames[4];
	size_t lens[4];  /* 0: strlen */
	int64_t value;
};

static struct prof *make_prof(const char *type, const char *unit, const struct stack *st,
			      size_t n)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, locs[4];
	size_t i, j, k;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, type, strlen(type), &t), 0);
	assert_int_equal(pb_string(b, unit, strlen(unit), &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4 && st[i].frames[k]; k++)
			;
		for (j = 0; j < k; j++) {  /* leaf first */
			const char *f = st[i].frames[k - 1 - j];
			size_t len = st[i].lens[k - 1 - j] ? st[i].lens[k - 1 - j] : strlen(f);

			assert_int_equal(pb_named_frame(b, f, len, &locs[j]), 0);
		}
		assert_int_equal(pb_sample(b, locs, (uint32_t)k, &st[i].value, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

static json_t *speedscope(const struct prof *p, const char *name)
{
	struct buf out = BUF_INIT;
	json_error_t e;
	json_t *j;

	assert_int_equal(encode_speedscope(p, 0, name, &out), 0);
	j = json_loadb(out.data, out.len, 0, &e);
	if (!j)
		fail_msg("speedscope output does not parse: %s at %d", e.text, e.position);
	buf_release(&out);
	return j;
}

static const char *frame_name(json_t *j, size_t i)
{
	return json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(j, "shared"), "frames"), i), "name"));
}

static json_t *profile0(json_t *j)
{
	return json_array_get(json_object_get(j, "profiles"), 0);
}

static void test_speedscope_folded(void **state)
{
	struct prof *p = tu_decode_str("a;b 3\na;c 1\na;b 2\n");
	json_t *j, *pr, *s;

	(void)state;
	j = speedscope(p, "tiny.folded");
	assert_string_equal(json_string_value(json_object_get(j, "$schema")),
			    "https://www.speedscope.app/file-format-schema.json");
	assert_string_equal(json_string_value(json_object_get(j, "exporter")),
			    "smolder " SMOLDER_VERSION);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "shared"), "frames")), 3);
	assert_string_equal(frame_name(j, 0), "a");
	assert_string_equal(frame_name(j, 1), "b");
	assert_string_equal(frame_name(j, 2), "c");
	pr = profile0(j);
	assert_string_equal(json_string_value(json_object_get(pr, "type")), "sampled");
	assert_string_equal(json_string_value(json_object_get(pr, "unit")), "none");
	assert_string_equal(json_string_value(json_object_get(pr, "name")), "tiny.folded (samples)");
	tu_assert_i64(json_integer_value(json_object_get(pr, "startValue")), 0);
	tu_assert_i64(json_integer_value(json_object_get(pr, "endValue")), 6);
	s = json_object_get(pr, "samples");
	assert_int_equal(json_array_size(s), 3);
	/* root first; frames shared by the samples that use them */
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 0), 0)), 0);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 0), 1)), 1);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 1), 1)), 2);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 2), 1)), 1);
	tu_assert_i64(json_integer_value(json_array_get(json_object_get(pr, "weights"), 0)), 3);
	tu_assert_i64(json_integer_value(json_array_get(json_object_get(pr, "weights"), 1)), 1);
	json_decref(j);
	prof_free(p);
}

static void test_speedscope_fixture(void **state)
{
	struct prof *p = tu_decode("go/heapwork-heap.pb.gz");
	json_t *j, *pr, *w, *s, *frames;
	int64_t sum = 0;
	size_t i, k, nframes;
	uint32_t type = (uint32_t)tu_type(p, "alloc_space");
	struct buf out = BUF_INIT;
	json_error_t e;

	(void)state;
	assert_int_equal(encode_speedscope(p, type, NULL, &out), 0);
	j = json_loadb(out.data, out.len, 0, &e);
	assert_non_null(j);
	pr = profile0(j);
	assert_string_equal(json_string_value(json_object_get(pr, "unit")), "bytes");
	assert_string_equal(json_string_value(json_object_get(pr, "name")), "alloc_space");
	w = json_object_get(pr, "weights");
	s = json_object_get(pr, "samples");
	frames = json_object_get(json_object_get(j, "shared"), "frames");
	nframes = json_array_size(frames);
	assert_int_equal(json_array_size(w), json_array_size(s));
	for (i = 0; i < json_array_size(w); i++) {
		json_t *st = json_array_get(s, i);

		assert_true(json_integer_value(json_array_get(w, i)) > 0);
		sum += json_integer_value(json_array_get(w, i));
		for (k = 0; k < json_array_size(st); k++)
			assert_true((size_t)json_integer_value(json_array_get(st, k)) < nframes);
	}
	tu_assert_i64(sum, prof_total(p, type));
	tu_assert_i64(json_integer_value(json_object_get(pr, "endValue")), sum);
	/* Go functions carry their file */
	for (i = 0; i < nframes; i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(frames, i), "name")),
			   "main.main") == 0)
			break;
	assert_true(i < nframes);
	assert_string_equal(json_string_value(json_object_get(json_array_get(frames, i), "file")),
			    "heapwork/main.go");
	json_decref(j);
	buf_release(&out);
	prof_free(p);
}

/* One frame per (name, file, start line); inlined frames expanded, outermost first. */
static void test_speedscope_frames(void **state)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_function fn[3] = { { 0 } };
	struct prof_line lines[2];
	uint32_t t, u, sys2, f[3], loc[3], i;
	int64_t one = 1;
	json_t *j, *fr, *s;

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "f", 1, &fn[0].name), 0);
	assert_int_equal(pb_string(b, "a.go", 4, &fn[0].file), 0);
	assert_int_equal(pb_string(b, "f.sys2", 6, &sys2), 0);
	fn[0].start_line = 10;
	fn[1] = fn[0];
	fn[1].system_name = sys2;  /* another function, the same frame */
	fn[2] = fn[0];
	assert_int_equal(pb_string(b, "b.go", 4, &fn[2].file), 0);
	fn[2].start_line = 3;
	for (i = 0; i < 3; i++)
		assert_int_equal(pb_function(b, &fn[i], &f[i]), 0);
	lines[0] = (struct prof_line){ f[0], 12 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x10, lines, 1, &loc[0]), 0);
	lines[0] = (struct prof_line){ f[1], 13 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x20, lines, 1, &loc[1]), 0);
	lines[0] = (struct prof_line){ f[2], 4 };   /* inlined into ... */
	lines[1] = (struct prof_line){ f[0], 11 };  /* ... this one */
	assert_int_equal(pb_location(b, PROF_NONE, 0x30, lines, 2, &loc[2]), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(pb_sample(b, &loc[i], 1, &one, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);

	j = speedscope(p, NULL);
	fr = json_object_get(json_object_get(j, "shared"), "frames");
	assert_int_equal(json_array_size(fr), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fr, 0), "file")), "a.go");
	tu_assert_i64(json_integer_value(json_object_get(json_array_get(fr, 0), "line")), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fr, 1), "file")), "b.go");
	tu_assert_i64(json_integer_value(json_object_get(json_array_get(fr, 1), "line")), 3);
	s = json_object_get(profile0(j), "samples");
	assert_int_equal(json_array_size(json_array_get(s, 1)), 1);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 1), 0)), 0);
	assert_int_equal(json_array_size(json_array_get(s, 2)), 2);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 2), 0)), 0);
	tu_assert_i64(json_integer_value(json_array_get(json_array_get(s, 2), 1)), 1);
	assert_string_equal(json_string_value(json_object_get(profile0(j), "unit")), "nanoseconds");
	json_decref(j);
	prof_free(p);
}

static void test_speedscope_hostile(void **state)
{
	static const char nul[] = "with\0nul";
	const struct stack st[] = {
		{ { "root", "\xff\xfe", "ok\xc3\x28", NULL }, { 0 }, 5 },
		{ { "root", "\xed\xa0\x80surrogate", "\xf4\x90\x80\x80" "big", NULL }, { 0 }, 2 },
		{ { "root", "\"q\\b\x01\x1b[31m\x7f", nul, NULL }, { 0, 0, sizeof(nul) - 1 }, 1 },
		{ { "root", "zero", NULL }, { 0 }, 0 },
		{ { "root", "negative", NULL }, { 0 }, -4 },
		{ { "\xe2\x82\xac ok", NULL }, { 0 }, 1 },
	};
	struct prof *p = make_prof("alloc", "kilobytes", st, sizeof(st) / sizeof(st[0]));
	json_t *j, *pr, *f;
	size_t i;
	const char *want[] = { "root", "\xef\xbf\xbd\xef\xbf\xbd", "ok\xef\xbf\xbd(",
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdsurrogate",
			       ("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "big"),
			       "\"q\\b\x01\x1b[31m\x7f", "with\xef\xbf\xbdnul", "\xe2\x82\xac ok" };

	(void)state;
	j = speedscope(p, "bad\xff name");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "bad\xef\xbf\xbd name (alloc)");
	f = json_object_get(json_object_get(j, "shared"), "frames");
	/* zero and negative samples are left out, with their frames */
	assert_int_equal(json_array_size(f), 8);
	/* repaired to UTF-8; controls kept (escaped), but NUL, which strict parsers refuse, is not */
	for (i = 0; i < 8; i++)
		assert_string_equal(frame_name(j, i), want[i]);
	pr = profile0(j);
	/* kilobytes are scaled to speedscope's bytes */
	assert_string_equal(json_string_value(json_object_get(pr, "unit")), "bytes");
	assert_int_equal(json_array_size(json_object_get(pr, "weights")), 4);
	tu_assert_i64(json_integer_value(json_array_get(json_object_get(pr, "weights"), 0)), 5 * 1024);
	tu_assert_i64(json_integer_value(json_object_get(pr, "endValue")), 9 * 1024);
	json_decref(j);
	prof_free(p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The names the frames of sample type `type` show once the commands have applied pprof's
 * name shortening (prof_demangle, DEFAULT), sorted and one a line: what `smolder top`
 * lists.  Only frames of samples with a value count, as only those are exported.
 */
static void shown_names(const struct prof *in, uint32_t type, struct buf *out)
{
	struct prof *dm = NULL;
	const struct prof *p;
	const char **names;
	bool *used;
	size_t n = 0, i, j, k;

	assert_int_equal(prof_demangle(in, DEMANGLE_DEFAULT, &dm), 0);
	p = dm ? dm : in;
	used = calloc(p->nfunctions + 1, sizeof(*used));
	names = calloc(p->nfunctions + 1, sizeof(*names));
	assert_non_null(used);
	assert_non_null(names);
	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];

		if (prof_value(p, (uint32_t)i, type) == 0)
			continue;
		for (j = 0; j < s->nlocs; j++) {
			const struct prof_location *l = &p->locations[p->sample_locs[s->loc_off + j]];

			for (k = 0; k < l->nlines; k++)
				used[p->lines[l->line_off + k].func] = true;
		}
	}
	for (i = 0; i < p->nfunctions; i++)
		if (used[i])
			names[n++] = prof_str(p, p->functions[i].name);
	qsort(names, n, sizeof(*names), cmp_str);
	buf_reset(out);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			assert_int_equal(buf_printf(out, "%s\n", names[i]), 0);
	free(names);
	free(used);
	prof_free(dm);
}

/*
 * Speedscope names read back as the profile showed them.  py-spy's "<module>" and
 * "<lambda>", .NET's "Expression<TDelegate>.Compile" are shown as written, as folded
 * names are: the reader gave every frame its name as system name, which tells pprof's
 * shortening that the name is a demangled one, so "main.py:<module>" came back
 * "main.py:" and merged with "<lambda>".  A name with "::" (Rust, C++) is still
 * shortened as pprof shortens it, so a Rust pprof read back from speedscope shows
 * pprof's names ("alloc.rs:241 - ::allocate").
 */
static void test_speedscope_names_kept(void **state)
{
	static const char *const srcs[] = {
		"pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_python",
		"pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_rust",
		NULL,
	};
	struct buf before = BUF_INIT, after = BUF_INIT, out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct prof *p, *q;

		p = srcs[i] ? tu_decode(srcs[i])
			    : tu_decode_str("main.py:<module>;main.py:<lambda>;work 5\n"
					    "main.py:<module>;x::y<int>::z 3\n"
					    "Expression<TDelegate>.Compile;a<b>.c 1\n");
		buf_reset(&out);
		assert_int_equal(encode_speedscope(p, p->default_type, "rt", &out), 0);
		q = tu_decode_bytes(out.data, out.len, "rt.speedscope");
		shown_names(p, p->default_type, &before);
		shown_names(q, 0, &after);
		if (srcs[i])  /* from pprof: the same names */
			assert_string_equal(after.data, before.data);
		if (i == 0) {  /* the fixture's own: py-spy's "<module>" and "<listcomp>" */
			assert_non_null(strstr(after.data, " - <module>\n"));
			assert_non_null(strstr(after.data, " - <listcomp>\n"));
		} else if (i == 1) {
			assert_non_null(strstr(after.data, "alloc.rs:241 - ::allocate\n"));
		}
		prof_free(q);
		prof_free(p);
	}
	/* from folded text: as written, but "::" names shortened as pprof would */
	assert_string_equal(after.data, "Expression<TDelegate>.Compile\na<b>.c\n"
			    "main.py:<lambda>\nmain.py:<module>\nwork\nx::y::z\n");
	buf_release(&before);
	buf_release(&after);
	buf_release(&out);
}

static char *svg(const struct prof *p, const char *title, struct buf *out)
{
	json_t *check;

	buf_init(out);
	assert_int_equal(encode_svg(p, 0, title, out), 0);
	/* valid UTF-8 (jansson checks), one document */
	check = json_stringn(out->data, out->len);
	assert_non_null(check);
	json_decref(check);
	assert_int_equal(strncmp(out->data, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36), 0);
	assert_non_null(strstr(out->data, "</svg>\n"));
	return out->data;
}

/* x and width of the rect of the frame whose title starts with `title` ("b (", ...). */
static bool frame_geometry(const char *doc, const char *title, double *x, double *w)
{
	char pat[256];
	const char *at, *r;

	snprintf(pat, sizeof(pat), "<title>%s", title);
	if (!(at = strstr(doc, pat)) || !(r = strstr(at, "<rect x=\"")))
		return false;
	return sscanf(r, "<rect x=\"%lf\" y=\"%*f\" width=\"%lf\"", x, w) == 2;
}

static size_t count(const char *doc, const char *s)
{
	size_t n = 0;

	for (; (doc = strstr(doc, s)); doc += strlen(s))
		n++;
	return n;
}

static void test_svg_widths(void **state)
{
	struct prof *p = tu_decode_str("a;b 3\na;c 1\n");
	struct buf out;
	const char *doc = svg(p, "tiny", &out);
	double xa, wa, xb, wb, xc, wc;

	(void)state;
	assert_int_equal(count(doc, "<g class=\"f\">"), 4);  /* all, a, b, c */
	assert_true(frame_geometry(doc, "all (4, 100%)", &xa, &wa));
	assert_true(frame_geometry(doc, "a (4, 100%)", &xa, &wa));
	assert_true(frame_geometry(doc, "b (3, 75.0%)", &xb, &wb));
	assert_true(frame_geometry(doc, "c (1, 25.0%)", &xc, &wc));
	assert_true(wa == 1180 && xa == 10);
	assert_true(xb == 10 && wb == 885);
	assert_true(xc == 895 && wc == 295);
	assert_non_null(strstr(doc, ">Type: samples   Total: 4</text>"));
	assert_non_null(strstr(doc, ">tiny</text>"));
	buf_release(&out);
	prof_free(p);
}

static void test_svg_hostile(void **state)
{
	const struct stack st[] = {
		{ { "main", "<script>&\"'\x1b[31m", "x\xff\xef\xbf\xbfy", NULL }, { 0 }, 5 },
		{ { "]]></g>--><!--", NULL }, { 0 }, 5 },
	};
	struct prof *p = make_prof("cpu", "nanoseconds", st, 2);
	struct buf out;
	const char *doc = svg(p, "t<i>tle&\x07", &out), *c;

	(void)state;
	assert_null(strstr(doc, "<script>&"));
	assert_non_null(strstr(doc, "<title>&lt;script&gt;&amp;&quot;&#39;\\x1b[31m (5 ns, 50.0%)</title>"));
	assert_non_null(strstr(doc, "<title>x\xef\xbf\xbd\xef\xbf\xbdy (5 ns, 50.0%)</title>"));
	assert_non_null(strstr(doc, "<title>]]&gt;&lt;/g&gt;--&gt;&lt;!-- (5 ns, 50.0%)</title>"));
	assert_non_null(strstr(doc, ">t&lt;i&gt;tle&amp;\\x07</text>"));
	/* no control characters but line breaks, no U+FFFF */
	for (c = doc; *c; c++)
		assert_true((unsigned char)*c >= 0x20 || *c == '\n');
	assert_null(strstr(doc, "\xef\xbf\xbf"));
	/* every element this encoder opens is closed */
	assert_int_equal(count(doc, "<g"), count(doc, "</g>"));
	assert_int_equal(count(doc, "<text"), count(doc, "</text>"));
	assert_int_equal(count(doc, "<title>"), count(doc, "</title>"));
	assert_int_equal(count(doc, "<![CDATA["), 1);
	assert_int_equal(count(doc, "]]>"), 1);
	buf_release(&out);
	prof_free(p);
}

/* Frames under 0.1 px: a run of them becomes one "+N frames" box, and nothing moves. */
static void test_svg_narrow(void **state)
{
	struct buf in = BUF_INIT, out;
	struct prof *p;
	const char *doc;
	double x, w, xn, wn;
	int i;

	(void)state;
	buf_printf(&in, "root;big 1000000\nroot;zlast 1000000\n");
	for (i = 0; i < 200; i++)
		buf_printf(&in, "root;tiny%03d;deeper 1\n", i);
	buf_printf(&in, "other 1\n");  /* a lone narrow frame: too narrow even alone */
	p = tu_decode_str(in.data);
	doc = svg(p, NULL, &out);
	assert_non_null(strstr(doc, ">Flame graph</text>"));
	assert_null(strstr(doc, "tiny000"));
	assert_null(strstr(doc, "deeper"));
	assert_null(strstr(doc, "<title>other"));
	assert_true(frame_geometry(doc, "+200 frames (200, ", &xn, &wn));
	assert_true(frame_geometry(doc, "big (", &x, &w));
	/* positions from exact sums: big, the run, then zlast right after it */
	assert_true(x == 10);
	assert_true(xn >= x + w - 0.011 && xn <= x + w + 0.011);
	assert_true(wn > 0.11 && wn < 0.125);  /* 200 * 1180 / 2000201 px */
	assert_true(frame_geometry(doc, "zlast (", &x, &w));
	assert_true(x >= xn + wn - 0.011 && x <= xn + wn + 0.011);
	assert_int_equal(count(doc, "<g class=\"f\">"), 5);  /* all, root, big, +200, zlast */
	buf_release(&out);
	buf_release(&in);
	prof_free(p);
}

/* A profile with the sample types "name/unit" listed, one sample, default `dflt` (-1: unset). */
static struct prof *make_typed(const char *const *types, uint32_t n, int dflt)
{
	struct prof_builder *b;
	struct prof *p;
	int64_t vals[4] = { 1, 2, 3, 4 };
	uint32_t i, t, u, loc;

	assert_true(n <= 4);
	assert_int_equal(pb_new(&b), 0);
	for (i = 0; i < n; i++) {
		const char *slash = strchr(types[i], '/');

		assert_int_equal(pb_string(b, types[i], (size_t)(slash - types[i]), &t), 0);
		assert_int_equal(pb_string(b, slash + 1, strlen(slash + 1), &u), 0);
		assert_int_equal(pb_sample_type(b, t, u), 0);
	}
	if (dflt >= 0)
		pb_set_default_type(b, (uint32_t)dflt);
	assert_int_equal(pb_named_frame(b, "main", 4, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, vals, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	return p;
}

static uint32_t default_after_export(const struct prof *p)
{
	struct buf out = BUF_INIT;
	struct prof *q;
	uint32_t d;

	assert_int_equal(encode_pprof(p, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "export.pb.gz");
	d = q->default_type;
	prof_free(q);
	buf_release(&out);
	return d;
}

/*
 * The default sample type survives a pprof export as pprof reads it: two types of one
 * name with the last the default (pprof's own choice) must not come back as the first.
 */
static void test_pprof_default_type(void **state)
{
	static const char *const same[] = { "alloc/count", "alloc/bytes" };
	static const char *const three[] = { "alloc/count", "space/bytes", "alloc/bytes" };
	static const char *const lost[] = { "alloc/count", "alloc/bytes", "space/bytes" };
	struct prof *p;

	(void)state;
	p = make_typed(same, 2, -1);
	assert_int_equal(p->default_type, 1);
	assert_int_equal(default_after_export(p), 1);
	prof_free(p);
	p = make_typed(same, 2, 0);
	assert_int_equal(default_after_export(p), 0);
	prof_free(p);
	p = make_typed(three, 3, 1);
	assert_int_equal(default_after_export(p), 1);
	prof_free(p);
	p = make_typed(three, 3, -1);
	assert_int_equal(default_after_export(p), 2);
	prof_free(p);
	/* what pprof cannot be told by name (encode.h): it reads the first "alloc" */
	p = make_typed(lost, 3, 1);
	assert_int_equal(default_after_export(p), 0);
	prof_free(p);
}

/*
 * A default named in the source is written out even when it is the last type, so a
 * profile read back (by pprof, by smolder's diff and merge, which take the first default
 * named) still names it; a fallback default stays unnamed.
 */
static void test_pprof_default_named(void **state)
{
	static const char *const two[] = { "alloc/count", "space/bytes" };
	struct buf out = BUF_INIT;
	struct prof *p, *q;
	int dflt;

	(void)state;
	for (dflt = -1; dflt <= 1; dflt++) {
		p = make_typed(two, 2, dflt);
		assert_int_equal(encode_pprof(p, &out), 0);
		q = tu_decode_bytes(out.data, out.len, "export.pb.gz");
		assert_int_equal(q->default_type, dflt == 0 ? 0 : 1);
		assert_int_equal(q->default_named, dflt >= 0);
		prof_free(q);
		prof_free(p);
		buf_reset(&out);
	}
	buf_release(&out);
}

/*
 * A merge (the pieces of a range, each maybe exported and read back) takes the first
 * default named among its profiles, as pprof's Merge (combineHeaders) does, and names
 * none when none does: the first profile's fallback did not hide a later named default.
 */
static void test_merge_default_named(void **state)
{
	static const char *const two[] = { "alloc/count", "space/bytes" };
	struct prof *unnamed = make_typed(two, 2, -1), *first = make_typed(two, 2, 0);
	struct prof *last = make_typed(two, 2, 1), *back, *out;
	const struct prof *ps[3];
	struct buf buf = BUF_INIT;

	(void)state;
	assert_int_equal(encode_pprof(last, &buf), 0);
	back = tu_decode_bytes(buf.data, buf.len, "export.pb.gz");
	ps[0] = unnamed, ps[1] = first, ps[2] = back;
	assert_int_equal(prof_merge(ps, 3, &out), 0);
	assert_true(out->default_named);
	assert_int_equal(out->default_type, 0);
	prof_free(out);
	ps[1] = back, ps[2] = first;
	assert_int_equal(prof_merge(ps, 3, &out), 0);
	assert_true(out->default_named);
	assert_int_equal(out->default_type, 1);
	prof_free(out);
	ps[1] = unnamed;
	assert_int_equal(prof_merge(ps, 2, &out), 0);
	assert_false(out->default_named);
	assert_int_equal(out->default_type, 1);
	prof_free(out);
	/*
	 * A pair of two unnamed profiles (the explorer's diff) names none either: its default
	 * is the new side's last type, unnamed, so an export of it writes none, as pprof's
	 * -proto -diff_base (it wrote the last type, named, which a later diff then took).
	 */
	assert_int_equal(prof_pair(unnamed, unnamed, &out), 0);
	assert_false(out->default_named);
	assert_int_equal(out->default_type, 1);
	prof_free(out);
	assert_int_equal(prof_pair(unnamed, first, &out), 0);
	assert_true(out->default_named);
	assert_int_equal(out->default_type, 0);
	prof_free(out);
	buf_release(&buf);
	prof_free(back);
	prof_free(last);
	prof_free(first);
	prof_free(unnamed);
}

/*
 * A function with an empty name is named as pprof names it (nodeInfo falls back to the
 * object file): "[prog]" in a mapping of /bin/prog, "<unknown>" without one — in the
 * model, so top, peek and every export say the same.
 */
static void test_nameless_function(void **state)
{
	struct prof_builder *b;
	struct prof *p;
	struct prof_mapping m = { 0x400000, 0x500000, 0, 0, 0 };
	struct prof_function f = { 0 };
	struct prof_line line = { 0, 7 };
	struct buf out = BUF_INIT;
	uint32_t t, u, map, locs[2];
	int64_t v = 5;

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "/bin/prog", 9, &m.file), 0);
	assert_int_equal(pb_mapping(b, &m, &map), 0);
	assert_int_equal(pb_string(b, "c.go", 4, &f.file), 0);
	assert_int_equal(pb_function(b, &f, &line.func), 0);  /* name "" */
	assert_int_equal(pb_location(b, map, 0x400300, &line, 1, &locs[0]), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x55, &line, 1, &locs[1]), 0);
	assert_int_equal(pb_sample(b, locs, 2, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	assert_string_equal(prof_str(p, p->functions[p->lines[p->locations[locs[0]].line_off].func].name),
			    "[prog]");
	assert_string_equal(prof_str(p, p->functions[p->lines[p->locations[locs[1]].line_off].func].name),
			    "<unknown>");
	assert_string_equal(prof_str(p, p->functions[p->lines[p->locations[locs[0]].line_off].func].file),
			    "c.go");
	assert_int_equal(encode_folded(p, 0, &out), 0);
	assert_string_equal(out.data, "<unknown>;[prog] 5\n");
	buf_release(&out);
	prof_free(p);
}

/*
 * Folded export writes what the folded reader reads back as the same stacks: a root
 * frame starting with '#' is not a comment line, one starting with a blank is kept.
 */
static void test_folded_reads_back(void **state)
{
	static const struct stack st[] = {
		/* a NUL in the first line made the reader take the file for protobuf */
		{ { "n\0ul", "x\xff" "y", "caf\xc3\xa9", "\xc0\xaf" }, { 4, 3, 0, 2 }, 1 },
		{ { "#hash", "main" }, { 0 }, 2 },
		{ { " sp", "x" }, { 0 }, 3 },
		{ { "main", "#x" }, { 0 }, 4 },
	};
	struct prof *p = make_prof("samples", "count", st, 4), *q;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(encode_folded(p, 0, &out), 0);
	assert_int_equal(out.len, strlen(out.data));  /* no NUL */
	assert_string_equal(out.data, "n\xef\xbf\xbdul;x\xef\xbf\xbdy;caf\xc3\xa9;"
				      "\xef\xbf\xbd\xef\xbf\xbd 1\n"
				      "?hash;main 2\n?sp;x 3\nmain;#x 4\n");
	q = tu_decode_bytes(out.data, out.len, "export.folded");
	assert_int_equal(q->nsamples, 4);
	tu_assert_i64(prof_total(q, 0), 10);
	assert_true(tu_has_function(q, "n\xef\xbf\xbdul"));
	assert_true(tu_has_function(q, "x\xef\xbf\xbdy"));
	assert_true(tu_has_function(q, "caf\xc3\xa9"));
	assert_true(tu_has_function(q, "?hash"));
	assert_true(tu_has_function(q, "?sp"));
	assert_true(tu_has_function(q, "#x"));
	prof_free(q);
	buf_release(&out);
	prof_free(p);
}

/*
 * The shared fixture whose string table holds a name of all 256 bytes: the folded file
 * is UTF-8 without a NUL, and smolder reads it back as folded, with the same total.
 */
static void test_folded_every_byte(void **state)
{
	struct prof *p, *q;
	struct buf out = BUF_INIT;
	size_t i, len;

	(void)state;
	p = tu_decode("pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/invalid_utf8.pb.gz");
	assert_int_equal(encode_folded(p, p->default_type, &out), 0);
	assert_true(out.len > 256);
	for (i = 0; i < out.len; i += len) {
		len = text_utf8_len(out.data + i, out.len - i);
		if (len == 0 || out.data[i] == '\0')
			fail_msg("byte %zu of the folded file is 0x%02x: not UTF-8 text", i,
				 (unsigned char)out.data[i]);
	}
	assert_non_null(strstr(out.data, "\xef\xbf\xbd\x01\x02"));  /* NUL, then kept bytes */
	q = tu_decode_bytes(out.data, out.len, "export.folded");
	tu_assert_i64(prof_total(q, 0), prof_total(p, p->default_type));
	prof_free(q);
	buf_release(&out);
	prof_free(p);
}

/*
 * The pprof decoder drops a label whose string, number and unit are all 0, as pprof's
 * postDecode does (here written by encode_pprof and read back): it is not numeric.
 */
static void test_pprof_zero_label_dropped(void **state)
{
	struct prof_builder *b;
	struct prof *p, *q;
	struct prof_label lb[2] = { { 0 }, { 0 } };
	struct buf out = BUF_INIT;
	uint32_t t, u, loc;
	int64_t v = 1;

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "k", 1, &lb[0].key), 0);
	lb[1].key = lb[0].key;
	lb[1].num = 5;
	assert_int_equal(pb_named_frame(b, "fa", 2, &loc), 0);
	assert_int_equal(pb_sample(b, &loc, 1, &v, &lb[0], 1), 0);  /* all zero */
	assert_int_equal(pb_sample(b, &loc, 1, &v, lb, 2), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	assert_int_equal(encode_pprof(p, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "labels.pb.gz");
	assert_int_equal(q->nsamples, 2);
	assert_int_equal(q->samples[0].nlabels, 0);
	assert_int_equal(q->samples[1].nlabels, 1);
	assert_string_equal(prof_str(q, q->labels[q->samples[1].label_off].key), "k");
	tu_assert_i64(q->labels[q->samples[1].label_off].num, 5);
	prof_free(q);
	buf_release(&out);
	prof_free(p);
}

/*
 * A pprof profile's comments (field 13) travel through the model and come back from a
 * pprof export in order (e2e_export checks the file with go tool pprof -comments); an
 * out-of-range string index is refused.
 */
static void test_pprof_comments(void **state)
{
	struct prof *p, *q;
	struct buf out = BUF_INIT;
	static const uint8_t bad[] = {
		0x32, 0x00,              /* string_table: "" */
		0x68, 0x07,              /* comment: string 7 */
	};

	(void)state;
	p = tu_decode("pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_java");
	assert_int_equal(p->ncomments, 1);
	assert_string_equal(prof_str(p, p->comments[0]), "async-profiler");
	assert_int_equal(encode_pprof(p, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "export.pb.gz");
	assert_int_equal(q->ncomments, 1);
	assert_string_equal(prof_str(q, q->comments[0]), "async-profiler");
	prof_free(q);
	prof_free(p);
	/* several, in order, one repeated */
	{
		struct prof_builder *b;
		uint32_t t, u, loc, c1, c2;
		int64_t v = 1;

		assert_int_equal(pb_new(&b), 0);
		assert_int_equal(pb_string(b, "samples", 7, &t), 0);
		assert_int_equal(pb_string(b, "count", 5, &u), 0);
		assert_int_equal(pb_sample_type(b, t, u), 0);
		assert_int_equal(pb_string(b, "second", 6, &c2), 0);
		assert_int_equal(pb_string(b, "first line", 10, &c1), 0);
		assert_int_equal(pb_add_comment(b, c1), 0);
		assert_int_equal(pb_add_comment(b, c2), 0);
		assert_int_equal(pb_add_comment(b, c1), 0);
		assert_int_equal(pb_named_frame(b, "main", 4, &loc), 0);
		assert_int_equal(pb_sample(b, &loc, 1, &v, NULL, 0), 0);
		assert_int_equal(pb_finish(b, &p), 0);
	}
	buf_reset(&out);
	assert_int_equal(encode_pprof(p, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "export.pb.gz");
	assert_int_equal(q->ncomments, 3);
	assert_string_equal(prof_str(q, q->comments[0]), "first line");
	assert_string_equal(prof_str(q, q->comments[1]), "second");
	assert_string_equal(prof_str(q, q->comments[2]), "first line");
	prof_free(q);
	prof_free(p);
	buf_release(&out);
	assert_int_equal(tu_decode_fails(bad, sizeof(bad), "bad"), ERR_PARSE);
	assert_non_null(strstr(err_last(), "comment refers to string 7"));
}

/*
 * The has_* flags of the exported mappings say only what their locations show: mapping 1
 * has a function without file or line (FN only), mapping 2 a file and a line (FN FL LN),
 * mapping 3 an inlined frame too (all four), mapping 4 only an unsymbolized location
 * (none).  Exports used to set all four on every symbolized mapping, which tells pprof
 * the mapping is fully symbolized.
 */
static void test_pprof_mapping_flags(void **state)
{
	struct prof_builder *b;
	struct prof *p;
	struct buf out = BUF_INIT, raw = BUF_INIT;
	Perftools__Profiles__Profile *pb;
	uint32_t t, u, file, names[3], fn[3], maps[4], locs[4], i;
	struct prof_line ln[2];
	int64_t v = 1;

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "m.go", 4, &file), 0);
	for (i = 0; i < 3; i++) {
		char nm[8];
		int n = snprintf(nm, sizeof(nm), "f%u", i);

		assert_int_equal(pb_string(b, nm, (size_t)n, &names[i]), 0);
		assert_int_equal(pb_function(b, &(struct prof_function){ names[i], names[i],
						i ? file : 0, 0 }, &fn[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		struct prof_mapping m = { 0x1000 * (i + 1), 0x1000 * (i + 2), 0, 0, 0 };

		assert_int_equal(pb_mapping(b, &m, &maps[i]), 0);
	}
	ln[0] = (struct prof_line){ fn[0], 0 };
	assert_int_equal(pb_location(b, maps[0], 0x1010, ln, 1, &locs[0]), 0);
	ln[0] = (struct prof_line){ fn[1], 12 };
	assert_int_equal(pb_location(b, maps[1], 0x2010, ln, 1, &locs[1]), 0);
	ln[0] = (struct prof_line){ fn[2], 3 };
	ln[1] = (struct prof_line){ fn[1], 14 };
	assert_int_equal(pb_location(b, maps[2], 0x3010, ln, 2, &locs[2]), 0);
	assert_int_equal(pb_location(b, maps[3], 0x4010, NULL, 0, &locs[3]), 0);
	assert_int_equal(pb_sample(b, locs, 4, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	assert_int_equal(encode_pprof(p, &out), 0);
	assert_int_equal(decode_inflate((const uint8_t *)out.data, out.len, 1 << 20, &raw), 0);
	pb = perftools__profiles__profile__unpack(NULL, raw.len, (const uint8_t *)raw.data);
	assert_non_null(pb);
	assert_int_equal(pb->n_mapping, 4);
	{
		static const int want[4][4] = { { 1, 0, 0, 0 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 },
						{ 0, 0, 0, 0 } };

		for (i = 0; i < 4; i++) {
			const Perftools__Profiles__Mapping *m = pb->mapping[i];

			assert_int_equal(m->memory_start, 0x1000 * (i + 1));
			assert_int_equal(!!m->has_functions, want[i][0]);
			assert_int_equal(!!m->has_filenames, want[i][1]);
			assert_int_equal(!!m->has_line_numbers, want[i][2]);
			assert_int_equal(!!m->has_inline_frames, want[i][3]);
		}
	}
	perftools__profiles__profile__free_unpacked(pb, NULL);
	buf_release(&raw);
	buf_release(&out);
	prof_free(p);
}

/*
 * A leaf frame ending in a blank: the folded reader trims blanks before the count, so
 * that last blank is written as '?', as ';' is (it came back as "tail", another
 * function).  A blank
 * at the end of an inner frame reads back as it is and is kept.
 */
static void test_folded_trailing_blank(void **state)
{
	static const struct stack st[] = {
		{ { "main", "tail " }, { 0 }, 2 },
		{ { "tail ", "x" }, { 0 }, 3 },
		{ { "main", "a\t\t" }, { 0 }, 5 },
		{ { " " }, { 0 }, 7 },
	};
	struct prof *p = make_prof("samples", "count", st, 4), *q;
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(encode_folded(p, 0, &out), 0);
	assert_string_equal(out.data, "main;tail? 2\ntail ;x 3\nmain;a\t? 5\n? 7\n");
	q = tu_decode_str(out.data);
	assert_int_equal(q->nsamples, 4);
	tu_assert_i64(prof_total(q, 0), 17);
	assert_true(tu_has_function(q, "tail?"));
	assert_true(tu_has_function(q, "tail "));
	assert_true(tu_has_function(q, "a\t?"));
	assert_false(tu_has_function(q, "tail"));
	prof_free(q);
	buf_release(&out);
	prof_free(p);
}

/*
 * Root frames that begin like JSON or a web page ("{closure}" is a Rust and PHP frame)
 * round-trip through a folded export: the file starts with a comment line, which folded
 * readers skip, so no reader that sniffs the first bytes takes it for speedscope, Pyroscope
 * JSON or HTML ("{closure};speedscope::render 100" was refused: "speedscope: invalid
 * JSON at byte 8").  A root without such a start gets no comment.
 */
static void test_folded_markup_roots(void **state)
{
	static const char *const roots[] = {
		"{closure}", "<html>", "<!DOCTYPE html>",
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"}",
		"{\"flamebearer\":{}}", "\xef\xbb\xbf {x}",
	};
	struct buf out = BUF_INIT;
	struct prof *p, *q;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(roots) / sizeof(roots[0]); k++) {
		struct stack st[] = {
			{ { roots[k], "speedscope::render" }, { 0 }, 100 },
			{ { "main", "x" }, { 0 }, 5 },
		};

		p = make_prof("samples", "count", st, 2);
		buf_reset(&out);
		assert_int_equal(encode_folded(p, 0, &out), 0);
		assert_memory_equal(out.data, "# ", 2);
		q = tu_decode_bytes(out.data, out.len, "export.folded");
		assert_int_equal(q->nsamples, 2);
		tu_assert_i64(prof_total(q, 0), 105);
		if (!tu_has_function(q, roots[k]))
			fail_msg("'%s' did not read back", roots[k]);
		assert_true(tu_has_function(q, "speedscope::render"));
		prof_free(q);
		prof_free(p);
	}
	{
		static const struct stack st[] = {
			{ { "main", "{closure}" }, { 0 }, 1 },
			{ { "<module>", "x" }, { 0 }, 2 },
		};

		p = make_prof("samples", "count", st, 2);
		buf_reset(&out);
		assert_int_equal(encode_folded(p, 0, &out), 0);
		assert_string_equal(out.data, "main;{closure} 1\n<module>;x 2\n");
		prof_free(p);
	}
	buf_release(&out);
}

/* One sample of `depth` frames, all the function named name[0..len). */
static struct prof *deep_prof(const char *name, size_t len, uint32_t depth)
{
	struct prof_builder *b;
	struct prof *p;
	uint32_t t, u, *locs = calloc(depth, sizeof(*locs)), i;
	int64_t v = 5;

	assert_non_null(locs);
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_named_frame(b, name, len, &locs[0]), 0);
	for (i = 1; i < depth; i++)
		locs[i] = locs[0];
	assert_int_equal(pb_sample(b, locs, depth, &v, NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	free(locs);
	return p;
}

/*
 * Folded text repeats every name on every line: a 1 MiB name on a 1,100-deep recursive
 * stack (a 1 KB pprof) would be 1.1 GiB.  It is refused before anything is written, in
 * one line naming the limit.  A smaller one is written.
 */
static void test_folded_bounded(void **state)
{
	size_t len = (size_t)1 << 20;
	char *name = malloc(len);
	struct buf out = BUF_INIT;
	struct prof *p;

	(void)state;
	assert_non_null(name);
	memset(name, 'f', len);
	p = deep_prof(name, len, 1100);
	assert_int_equal(encode_folded(p, 0, &out), ERR_TOOBIG);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(err_last(), "folded output would pass 1 GiB"));
	assert_null(strchr(err_last(), '\n'));
	prof_free(p);
	p = deep_prof(name, len / 64, 1000);  /* 16 MiB */
	assert_int_equal(encode_folded(p, 0, &out), 0);
	assert_int_equal(out.len, 1000 * (len / 64 + 1) - 1 + strlen(" 5\n"));
	assert_memory_equal(out.data + out.len - 3, " 5\n", 3);
	buf_release(&out);
	prof_free(p);
	free(name);
}

/*
 * An SVG box's title and text carry its name: a 1 MiB name on a 300-deep stack made
 * 300 MB of SVG (and 70 s).  Names are cut to 4 KiB with "…", at a character boundary.
 */
static void test_svg_long_name(void **state)
{
	size_t len = (size_t)1 << 20, i;
	char *name = malloc(len), *want;
	struct buf out = BUF_INIT;
	struct prof *p;
	const char *doc;

	(void)state;
	assert_non_null(name);
	name[0] = 'x';  /* then "é" over and over: 4,096 bytes end inside one */
	for (i = 1; i + 2 <= len; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	name[len - 1] = 'x';
	p = deep_prof(name, len, 300);
	doc = svg(p, "long", &out);
	assert_true(out.len < 2 * 1024 * 1024);
	assert_int_equal(count(doc, "<g class=\"f\">"), 301);
	want = malloc(4096 + 64);
	assert_non_null(want);
	memcpy(want, "<title>", 7);
	memcpy(want + 7, name, 4095);  /* byte 4096 would split an "é" */
	strcpy(want + 7 + 4095, "\xe2\x80\xa6 (5, 100%)</title>");
	assert_int_equal(count(doc, want), 300);  /* svg() checked the UTF-8 */
	free(want);
	buf_release(&out);
	prof_free(p);
	free(name);
}

/*
 * --collapse-recursion keeps a location's inline frames together when none of them
 * collapsed, so a pprof export still marks them (inline): the stacks were rebuilt from
 * single-line locations.  Lfg holds g inlined into f.  main;f(Lf);f;g collapses the
 * outer f and keeps Lfg whole; in Lff (f inlined into f) the two lines collapse and
 * one line of it is left.
 */
static void test_collapse_keeps_inline(void **state)
{
	static const char *const names[] = { "main", "f", "g" };
	struct prof_builder *b;
	struct prof *p, *c, *q;
	struct prof_function fn = { 0 };
	struct prof_line ln[3][2];
	uint32_t t, u, fid[3], lm, lf, lfg, lff, i, j;
	int64_t v[3] = { 3, 5, 7 };
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "samples", 7, &t), 0);
	assert_int_equal(pb_string(b, "count", 5, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pb_string(b, names[i], strlen(names[i]), &fn.name), 0);
		assert_int_equal(pb_function(b, &fn, &fid[i]), 0);
	}
	ln[0][0] = (struct prof_line){ fid[0], 10 };
	ln[1][0] = (struct prof_line){ fid[1], 20 };
	ln[2][0] = (struct prof_line){ fid[2], 30 };  /* g inlined at f:21 */
	ln[2][1] = (struct prof_line){ fid[1], 21 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x100, ln[0], 1, &lm), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x200, ln[1], 1, &lf), 0);
	assert_int_equal(pb_location(b, PROF_NONE, 0x300, ln[2], 2, &lfg), 0);
	ln[2][0] = (struct prof_line){ fid[1], 22 };  /* f inlined at f:21 */
	assert_int_equal(pb_location(b, PROF_NONE, 0x400, ln[2], 2, &lff), 0);
	assert_int_equal(pb_sample(b, (uint32_t[]){ lfg, lm }, 2, &v[0], NULL, 0), 0);
	assert_int_equal(pb_sample(b, (uint32_t[]){ lfg, lf, lm }, 3, &v[1], NULL, 0), 0);
	assert_int_equal(pb_sample(b, (uint32_t[]){ lff, lm }, 2, &v[2], NULL, 0), 0);
	assert_int_equal(pb_finish(b, &p), 0);
	assert_int_equal(prof_collapse_recursion(p, &c), 0);
	assert_int_equal(encode_pprof(c, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "collapsed.pb.gz");
	assert_int_equal(q->nsamples, 3);
	for (i = 0; i < 3; i++) {
		const struct prof_sample *s = &q->samples[i];
		const struct prof_location *leaf = &q->locations[q->sample_locs[s->loc_off]];
		const struct prof_line *l0 = &q->lines[leaf->line_off];

		assert_int_equal(s->nlocs, 2);  /* main, then the leaf location */
		tu_assert_i64(prof_value(q, i, 0), v[i]);
		if (i < 2) {
			assert_int_equal(leaf->nlines, 2);
			assert_string_equal(prof_str(q, q->functions[l0[0].func].name), "g");
			tu_assert_i64(l0[0].line, 30);
			assert_string_equal(prof_str(q, q->functions[l0[1].func].name), "f");
			tu_assert_i64(l0[1].line, 21);
		} else {
			/* the innermost f kept: its line is where the time was spent */
			assert_int_equal(leaf->nlines, 1);
			assert_string_equal(prof_str(q, q->functions[l0[0].func].name), "f");
			tu_assert_i64(l0[0].line, 22);
		}
		j = q->sample_locs[s->loc_off + 1];
		assert_int_equal(q->locations[j].nlines, 1);
	}
	prof_free(q);
	prof_free(c);
	prof_free(p);
	buf_release(&out);
}

/*
 * A sample type with nothing to show (req_5.pprof's inuse_space: every value 0) made a
 * 0-byte folded file and a speedscope file with "samples":[], both refused when read
 * back; the encoders refuse them in one line naming the type, as they do a type whose
 * only samples a format leaves out (speedscope: negative values; folded: no frames).
 * pprof still writes such a profile, which reads back with its samples.
 */
static void test_nothing_to_write(void **state)
{
	const struct stack neg[] = { { { "main", "f", NULL }, { 0 }, -4 },
				     { { "main", NULL }, { 0 }, 0 } };
	const struct stack ok[] = { { { "main", NULL }, { 0 }, 1 } };
	struct prof *p, *q;
	struct buf out = BUF_INIT;
	int inuse;

	(void)state;
	p = tu_decode("pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/req_5.pprof");
	inuse = tu_type(p, "inuse_space");
	tu_assert_i64(prof_total(p, (uint32_t)inuse), 0);
	assert_int_equal(encode_folded(p, (uint32_t)inuse, &out), ERR_UNSUPPORTED);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "'inuse_space'"));
	assert_non_null(strstr(err_last(), "empty folded file"));
	buf_reset(&out);
	assert_int_equal(encode_speedscope(p, (uint32_t)inuse, "req_5.pprof", &out),
			 ERR_UNSUPPORTED);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "'inuse_space'"));
	assert_non_null(strstr(err_last(), "speedscope"));
	/* another type of the same profile is written, and pprof writes them all */
	buf_reset(&out);
	assert_int_equal(encode_folded(p, (uint32_t)tu_type(p, "alloc_space"), &out), 0);
	q = tu_decode_bytes(out.data, out.len, "alloc.folded");
	tu_assert_i64(prof_total(q, 0), prof_total(p, (uint32_t)tu_type(p, "alloc_space")));
	prof_free(q);
	buf_reset(&out);
	assert_int_equal(encode_pprof(p, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "req_5.pb.gz");
	assert_int_equal(q->nsamples, p->nsamples);
	prof_free(q);
	prof_free(p);

	/* negative values only: folded writes them (a diff), speedscope has none to write */
	p = make_prof("\x1b[31mdelta", "count", neg, 2);
	buf_reset(&out);
	assert_int_equal(encode_folded(p, 0, &out), 0);
	assert_string_equal(out.data, "main;f -4\n");
	buf_reset(&out);
	assert_int_equal(encode_speedscope(p, 0, NULL, &out), ERR_UNSUPPORTED);
	tu_assert_message(err_last());  /* the type's escape sequence is not in it */
	assert_non_null(strstr(err_last(), "delta'"));
	prof_free(p);

	/* a sample without frames is no folded line */
	{
		struct prof_builder *b;
		uint32_t t, u;
		int64_t v = 7;

		assert_int_equal(pb_new(&b), 0);
		assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
		assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
		assert_int_equal(pb_sample_type(b, t, u), 0);
		assert_int_equal(pb_sample(b, NULL, 0, &v, NULL, 0), 0);
		assert_int_equal(pb_finish(b, &p), 0);
	}
	buf_reset(&out);
	assert_int_equal(encode_folded(p, 0, &out), ERR_UNSUPPORTED);
	assert_non_null(strstr(err_last(), "'cpu'"));
	/* speedscope writes it as an empty stack, which reads back */
	buf_reset(&out);
	assert_int_equal(encode_speedscope(p, 0, NULL, &out), 0);
	q = tu_decode_bytes(out.data, out.len, "x.speedscope");
	tu_assert_i64(prof_total(q, 0), 7);
	prof_free(q);
	prof_free(p);

	/* one sample with a value is enough */
	p = make_prof("samples", "count", ok, 1);
	buf_reset(&out);
	assert_int_equal(encode_folded(p, 0, &out), 0);
	buf_reset(&out);
	assert_int_equal(encode_speedscope(p, 0, NULL, &out), 0);
	prof_free(p);
	buf_release(&out);
}

/* The explorer on p (taken; a prof_pair() when diff) after `2 /^runtime\.mallocgc$ Enter 3
 * Up`, drawn on scr after each key (the table's rows are made when drawn). */
static struct tui_app *callers_of_mallocgc(struct prof *p, bool diff, struct offscreen *scr)
{
	struct tui_opts o = { .sample_type = -1, .source = "cpu", .diff = diff };
	const char *k = "2/^runtime\\.mallocgc$\n3";
	struct tui_app *a;

	o.base_source = diff ? "base" : NULL;
	if (tui_app_new(p, &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	for (; *k; k++, screen_text(a, scr))
		tui_app_key(a, (unsigned char)*k);
	tui_app_key(a, KEY_UP);
	assert_true(a->view == VIEW_SANDWICH && a->sw.focus_callers);
	assert_string_equal(prof_str(a->sw.from, a->sw.name), "runtime.mallocgc");
	return a;
}

/* e, the format's key, a path on the prompt, Enter: the file's text, in b. */
static const char *explorer_export(struct tui_app *a, int key, const char *name, struct buf *b)
{
	const char *path = tu_tmp_path(name);

	tui_app_key(a, 'e');
	tui_app_key(a, key);
	a->prompt_len = (size_t)snprintf(a->prompt, sizeof(a->prompt), "%s", path);
	tui_app_key(a, '\n');
	if (!strstr(a->message, "wrote "))
		fail_msg("the export to %s did not land: '%s'", name, a->message);
	buf_reset(b);
	assert_int_equal(buf_read_file(b, path, 64 << 20), 0);
	return b->data;
}

/* The flat and cum of p's top-table row `name`. */
static void top_row_is(const struct prof *p, const char *name, int64_t flat, int64_t cum)
{
	const struct top_row *r;
	struct top t;

	assert_int_equal(top_compute(p, p->default_type, &t), 0);
	assert_non_null(r = tu_top_row(&t, p, name));
	tu_assert_i64(r->flat, flat);
	tu_assert_i64(r->cum, cum);
	top_release(&t);
}

/* The sum of folded text's values (*neg: the negative ones'); each line ends ";leaf V". */
static int64_t folded_leaf_sum(const char *text, const char *leaf, int64_t *neg)
{
	const char *l, *nl, *sp;  /* a line, its end, the space before its value */
	char want[128];
	size_t n = (size_t)snprintf(want, sizeof(want), ";%s", leaf);
	int64_t sum = 0, v;

	for (*neg = 0, l = text; *l; l = nl + 1) {
		assert_non_null(nl = strchr(l, '\n'));
		assert_non_null(sp = memrchr(l, ' ', (size_t)(nl - l)));
		if ((size_t)(sp - l) < n || memcmp(sp - n, want, n) != 0)
			fail_msg("a stack that does not end in %s: %.*s", leaf, (int)(nl - l), l);
		sum += v = strtoll(sp + 1, NULL, 10);
		*neg += v < 0 ? v : 0;
	}
	return sum;
}

/*
 * The sandwich's callers half is stored upside down (the function its root): written as
 * it was, pprof -top put all 0.95 s flat in main.worker and -traces ended every stack
 * there.  Every format has the function as each stack's leaf now, with the numbers of
 * pprof -focus='^runtime\.mallocgc$' -prune_from='^runtime\.mallocgc$' (-diff_base too).
 */
static void test_sandwich_callers_export(void **state)
{
	int made = tu_tmp_create("export-view");  /* first: explorer_export's files go there */
	struct offscreen scr = screen_open(30, 160);
	struct tui_app *a = callers_of_mallocgc(tu_decode("go/cpuwork-cpu.pb.gz"), false, &scr);
	struct prof *p, *base = tu_decode("go/cpuwork-cpu.pb.gz"), *pair;
	struct prof *cur = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct buf b = BUF_INIT;
	const char *svg;
	json_t *j, *s;
	int64_t neg;
	size_t i;

	(void)state;
	assert_int_equal(made, 0);
	explorer_export(a, 'p', "callers.pb.gz", &b);
	p = tu_decode_bytes(b.data, b.len, "callers.pb.gz");
	top_row_is(p, "runtime.mallocgc", 950000000, 950000000);  /* the leaf of every stack */
	top_row_is(p, "main.worker", 0, 950000000);
	top_row_is(p, "main.decodeRecords", 0, 460000000);
	top_row_is(p, "runtime.growslice", 0, 230000000);
	top_row_is(p, "bytes.growSlice", 0, 110000000);
	prof_free(p);
	tu_assert_i64(folded_leaf_sum(explorer_export(a, 'f', "callers.folded", &b),
				      "runtime.mallocgc", &neg), 950000000);
	j = json_loads(explorer_export(a, 's', "callers.json", &b), 0, NULL);
	s = json_object_get(profile0(j), "samples");
	for (i = 0; i < json_array_size(s); i++) {  /* root first: the function last */
		json_t *st = json_array_get(s, i);

		assert_string_equal(frame_name(j, (size_t)json_integer_value(
			json_array_get(st, json_array_size(st) - 1))), "runtime.mallocgc");
	}
	json_decref(j);
	/* the svg's first box above "all" is the root of every stack */
	svg = strstr(explorer_export(a, 'v', "callers.svg", &b), "<title>all (");
	assert_true(svg && (svg = strstr(svg + 1, "<title>")));
	assert_memory_equal(svg, "<title>main.worker (", 20);
	tui_app_free(a);

	/* a diff (the 3x profile against cpuwork): pprof and folded in -diff_base form */
	assert_int_equal(prof_pair(base, cur, &pair), 0);
	a = callers_of_mallocgc(pair, true, &scr);
	explorer_export(a, 'p', "diff.pb.gz", &b);
	p = tu_decode_bytes(b.data, b.len, "diff.pb.gz");
	top_row_is(p, "runtime.mallocgc", -110000000, -110000000);
	top_row_is(p, "main.worker", 0, -110000000);
	top_row_is(p, "bytes.growSlice", 0, -60000000);
	prof_free(p);
	tu_assert_i64(folded_leaf_sum(explorer_export(a, 'f', "diff.folded", &b),
				      "runtime.mallocgc", &neg), -110000000);
	tu_assert_i64(neg, -950000000);  /* the base's 0.95 s, negated */
	tui_app_free(a);
	screen_close(&scr);
	prof_free(base);
	prof_free(cur);
	buf_release(&b);
	tu_tmp_remove();
}

/* The flat of frames whose innermost line is func at line (0: any line) in p's default type. */
static int64_t leaf_flat(const struct prof *p, const char *func, int64_t line)
{
	int64_t sum = 0;
	uint32_t i;

	for (i = 0; i < p->nsamples; i++) {
		const struct prof_sample *s = &p->samples[i];
		const struct prof_location *l;
		const struct prof_line *ln;

		if (!s->nlocs)
			continue;
		l = &p->locations[p->sample_locs[s->loc_off]];
		ln = &p->lines[l->line_off];
		if (strcmp(prof_str(p, p->functions[ln->func].name), func) == 0 &&
		    (line == 0 || ln->line == line))
			sum += p->values[(size_t)i * p->ntypes + p->default_type];
	}
	return sum;
}

/* An explorer on cpuwork at granularity gran (enum granularity). */
static struct tui_app *explorer_at(int gran, struct offscreen *scr)
{
	struct tui_opts o = { .sample_type = -1, .source = "cpu", .granularity = gran };
	struct tui_app *a;

	if (tui_app_new(tu_decode("go/cpuwork-cpu.pb.gz"), &o, &a))
		fail_msg("tui_app_new: %s", err_last());
	screen_text(a, scr);
	return a;
}

/*
 * A pprof file of lines granularity named each function by its line key ("main.scoreRecords
 * cpuwork/main.go:146"): go tool pprof -list 'main\.scoreRecords$' found nothing and
 * -lines showed the place twice.  The file has pprof's names now (the function, its line
 * kept, as pprof -lines reads the profile) from the explorer's e as from smolder export
 * (tests/e2e/export.sh compares go tool pprof's reports); folded keeps the keys.
 */
static void test_granularity_pprof_names(void **state)
{
	int made = tu_tmp_create("export-gran");
	struct offscreen scr = screen_open(30, 160);
	struct tui_app *a = explorer_at(GRAN_LINES, &scr);
	struct prof *p, *before = tu_decode("go/cpuwork-cpu.pb.gz"), *shown, *form;
	struct buf b = BUF_INIT;
	uint32_t i;

	(void)state;
	assert_int_equal(made, 0);
	explorer_export(a, 'p', "lines.pb.gz", &b);
	p = tu_decode_bytes(b.data, b.len, "lines.pb.gz");
	top_row_is(p, "main.scoreRecords", 1550000000, 1550000000);  /* go tool pprof -top */
	tu_assert_i64(leaf_flat(p, "main.scoreRecords", 146), 1270000000);  /* -top -lines */
	tu_assert_i64(leaf_flat(p, "main.scoreRecords", 145), 270000000);
	for (i = 0; i < p->nfunctions; i++)
		if (strstr(prof_str(p, p->functions[i].name), "cpuwork/main.go"))
			fail_msg("a function named by its key: %s", prof_str(p, p->functions[i].name));
	for (i = 0; i < p->nlocations; i++)  /* pprof's Aggregate: no addresses, merged */
		if (!p->locations[i].unsymbolized)
			assert_true(p->locations[i].address == 0);
	prof_free(p);
	assert_non_null(strstr(explorer_export(a, 'f', "lines.folded", &b),
			       ";main.scoreRecords cpuwork/main.go:146 "));
	tui_app_free(a);

	/* the library's, for smolder export: the same file */
	assert_int_equal(prof_granularity(before, GRAN_LINES, &shown), 0);
	assert_int_equal(granularity_pprof(shown, before, GRAN_LINES, &form), 0);
	assert_non_null(form);
	tu_assert_i64(leaf_flat(form, "main.scoreRecords", 146), 1270000000);
	assert_true(form->nlocations < before->nlocations);
	prof_free(form);
	prof_free(shown);

	/* files: the file's name, lines 0 (go tool pprof -top -files reads the same) */
	a = explorer_at(GRAN_FILES, &scr);
	explorer_export(a, 'p', "files.pb.gz", &b);
	p = tu_decode_bytes(b.data, b.len, "files.pb.gz");
	top_row_is(p, "cpuwork/main.go", 1550000000, 8990000000);
	tu_assert_i64(leaf_flat(p, "cpuwork/main.go", 0), 1550000000);
	prof_free(p);
	tui_app_free(a);
	screen_close(&scr);
	prof_free(before);
	buf_release(&b);
	tu_tmp_remove();
}

/* The whole of the file at path, as a string (the test's buffer). */
static const char *slurp(const char *path, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(buf_read_file(b, path, 1 << 20), 0);
	return b->data ? b->data : "";
}

/* How many entries the scratch directory holds (no temporary file left behind). */
static int entries(void)
{
	DIR *d = opendir(tu_tmp_path(""));
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_outfile(void **state)
{
	char f[4096], lnk[4096], fifo[4096], dangling[4096], hl[4096], sub[4200];
	struct buf b = BUF_INIT;
	struct rlimit old, lim;
	struct stat st, before;
	void (*prev)(int);
	int rc;

	(void)state;
	assert_int_equal(tu_tmp_create("outfile"), 0);
	snprintf(f, sizeof(f), "%s", tu_tmp_path("f.folded"));
	snprintf(lnk, sizeof(lnk), "%s", tu_tmp_path("lnk"));
	snprintf(fifo, sizeof(fifo), "%s", tu_tmp_path("fifo"));
	snprintf(dangling, sizeof(dangling), "%s", tu_tmp_path("dangling"));

	/* without OUTFILE_REPLACE: a free name is taken, a taken one refused */
	assert_int_equal(outfile_write(f, "a 1\n", 4, 0), 0);
	assert_string_equal(slurp(f, &b), "a 1\n");
	assert_int_equal(outfile_write(f, "b 2\n", 4, 0), ERR_USAGE);
	assert_non_null(strstr(err_last(), "': File exists"));
	assert_string_equal(slurp(f, &b), "a 1\n");
	assert_int_equal(symlink("nowhere", dangling), 0);
	assert_int_equal(outfile_write(dangling, "x", 1, 0), ERR_USAGE);
	/* a name that cannot be looked up is not one that exists: the reason is given */
	snprintf(sub, sizeof(sub), "%s/x.pb.gz", f);
	assert_int_equal(outfile_write(sub, "x", 1, 0), ERR_IO);
	assert_non_null(strstr(err_last(), "': Not a directory"));
	assert_null(strstr(err_last(), "File exists"));

	/* replaced: the mode kept; through a link, the file it points at */
	assert_int_equal(chmod(f, 0640), 0);
	assert_int_equal(outfile_write(f, "b 2\n", 4, OUTFILE_REPLACE), 0);
	assert_string_equal(slurp(f, &b), "b 2\n");
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(symlink(f, lnk), 0);
	assert_int_equal(outfile_write(lnk, "c 3\n", 4, OUTFILE_REPLACE), 0);
	assert_string_equal(slurp(f, &b), "c 3\n");
	assert_int_equal(lstat(lnk, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	/* a FIFO only with OUTFILE_IN_PLACE (not opened here: nobody reads it) */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(outfile_write(fifo, "x", 1, OUTFILE_REPLACE), ERR_IO);
	assert_non_null(strstr(err_last(), "not a regular file"));

	/* a write that fails (a file size limit, as a full disk): the old file stays whole */
	assert_int_equal(entries(), 4);
	prev = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 2;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = outfile_write(f, "d 4\n", 4, OUTFILE_REPLACE);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, ERR_NOSPACE);
	assert_non_null(strstr(err_last(), "': File too large"));
	assert_string_equal(slurp(f, &b), "c 3\n");
	assert_int_equal(entries(), 4);

	/* a file with another name (a hard link) is written over: both names see it */
	snprintf(hl, sizeof(hl), "%s", tu_tmp_path("hl"));
	assert_int_equal(link(f, hl), 0);
	assert_int_equal(stat(f, &before), 0);
	assert_int_equal(outfile_write(f, "e 5\n", 4, OUTFILE_REPLACE), 0);
	assert_string_equal(slurp(hl, &b), "e 5\n");
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_ino, before.st_ino);
	assert_int_equal(st.st_nlink, 2);
	assert_int_equal(unlink(hl), 0);

	/* another owner and group are kept (given to the temporary file, or written over) */
	if (geteuid() == 0) {
		assert_int_equal(chown(f, 4321, 4322), 0);
		assert_int_equal(outfile_write(f, "f 6\n", 4, OUTFILE_REPLACE), 0);
		assert_string_equal(slurp(f, &b), "f 6\n");
		assert_int_equal(stat(f, &st), 0);
		assert_int_equal(st.st_uid, 4321);
		assert_int_equal(st.st_gid, 4322);
		assert_int_equal(st.st_mode & 07777, 0640);
	}
	assert_int_equal(entries(), 4);

	buf_release(&b);
	tu_tmp_remove();
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speedscope_folded),
		cmocka_unit_test(test_speedscope_fixture),
		cmocka_unit_test(test_speedscope_frames),
		cmocka_unit_test(test_speedscope_hostile),
		cmocka_unit_test(test_speedscope_names_kept),
		cmocka_unit_test(test_svg_widths),
		cmocka_unit_test(test_svg_hostile),
		cmocka_unit_test(test_svg_narrow),
		cmocka_unit_test(test_pprof_default_type),
		cmocka_unit_test(test_pprof_default_named),
		cmocka_unit_test(test_merge_default_named),
		cmocka_unit_test(test_nameless_function),
		cmocka_unit_test(test_folded_reads_back),
		cmocka_unit_test(test_folded_every_byte),
		cmocka_unit_test(test_pprof_zero_label_dropped),
		cmocka_unit_test(test_pprof_comments),
		cmocka_unit_test(test_pprof_mapping_flags),
		cmocka_unit_test(test_folded_trailing_blank),
		cmocka_unit_test(test_folded_markup_roots),
		cmocka_unit_test(test_folded_bounded),
		cmocka_unit_test(test_svg_long_name),
		cmocka_unit_test(test_collapse_keeps_inline),
		cmocka_unit_test(test_nothing_to_write),
		cmocka_unit_test(test_sandwich_callers_export),
		cmocka_unit_test(test_granularity_pprof_names),
		cmocka_unit_test(test_outfile),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("export", tests, NULL, NULL) ? 1 : 0;
}
