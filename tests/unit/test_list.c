/*
 * test_list.c — `smolder list` (cmd_list.c) run as a verb, its standard output read back,
 * on a profile made here as the regression review's gen/lines.go made it: main.hot with
 * 10 ns on line 10, 20 ns on line 9e18, 50 ns on line 2^63-1 and 70 ns on lines -5 and 0
 * (no line number), in big.go, whose code has 31 lines.
 *
 * The window's end, `last line + 5`, overflowed for 2^63-1 (undefined behaviour; wrapped
 * in a plain build, so not one row of code was printed and the 150 ns routine showed
 * 70 ns).  Now every line's cost is printed, with the code or without it: the rows add
 * up to the header's flat.  Where pprof prints a number, it is the same: `go tool pprof
 * -list main.hot -source_path DIR` on this profile says "150ns 150ns (flat, cum) 100% of
 * Total" and "10ns 10ns 10:line 10" (it prints the file's 31 lines and leaves the lines
 * past its end out).
 */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "cmd/cmd.h"
#include "ingest/encode.h"
#include "profile/builder.h"

/* main.hot's lines and their costs (ns); each sample is main.main (line 3) -> main.hot. */
static const struct {
	int64_t line, ns;
} hot[] = {
	{ 10, 10 }, { 9000000000000000000LL, 20 }, { -5, 30 }, { 0, 40 }, { INT64_MAX, 50 },
};

/* The profile above, written as pprof to path. */
static void write_profile(const char *path)
{
	struct prof_builder *b;
	struct prof_function fn[2] = { { 0 }, { 0 } };
	struct prof_line ln;
	struct prof *p;
	struct buf out = BUF_INIT;
	uint32_t t, u, file, f[2], main_loc, locs[2], i;
	FILE *fp;

	assert_int_equal(pb_new(&b), 0);
	assert_int_equal(pb_string(b, "cpu", 3, &t), 0);
	assert_int_equal(pb_string(b, "nanoseconds", 11, &u), 0);
	assert_int_equal(pb_sample_type(b, t, u), 0);
	assert_int_equal(pb_string(b, "big.go", 6, &file), 0);
	assert_int_equal(pb_string(b, "main.hot", 8, &fn[0].name), 0);
	assert_int_equal(pb_string(b, "main.main", 9, &fn[1].name), 0);
	for (i = 0; i < 2; i++) {
		fn[i].system_name = fn[i].name;
		fn[i].file = file;
		fn[i].start_line = 1;
		assert_int_equal(pb_function(b, &fn[i], &f[i]), 0);
	}
	ln = (struct prof_line){ f[1], 3 };
	assert_int_equal(pb_location(b, PROF_NONE, 0x2000, &ln, 1, &main_loc), 0);
	for (i = 0; i < sizeof(hot) / sizeof(hot[0]); i++) {
		ln = (struct prof_line){ f[0], hot[i].line };
		assert_int_equal(pb_location(b, PROF_NONE, 0x1000 + 16 * i, &ln, 1, &locs[0]), 0);
		locs[1] = main_loc;
		assert_int_equal(pb_sample(b, locs, 2, &hot[i].ns, NULL, 0), 0);
	}
	assert_int_equal(pb_finish(b, &p), 0);
	assert_int_equal(encode_pprof(p, &out), 0);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(out.data, 1, out.len, fp), out.len);
	assert_int_equal(fclose(fp), 0);
	buf_release(&out);
	prof_free(p);
}

/* `smolder list main.hot PROFILE --source-path DIR --offline`: its status; stdout in out. */
static int list(const char *profile, const char *dir, struct buf *out)
{
	char verb[] = "list", re[] = "main.hot", sp[] = "--source-path", off[] = "--offline";
	char *argv[] = { verb, re, (char *)profile, sp, (char *)dir, off, NULL };
	atomic_int cancel = 0;
	struct cmd_env env = { &cancel };
	FILE *f;
	int saved, rc;

	fflush(stdout);
	assert_non_null(f = tmpfile());
	assert_true((saved = dup(1)) >= 0);
	assert_true(dup2(fileno(f), 1) >= 0);
	rc = cmd_list(6, argv, &env);
	fflush(stdout);
	assert_true(dup2(saved, 1) >= 0);
	close(saved);
	rewind(f);
	buf_reset(out);
	assert_int_equal(buf_read_stream(out, f, "stdout", 1 << 20), 0);
	assert_int_equal(buf_add(out, "", 1), 0);  /* a string */
	fclose(f);
	return rc;
}

/* The sum of the flat column of the rows under the header ("10 ns", "." for none). */
static long long rows_flat(const char *text)
{
	const char *l = strstr(text, "(flat, cum)");
	long long sum = 0, v;

	assert_non_null(l);
	for (l = strchr(l, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
		if (sscanf(l + 1, "%lld ns", &v) == 1)
			sum += v;
	return sum;
}

static void test_far_lines(void **state)
{
	char profile[512], code[512], none[512];
	struct buf out = BUF_INIT, src = BUF_INIT;
	FILE *fp;
	int i;

	(void)state;
	assert_int_equal(tu_tmp_create("list"), 0);
	snprintf(profile, sizeof(profile), "%s", tu_tmp_path("lines.pb.gz"));
	snprintf(code, sizeof(code), "%s", tu_tmp_path("code"));
	snprintf(none, sizeof(none), "%s", tu_tmp_path("none"));
	write_profile(profile);
	assert_int_equal(mkdir(code, 0700), 0);
	assert_int_equal(mkdir(none, 0700), 0);
	for (i = 1; i <= 31; i++)
		assert_int_equal(buf_printf(&src, "line %d\n", i), 0);
	assert_non_null(fp = fopen(tu_tmp_path("code/big.go"), "w"));
	assert_int_equal(fwrite(src.data, 1, src.len, fp), src.len);
	assert_int_equal(fclose(fp), 0);

	/* with the code: pprof's numbers, then the lines past the file's end without it */
	assert_int_equal(list(profile, code, &out), 0);
	assert_non_null(strstr(out.data, "    150 ns     150 ns (flat, cum) 100% of Total\n"));
	assert_non_null(strstr(out.data, "     70 ns      70 ns      ?: (no line number)\n"));
	assert_non_null(strstr(out.data, "     10 ns      10 ns     10: line 10\n"));
	assert_non_null(strstr(out.data, "         .          .     31: line 31\n"));
	assert_non_null(strstr(out.data, "(the file ends before line 9000000000000000000)\n"));
	assert_non_null(strstr(out.data, "     20 ns      20 ns 9000000000000000000\n"));
	assert_non_null(strstr(out.data, "     50 ns      50 ns 9223372036854775807\n"));
	assert_int_equal(rows_flat(out.data), 150);

	/* without it (a directory without big.go): the rows alone, the same sum */
	assert_int_equal(list(profile, none, &out), 0);
	assert_non_null(strstr(out.data, "(no code: "));
	assert_non_null(strstr(out.data, "     10 ns      10 ns     10\n"));
	assert_non_null(strstr(out.data, "     50 ns      50 ns 9223372036854775807\n"));
	assert_int_equal(rows_flat(out.data), 150);

	buf_release(&out);
	buf_release(&src);
	tu_tmp_remove();
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_far_lines),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("list", tests, NULL, NULL) ? 1 : 0;
}
