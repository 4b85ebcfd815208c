/*
 * test_store_access.c — the store's connections and files (src/store), on real files in
 * a temporary directory: readers on their own read-only connections see whole commits
 * while a writer writes, and a long-lived reader sees what a writer adds later (new
 * symbols, and after the writer collected some); two writers take turns on one service's
 * symbols; read-only handles read and refuse writes; group commit, a refused write in a
 * batch and a rolled-back batch; tenants; names SQLite would not open as a file, and
 * files that are not stores or are damaged.  What is written and read back is
 * test_store.c.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "profile/labels.h"
#include "profile/selector.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_store.h"

#define tpath tu_tmp_path

static int setup(void **state)
{
	(void)state;
	return tu_tmp_create("store_access");
}

static int teardown(void **state)
{
	(void)state;
	tu_tmp_remove();
	return 0;
}

struct writer_arg {
	const char *path;
	int n;
	int rc;
	atomic_int done;
};

static void *writer(void *arg)
{
	struct writer_arg *w = arg;
	struct store *s;
	struct prof *p = tu_decode("go/cpuwork-cpu.pb.gz");
	struct labelset ls = LABELSET_INIT;
	int k;

	labelset_set(&ls, "service_name", "app");
	w->rc = store_open(w->path, STORE_CREATE, &s);
	for (k = 0; k < w->n && !w->rc; k++)
		w->rc = store_write(s, NULL, &ls, p, T0 + k * 10 * SEC, 10 * SEC);
	store_close(s);
	labelset_free(&ls);
	prof_free(p);
	atomic_store(&w->done, 1);
	return NULL;
}

/* Readers (their own read-only connections) see whole commits while a writer writes. */
static void test_concurrent_reader(void **state)
{
	struct store *s = ts_open_new("concurrent.db"), *r;
	struct writer_arg w = { tpath("concurrent.db"), 40, 0, 0 };
	struct backend *b;
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	char *pt = ts_ptype_of(c, 1, NULL);
	int64_t t = prof_total(c, 1), last = 0;
	pthread_t th;
	int reads = 0, rc;

	(void)state;
	store_close(s);  /* created, empty */
	assert_int_equal(store_open(w.path, STORE_READONLY, &r), 0);
	assert_int_equal(store_backend_new(r, NULL, &b), 0);
	assert_int_equal(pthread_create(&th, NULL, writer, &w), 0);
	for (;;) {
		struct selector *sel = NULL;
		struct query q = { pt, NULL, { T0, T0 + 1000 * SEC }, AGG_AUTO, NULL, 0 };
		struct prof *m = NULL;

		selector_parse("{service_name=\"app\"}", &sel);
		q.selector = sel;
		rc = b->ops->merge(b, &q, &m, NULL);
		selector_free(sel);
		if (rc == 0) {
			int64_t got = prof_total(m, 0);

			/* a whole number of profiles, never fewer than before */
			assert_int_equal(got % t, 0);
			assert_true(got >= last);
			last = got;
			reads++;
			prof_free(m);
		} else if (rc != ERR_NOTFOUND) {
			fail_msg("reader: %s", err_last());
		}
		if (last == 40 * t)
			break;
		/* the writer stopped early: fail below instead of reading forever */
		if (atomic_load(&w.done) && rc != 0 && rc != ERR_NOTFOUND)
			break;
		if (atomic_load(&w.done) && w.rc != 0)
			break;
	}
	pthread_join(th, NULL);
	assert_int_equal(w.rc, 0);
	assert_true(reads > 0);
	print_message("store: %d merges read while 40 profiles were written\n", reads);
	free(pt);
	prof_free(c);
	backend_close(b);
	store_close(r);
}

