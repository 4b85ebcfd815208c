/*
 * cmd_demo.c — `smolder demo`: a fresh store filled from the bundled example profiles
 * (real Go profiles of the workloads in ../shared/testdata/go/src), spread over the last
 * hour as if four services had pushed every 20 s, then the explorer on it.
 *
 * Services: checkout (CPU; its scoreRecords gets 3× slower half-way, so comparing the
 * last 30 minutes with the 30 before shows it), payments (heap and allocations), ledger
 * (mutex and block contention) and gateway (goroutines), each in two regions.  Values
 * are scaled a little from push to push so the timeline has a shape.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/timeparse.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "profile/labels.h"
#include "profile/selector.h"
#include "store/store.h"

#define DEMO_STEP_S 20
#define DEMO_SPAN_S 3600

static void demo_help(FILE *f)
{
	fputs("usage: smolder demo [--db PATH] [--no-open]\n"
	      "\n"
	      "Make a demo store from the bundled example profiles — four services (checkout,\n"
	      "payments, ledger, gateway) in two regions, a push every 20 s over the last hour,\n"
	      "checkout's scoreRecords 3x slower in the last half hour — and open the explorer\n"
	      "on it.  The store is made afresh (default: $XDG_CACHE_HOME/smolder/demo.db).\n"
	      "\n"
	      "      --db PATH            where to make it (an earlier demo store there is\n"
	      "                           replaced when whole, unless a process has it\n"
	      "                           open; a file holding anything else is not)\n"
	      "      --no-open            only make it (print where)\n"
	      "  -h, --help               this help\n",
	      f);
}

/* The examples: $SMOLDER_EXAMPLES, the source tree's, or the installed ones. */
static int examples_dir(struct buf *out)
{
	const char *env = getenv("SMOLDER_EXAMPLES");
	const char *cands[] = { env, SMOLDER_EXAMPLES_DIR, SMOLDER_EXAMPLES_INSTALLED };
	size_t i;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (!cands[i] || !*cands[i])
			continue;
		buf_reset(out);
		buf_printf(out, "%s/cpuwork-cpu.pb.gz", cands[i]);
		if (access(out->data, R_OK) == 0) {
			buf_reset(out);
			return buf_puts(out, cands[i]);
		}
	}
	return err_set(ERR_NOTFOUND, "the example profiles are not installed (set SMOLDER_EXAMPLES)");
}

struct demo_src {
	const char *service, *file, *later_file, *name;
};

static const struct demo_src srcs[] = {
	{ "checkout", "cpuwork-cpu.pb.gz", "cpuwork-cpu-after-scoreRecords-3x.pb.gz", "process_cpu" },
	{ "payments", "heapwork-heap.pb.gz", NULL, "memory" },
	{ "payments", "heapwork-allocs.pb.gz", NULL, "memory" },
	{ "ledger", "contention-mutex.pb.gz", NULL, "mutex" },
	{ "ledger", "contention-block.pb.gz", NULL, "block" },
	{ "gateway", "goroutines-goroutine.pb.gz", NULL, "goroutines" },
};

#define NSRCS (sizeof(srcs) / sizeof(srcs[0]))

static const char *const regions[] = { "eu-west-1", "us-east-1" };

/*
 * Whether a series is one the demo writes: exactly its labels (service_name, __name__,
 * region, env; the store adds __profile_type__) with a service and metric name paired as
 * in srcs[] and one of its regions.
 */
static bool demo_series(const struct labelset *ls)
{
	const char *svc = labelset_get(ls, "service_name"), *name = labelset_get(ls, "__name__");
	const char *region = labelset_get(ls, "region"), *e = labelset_get(ls, "env");
	size_t i, want = labelset_get(ls, "__profile_type__") ? 5 : 4;
	bool pair = false;

	if (ls->n != want || !svc || !name || !region || !e || strcmp(e, "demo") != 0 ||
	    (strcmp(region, regions[0]) != 0 && strcmp(region, regions[1]) != 0))
		return false;
	for (i = 0; i < NSRCS; i++)
		pair |= strcmp(svc, srcs[i].service) == 0 && strcmp(name, srcs[i].name) == 0;
	return pair;
}

