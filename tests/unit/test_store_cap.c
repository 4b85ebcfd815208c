/*
 * test_store_cap.c — store_set_size_limit(), what `serve --max-store-size` sets, on real
 * files: the database and its write-ahead log together stay within the cap while small
 * pushes arrive (the WAL is part of what the store occupies), and a write refused by
 * the cap says so, with the cap, instead of calling the disk full.  (A really full disk
 * is e2e/store_cap.sh's, on a tmpfs.)
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_cap");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

static uint64_t size_of(const char *path, const char *suffix)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* 40 small pushes of services of their own into a 400 KiB store: file + WAL fit in it. */
static void test_wal_within_cap(void **state)
{
	const uint64_t cap = 400 * 1024;
	struct store *s = ts_open_new("wal.db");
	struct prof *p = tu_decode_str("main;work;leaf 1\nmain;idle 2\n");
	const char *path = tu_tmp_path("wal.db");
	uint64_t most = 0;
	int k;

	(void)state;
	assert_int_equal(store_set_size_limit(s, cap), 0);
	for (k = 0; k < 40; k++) {
		char svc[32];
		uint64_t used;

		snprintf(svc, sizeof(svc), "svc-%02d", k);
		ts_write_or_fail(s, svc, p, T0 + k * SEC, NULL, NULL);
		used = size_of(path, "") + size_of(path, "-wal");
		if (used > most)
			most = used;
		if (used > cap)
			fail_msg("after push %d: file %llu B + WAL %llu B = %llu B, past the cap of "
				 "%llu B", k + 1, (unsigned long long)size_of(path, ""),
				 (unsigned long long)size_of(path, "-wal"),
				 (unsigned long long)used, (unsigned long long)cap);
	}
	/* the pushes did land (the cap was not met by refusing them) */
	assert_true(size_of(path, "") > 64 * 1024);
	print_message("     most used: %llu B of %llu B\n", (unsigned long long)most,
		      (unsigned long long)cap);
	prof_free(p);
	store_close(s);
}

/*
 * A profile of ~400 KB of unique names into a 200 KiB store: ERR_NOSPACE naming the
 * cap (the disk has room: this is not a full disk).
 */
static void test_cap_message(void **state)
{
	struct store *s = ts_open_new("cap.db");
	struct buf text = BUF_INIT;
	struct store_stats before, after;
	struct labelset ls = LABELSET_INIT;
	struct prof *p;
	const char *msg;
	int k, rc;

	(void)state;
	for (k = 0; k < 6000; k++)
		assert_int_equal(buf_printf(&text, "main;function_number_%05d_of_many;"
					    "leaf_function_number_%05d 1\n", k, k), 0);
	p = tu_decode_bytes(text.data, text.len, "unique.txt");
	assert_int_equal(store_set_size_limit(s, 200 * 1024), 0);
	assert_int_equal(store_stats(s, &before), 0);
	labelset_set(&ls, "service_name", "big");
	rc = store_write(s, NULL, &ls, p, T0, 10 * SEC);
	msg = err_last();
	tu_assert_message(msg);
	assert_int_equal(rc, ERR_NOSPACE);
	if (!strstr(msg, "--max-store-size") || !strstr(msg, "200 KiB") || strstr(msg, "disk full"))
		fail_msg("the reason does not name the cap: '%s'", msg);
	assert_non_null(strstr(msg, tu_tmp_path("cap.db")));
	/* nothing of it was kept */
	assert_int_equal(store_stats(s, &after), 0);
	tu_assert_i64(after.profiles, before.profiles);
	/* and a small one still fits */
	prof_free(p);
	p = tu_decode_str("main;small 1\n");
	assert_int_equal(store_write(s, NULL, &ls, p, T0, 10 * SEC), 0);
	labelset_free(&ls);
	buf_release(&text);
	prof_free(p);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_within_cap),
		cmocka_unit_test(test_cap_message),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