/* A long-lived reader sees what a writer adds later, new symbols included. */
static void test_reader_sees_new_symbols(void **state)
{
	struct store *w = ts_open_new("later.db"), *r;
	struct backend *b;
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *c3 = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *g = tu_decode("go/goroutines-goroutine.pb.gz"), *m;
	char *pt = ts_ptype_of(c, 1, NULL), *gt = ts_ptype_of(g, 0, NULL);

	(void)state;
	ts_write_or_fail(w, "app", c, T0, NULL, NULL);
	assert_int_equal(store_open(tpath("later.db"), STORE_READONLY, &r), 0);
	b = ts_backend_of(r);
	m = ts_merge_q(b, pt, "{}", T0, T0 + SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c, 1, m, 0, "reader, first profile");
	prof_free(m);
	/* the writer (another connection) adds stacks and functions the reader never saw */
	ts_write_or_fail(w, "app", c3, T0 + 10 * SEC, NULL, NULL);
	ts_write_or_fail(w, "other", g, T0 + 10 * SEC, NULL, NULL);
	m = ts_merge_q(b, pt, "{}", T0 + 10 * SEC, T0 + 11 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c3, 1, m, 0, "reader, a profile written after its first read");
	prof_free(m);
	m = ts_merge_q(b, gt, "{}", T0, T0 + 11 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(g, 0, m, 0, "reader, a new service");
	prof_free(m);
	/* and after a garbage collection of the service by the writer */
	assert_int_equal(store_retention(w, T0 + SEC, NULL), 0);
	ts_write_or_fail(w, "app", c, T0 + 20 * SEC, NULL, NULL);
	m = ts_merge_q(b, pt, "{}", T0 + 20 * SEC, T0 + 21 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c, 1, m, 0, "reader, after the writer collected symbols");
	prof_free(m);
	m = ts_merge_q(b, pt, "{}", T0, T0 + 30 * SEC, AGG_AUTO, NULL);
	tu_assert_i64(prof_total(m, 0), prof_total(c, 1) + prof_total(c3, 1));
	prof_free(m);
	free(pt);
	free(gt);
	prof_free(c);
	prof_free(c3);
	prof_free(g);
	backend_close(b);
	store_close(r);
	store_close(w);
}

/* Two writers (say `serve` and `smolder ingest`) taking turns on one service's symbols. */
static void test_two_writers(void **state)
{
	struct store *a = ts_open_new("two.db"), *b2;
	struct backend *b;
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct prof *c3 = tu_decode("go/cpuwork-cpu-after-scoreRecords-3x.pb.gz");
	struct prof *h = tu_decode("go/heapwork-heap.pb.gz"), *m;
	char *pt = ts_ptype_of(c, 1, NULL), *ht = ts_ptype_of(h, 3, NULL);
	struct store_stats st;

	(void)state;
	assert_int_equal(store_open(tpath("two.db"), 0, &b2), 0);
	ts_write_or_fail(a, "app", c, T0, NULL, NULL);
	ts_write_or_fail(b2, "app", c3, T0 + 10 * SEC, NULL, NULL);  /* b2 loads a's symbols first */
	ts_write_or_fail(a, "app", h, T0 + 20 * SEC, NULL, NULL);    /* a catches up with b2's */
	ts_write_or_fail(b2, "app", c, T0 + 30 * SEC, NULL, NULL);   /* nothing new: all deduplicated */
	assert_int_equal(store_stats(a, &st), 0);
	b = ts_backend_of(a);
	m = ts_merge_q(b, pt, "{}", T0 + 10 * SEC, T0 + 11 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c3, 1, m, 0, "second writer's profile");
	prof_free(m);
	m = ts_merge_q(b, ht, "{}", T0, T0 + 40 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(h, 3, m, 0, "first writer's profile after the second wrote");
	prof_free(m);
	m = ts_merge_q(b, pt, "{}", T0 + 30 * SEC, T0 + 31 * SEC, AGG_AUTO, NULL);
	tu_assert_same_top(c, 1, m, 0, "second writer, deduplicated against the first");
	prof_free(m);
	{
		/* writing cpuwork again adds no symbol: the two writers agreed on every id */
		struct store_stats st2;

		ts_write_or_fail(a, "app", c3, T0 + 40 * SEC, NULL, NULL);
		assert_int_equal(store_stats(a, &st2), 0);
		tu_assert_i64(st2.stacks, st.stacks);
		tu_assert_i64(st2.strings, st.strings);
		tu_assert_i64(st2.locations, st.locations);
	}
	free(pt);
	free(ht);
	prof_free(c);
	prof_free(c3);
	prof_free(h);
	backend_close(b);
	store_close(b2);
	store_close(a);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

/*
 * Names SQLite would not open as a file are refused before anything is made: "" (a
 * temporary database), ":memory:" and "file:..." URIs (in memory, or a real file opened
 * with the URI's options).  Before, a writer opened them and its profiles were gone at
 * close.  "./file:..." is the file of that name.
 */
static void test_not_a_file(void **state)
{
	static const char *const names[] = {
		"", ":memory:", "file:x.db", "file:x.db?mode=memory&cache=shared", "file::memory:",
		"file:d/x.db",
	};
	struct store *s = NULL;
	struct stat st;
	char cwd[4096];
	size_t i;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tpath("")), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err_clear();
		assert_int_equal(store_make_parent_dir(names[i]), ERR_USAGE);
		assert_int_equal(store_open(names[i], STORE_CREATE, &s), ERR_USAGE);
		assert_null(s);
		assert_int_equal(store_open(names[i], STORE_READONLY, &s), ERR_USAGE);
		assert_null(s);
		tu_assert_message(err_last());
	}
	assert_string_equal(err_last(), "cannot use 'file:d/x.db' as a store: SQLite reads a name "
			    "beginning with file: as a URI (name the file ./file:d/x.db)");
	assert_int_equal(store_open("", STORE_CREATE, &s), ERR_USAGE);
	assert_string_equal(err_last(), "no store path");
	/* nothing was made: no "file:" directory, no file */
	assert_int_not_equal(stat("file:d", &st), 0);
	assert_int_not_equal(stat("file:x.db", &st), 0);
	assert_int_not_equal(stat(":memory:", &st), 0);
	/* the file of that name, spelt as a path */
	assert_int_equal(store_open("./file:x.db", STORE_CREATE, &s), 0);
	store_close(s);
	assert_int_equal(stat("file:x.db", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(store_open("./file:x.db", STORE_READONLY, &s), 0);
	store_close(s);
	assert_int_equal(chdir(cwd), 0);
}

/* Files that are not stores, or damaged ones: clear one-line errors, never a crash. */
static void test_bad_files(void **state)
{
	struct store *s = NULL;
	sqlite3 *db;
	char junk[8192];
	size_t i;
	struct backend *b;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	write_file(tpath("junk.db"), junk, sizeof(junk));
	rc = store_open(tpath("junk.db"), STORE_CREATE, &s);
	assert_int_equal(rc, ERR_PARSE);
	assert_null(s);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "is not a smolder store"));
	assert_non_null(strstr(err_last(), "junk.db"));
	/* another application's SQLite database */
	assert_int_equal(sqlite3_open(tpath("other.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1)", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(tpath("other.db"), STORE_CREATE, &s), ERR_PARSE);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "is not a smolder store"));
	/* missing: read-only or without STORE_CREATE */
	assert_int_equal(store_open(tpath("missing.db"), STORE_READONLY, &s), ERR_NOTFOUND);
	tu_assert_message(err_last());
	assert_int_equal(store_open(tpath("missing.db"), 0, &s), ERR_NOTFOUND);
	assert_int_equal(store_open(tpath("."), STORE_CREATE, &s), ERR_IO); /* the directory */
	tu_assert_message(err_last());
	/* a newer schema than this build reads */
	s = ts_open_new("newer.db");
	store_close(s);
	assert_int_equal(sqlite3_open(tpath("newer.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE schema_version SET version=99", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(tpath("newer.db"), STORE_READONLY, &s), ERR_UNSUPPORTED);
	tu_assert_message(err_last());
	assert_non_null(strstr(err_last(), "schema version 99"));
	/* a damaged profile blob: the merge fails with a message, nothing crashes */
	s = ts_open_new("damaged.db");
	{
		struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
		char *pt = ts_ptype_of(c, 1, NULL);
		static const char *const garbage[] = { "X", "Zjunk", "R\x01", "R\x01\x00\x05", "" };

		ts_write_or_fail(s, "app", c, T0, NULL, NULL);
		b = ts_backend_of(s);
		for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
			sqlite3_stmt *st;

			assert_int_equal(sqlite3_open(tpath("damaged.db"), &db), SQLITE_OK);
			assert_int_equal(sqlite3_prepare_v2(db, "UPDATE profiles SET data=?1", -1, &st, NULL),
					 SQLITE_OK);
			sqlite3_bind_blob(st, 1, garbage[i], (int)strlen(garbage[i]) + (i == 3), SQLITE_STATIC);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_finalize(st);
			sqlite3_close(db);
			rc = ts_merge_rc(b, pt, "{}", T0, T0 + SEC);
			assert_int_equal(rc, ERR_CORRUPT);
			tu_assert_message(err_last());
			assert_non_null(strstr(err_last(), "corrupt"));
		}
		/* a dangling stack id in a valid blob */
		assert_int_equal(sqlite3_open(tpath("damaged.db"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "DELETE FROM stacks", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		backend_close(b);
		store_close(s);
		assert_int_equal(store_open(tpath("damaged.db"), STORE_READONLY, &s), 0);
		b = ts_backend_of(s);
		rc = ts_merge_rc(b, pt, "{}", T0, T0 + SEC);
		assert_true(rc == ERR_CORRUPT);
		tu_assert_message(err_last());
		backend_close(b);
		free(pt);
		prof_free(c);
	}
	store_close(s);
}

/* Read-only handles read and refuse writes; group commit; a refused write stores nothing. */
static void test_readonly_and_batches(void **state)
{
	struct store *s = ts_open_new("ro.db"), *r;
	struct prof *c = tu_decode("go/cpuwork-cpu.pb.gz");
	struct labelset ls = LABELSET_INIT, big = LABELSET_INIT;
	struct store_stats st;
	struct backend *b;
	char name[16];
	int k;

	(void)state;
	labelset_set(&ls, "service_name", "app");
	/* a batch: three writes, the bad one in the middle refused alone */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_write(s, NULL, &ls, c, T0, 0), 0);
	for (k = 0; k < STORE_MAX_SERIES_LABELS + 1; k++) {
		snprintf(name, sizeof(name), "l%d", k);
		labelset_set(&big, name, "x");
	}
	assert_int_equal(store_write(s, NULL, &big, c, T0, 0), ERR_TOOBIG);
	tu_assert_message(err_last());
	assert_int_equal(store_write(s, NULL, &ls, c, T0 + SEC, 0), 0);
	assert_int_equal(store_begin(s), ERR_USAGE);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64(st.pushed, 4);  /* 2 pushes of 2 sample types */
	/* a rolled-back batch leaves nothing, and the next write still dedups correctly */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_write(s, "other", &ls, c, T0, 0), 0);
	store_rollback(s);
	assert_int_equal(store_stats(s, &st), 0);
	tu_assert_i64(st.pushed, 4);
	tu_assert_i64(st.scopes, 1);
	assert_int_equal(store_write(s, "other", &ls, c, T0, 0), 0);
	/* tenants do not see each other */
	assert_int_equal(store_backend_new(s, "other", &b), 0);
	{
		char *pt = ts_ptype_of(c, 1, NULL);
		struct merge_info mi;
		struct prof *m = ts_merge_q(b, pt, "{}", T0, T0 + 10 * SEC, AGG_AUTO, &mi);

		tu_assert_i64(mi.nprofiles, 1);
		prof_free(m);
		backend_close(b);
		assert_int_equal(store_backend_new(s, "nobody", &b), 0);
		assert_int_equal(ts_merge_rc(b, pt, "{}", T0, T0 + 10 * SEC), ERR_NOTFOUND);
		backend_close(b);
		free(pt);
	}
	/* read-only */
	assert_int_equal(store_open(tpath("ro.db"), STORE_READONLY, &r), 0);
	assert_int_equal(store_write(r, NULL, &ls, c, T0, 0), ERR_USAGE);
	tu_assert_message(err_last());
	assert_int_equal(store_retention(r, T0 + 100 * SEC, NULL), ERR_USAGE);
	assert_int_equal(store_stats(r, &st), 0);
	tu_assert_i64(st.pushed, 6);  /* 3 pushes of 2 sample types */
	store_close(r);
	labelset_free(&ls);
	labelset_free(&big);
	prof_free(c);
	store_close(s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_reader),
		cmocka_unit_test(test_reader_sees_new_symbols),
		cmocka_unit_test(test_two_writers),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_not_a_file),
		cmocka_unit_test(test_readonly_and_batches),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests(tests, setup, teardown);
}