/*
 * Whether another process has the SQLite file at path open: a connection in WAL mode (a
 * serve, an explorer, a query) holds a read lock on the database's lock bytes for as
 * long as it is open, and another on the -shm file's "DMS" byte.  F_GETLK asks whether a
 * write lock there would conflict without taking one.  The ranges are SQLite's file
 * format (https://sqlite.org/fileformat.html, "the lock-byte page": 512 bytes from
 * 0x40000000; the -shm file's locks from byte 120, DMS at 128); no SQL is needed.
 * Replacing a store someone holds made them write to a deleted file: a serve answered
 * pushes that were lost.
 */
static bool demo_in_use(const char *path)
{
	static const struct { const char *suffix; off_t start, len; } locks[] = {
		{ "", 0x40000000, 512 },
		{ "-shm", 128, 1 },
	};
	char name[4096];
	size_t i;
	bool held = false;

	for (i = 0; i < sizeof(locks) / sizeof(locks[0]) && !held; i++) {
		struct flock fl = { 0 };
		int fd, n = snprintf(name, sizeof(name), "%s%s", path, locks[i].suffix);

		if (n < 0 || (size_t)n >= sizeof(name) ||
		    (fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			continue;
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = locks[i].start;
		fl.l_len = locks[i].len;
		held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
		close(fd);
	}
	return held;
}

/*
 * Whether the file at path may be replaced by a demo store: missing or empty, or a store
 * whose every series is one the demo writes (demo_series, in the default tenant).  Else it
 * says why not (one line) and returns non-zero: `smolder demo --db` on a real store
 * deleted it.  env="demo" alone was not enough: a real service's environment may be
 * called that.  The store has no place for a marker only the demo could write (a label
 * the demo sets, ingest and serve would take too), so the series' whole label sets decide.
 */
static int demo_replaceable(const char *path)
{
	struct store *s = NULL;
	struct store_stats st;
	struct backend *be = NULL;
	struct selector *sel = NULL;
	struct labelset_list l = { 0 };
	struct time_range all = { 0, 0 };
	struct stat sb;
	uint64_t demo = 0;
	size_t i;
	int rc;

	/*
	 * A name no store can have ("", a file: URI, ":memory:") is refused first, by the
	 * store's own check: "" passed stat's ENOENT as missing, and ./-wal and ./-shm were
	 * unlinked before store_open said "no store path".
	 */
	if ((rc = store_open(path, STORE_READONLY, &s)) == ERR_USAGE) {
		cmd_verb_errorf("demo", "%s", err_last());
		return rc;
	}
	store_close(s);
	s = NULL;
	if (stat(path, &sb) != 0 || (S_ISREG(sb.st_mode) && sb.st_size == 0)) {
		rc = 0;  /* nothing to keep, unless someone holds the file */
		goto done;
	}
	if ((rc = store_open(path, STORE_READONLY, &s)) || (rc = store_stats(s, &st))) {
		cmd_verb_errorf("demo", "not replacing '%s': %s", path, err_last());
		goto done;
	}
	if (st.profiles == 0)
		goto done;
	if ((rc = store_backend_open(path, NULL, &be)) ||
	    (rc = selector_parse("{}", &sel)) ||
	    (rc = be->ops->series(be, sel, NULL, 0, all, &l))) {
		cmd_verb_errorf("demo", "not replacing '%s': %s", path, err_last());
		goto done;
	}
	for (i = 0; i < l.n; i++)
		demo += demo_series(&l.v[i]);
	if (demo != st.series) {
		cmd_verb_errorf("demo", "not replacing '%s': it holds profiles that are not the "
				"demo's (%llu of its %llu series); give the demo another --db",
				path, (unsigned long long)(st.series - demo),
				(unsigned long long)st.series);
		rc = ERR_USAGE;
	}
done:
	if (!rc && demo_in_use(path)) {
		cmd_verb_errorf("demo", "not replacing '%s': another process (a serve, an explorer) "
				"has it open", path);
		rc = ERR_USAGE;
	}
	labelset_list_release(&l);
	selector_free(sel);
	backend_close(be);
	store_close(s);
	return rc;
}

/*
 * Removes the store at path (unless only_side) and its WAL and shared-memory files
 * (file: scratch).
 */
static void demo_unlink(const struct buf *path, struct buf *file, bool only_side)
{
	if (!only_side)
		unlink(path->data);
	buf_reset(file);
	buf_printf(file, "%s-wal", path->data);
	unlink(file->data);
	buf_reset(file);
	buf_printf(file, "%s-shm", path->data);
	unlink(file->data);
}

/*
 * A new store at "PATH.new-PID" (tmp, reset first): a name of its own, so no other
 * demo writes into it, beside path so that rename() can put it in place.  One of that
 * name is a dead demo's (no live process has our PID): it and its -wal go first, or
 * SQLite would read that -wal as the new store's.  On failure nothing is left and tmp
 * is empty.
 */
static int demo_tmp_open(const struct buf *path, struct buf *tmp, struct buf *file,
			 struct store **out)
{
	int fd, rc;

	buf_reset(tmp);
	if ((rc = buf_printf(tmp, "%s.new-%ld", path->data, (long)getpid())))
		return rc;
	demo_unlink(tmp, file, false);
	fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = err_set(ERR_IO, "cannot create '%s': %s", tmp->data, strerror(errno));
		buf_reset(tmp);
		return rc;
	}
	close(fd);
	if ((rc = store_open(tmp->data, STORE_CREATE, out))) {
		demo_unlink(tmp, file, false);
		buf_reset(tmp);
	}
	return rc;
}

/*
 * Puts the whole new store (closed) at tmp in place of path.  The old store's -wal and
 * -shm go first: a -wal left by a crash would be read as the new store's.  The new
 * one's are empty after its close (checkpointed) and go too.  Someone who opened the
 * old store since demo_replaceable looked keeps it: the rename is refused then.
 */
static int demo_swap(struct buf *tmp, const struct buf *path, struct buf *file)
{
	if (demo_in_use(path->data))
		return err_set(ERR_IO, "not replacing '%s': another process (a serve, an "
			       "explorer) opened it meanwhile", path->data);
	demo_unlink(path, file, true);
	if (rename(tmp->data, path->data) != 0)
		return err_set(ERR_IO, "cannot rename '%s' to '%s': %s", tmp->data, path->data,
			       strerror(errno));
	/* the new store's own, empty: the store at path makes its -wal and -shm again */
	demo_unlink(tmp, file, true);
	buf_reset(tmp);
	return 0;
}

int cmd_demo(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "no-open", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_opts lo = { env->cancel, false, 0 };
	struct prof *loaded[NSRCS][2] = { { NULL } };
	struct buf dir = BUF_INIT, path = BUF_INIT, file = BUF_INIT, shown = BUF_INIT;
	struct buf tmp = BUF_INIT;
	struct store *s = NULL;
	const char *db = NULL;
	bool open = true;
	int64_t now = time_now_ns(), t0;
	size_t i, r, written = 0;
	int c, rc = 1, k;

	optind = 1;
	while ((c = cmd_getopt("demo", argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'n': open = false; break;
		case 'h': demo_help(stdout); return 0;
		case '?': return 2;
		default: demo_help(stderr); return 2;
		}
	}
	if (optind != argc) {  /* a usage error is one line, as in the other verbs */
		fputs("smolder demo: unexpected argument '", stderr);
		cmd_put_safe(stderr, argv[optind], strlen(argv[optind]), true);
		fputs("' (see smolder demo --help)\n", stderr);
		return 2;
	}
	if (db) {
		buf_puts(&path, db);
	} else {
		const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

		/*
		 * Never a shared directory (it was /tmp without HOME): another user could
		 * make /tmp/.cache/smolder first, or plant links where the demo writes.
		 */
		if (cache && *cache == '/') {
			buf_printf(&path, "%s/smolder/demo.db", cache);
		} else if (home && *home) {
			buf_printf(&path, "%s/.cache/smolder/demo.db", home);
		} else {
			cmd_verb_errorf("demo", "no place for the demo store: HOME is not set "
					"(use --db PATH)");
			goto done;
		}
	}
	if (examples_dir(&dir)) {
		cmd_verb_errorf("demo", "%s", err_last());
		goto done;
	}
	for (i = 0; i < NSRCS; i++)
		for (k = 0; k < 2; k++) {
			const char *f = k ? srcs[i].later_file : srcs[i].file;

			if (!f)
				continue;
			buf_reset(&file);
			buf_printf(&file, "%s/%s", dir.data, f);
			if (load_profile(file.data, &lo, &loaded[i][k])) {
				cmd_verb_errorf("demo", "%s", err_last());
				goto done;
			}
		}
	/*
	 * Afresh: the store is made under another name in the same directory and renamed
	 * over the old demo store when whole, never another store nor one in use.  It was
	 * made in place after the old one was unlinked, so two demos at once wrote into
	 * one file, and a store a serve held was deleted under it.
	 */
	if (demo_replaceable(path.data))
		goto done;
	if (store_make_parent_dir(path.data) || demo_tmp_open(&path, &tmp, &file, &s)) {
		cmd_verb_errorf("demo", "%s", err_last());
		goto done;
	}
	cmd_safe(&shown, path.data);  /* the path from --db or the environment, as said */
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "making the demo store %s (Ctrl-C aborts)...",
			shown.data ? shown.data : "");
	t0 = now - (int64_t)DEMO_SPAN_S * 1000000000;
	if (store_begin(s))
		goto fail;
	for (int64_t t = t0; t < now; t += (int64_t)DEMO_STEP_S * 1000000000) {
		double phase = (double)(t - t0) / ((double)DEMO_SPAN_S * 1e9);
		bool later = phase >= 0.5;

		/* a step is 12 profiles, a fraction of a second: Ctrl-C is felt at once */
		if (env->cancel && atomic_load(env->cancel)) {
			err_set(ERR_CANCELLED, "cancelled (no demo store made)");
			goto fail;
		}
		for (i = 0; i < NSRCS; i++)
			for (r = 0; r < 2; r++) {
				const struct prof *src = later && loaded[i][1] ? loaded[i][1] : loaded[i][0];
				struct labelset ls = LABELSET_INIT;
				struct prof *p = NULL;
				/* a slow daily-ish wave and some jitter, different per region */
				double f = 0.08 * (1.0 + 0.35 * sin(phase * 6.283 * 2 + (double)r) +
						   0.1 * sin((double)t / 7e9 + (double)i));

				rc = prof_scale(src, f, &p);
				if (!rc)
					rc = labelset_set(&ls, "service_name", srcs[i].service) ||
					     labelset_set(&ls, "__name__", srcs[i].name) ||
					     labelset_set(&ls, "region", regions[r]) ||
					     labelset_set(&ls, "env", "demo");
				if (!rc)
					rc = store_write(s, NULL, &ls, p, t, (int64_t)DEMO_STEP_S * 1000000000);
				labelset_free(&ls);
				prof_free(p);
				if (rc)
					goto fail;
				written++;
			}
	}
	if (store_commit(s))
		goto fail;
	store_close(s);
	s = NULL;
	if (demo_swap(&tmp, &path, &file))
		goto fail;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	fprintf(stderr, "smolder demo: %zu profiles of 4 services over the last hour in %s\n", written,
		shown.data ? shown.data : "");
	if (!open || !isatty(STDOUT_FILENO)) {
		rc = 0;
		goto done;
	}
	{
		char *vargv[] = { (char *)"view", (char *)"--db", path.data, NULL };

		rc = cmd_view(3, vargv, env);
	}
	goto done;
fail:
	/* on a terminal, the "making the demo store" line goes first; never a blank line */
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	cmd_verb_errorf("demo", "%s", err_last());
	rc = 1;
	/* the new store, nothing in it is kept, goes; an earlier one stays */
	store_rollback(s);
	store_close(s);
	s = NULL;
	if (tmp.len)  /* not yet renamed */
		demo_unlink(&tmp, &file, false);
done:
	if (s) {
		store_rollback(s);
		store_close(s);
	}
	for (i = 0; i < NSRCS; i++) {
		prof_free(loaded[i][0]);
		prof_free(loaded[i][1]);
	}
	buf_release(&dir);
	buf_release(&path);
	buf_release(&shown);
	buf_release(&file);
	buf_release(&tmp);
	return rc;
}
