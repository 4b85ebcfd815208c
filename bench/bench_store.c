/*
 * bench_store.c — `smolder-bench --store [FILE]`: the embedded store on one service's
 * hour of profiles, made from FILE (default examples/cpuwork-cpu.pb.gz): 360 copies
 * 10 s apart whose sample values are perturbed (each sample ×0..×3, so some vanish),
 * written to a fresh store in a temporary directory.
 *
 *   writes:  one push per transaction (synced, as `serve` acknowledges one push), and
 *            the same 360 in one transaction (group commit);
 *   size:    on-disk bytes per stored profile, symbols included, against the gzipped
 *            pprof file (target: at most 20 %), and the first profile's own cost;
 *   merge:   the hour merged into one profile and its call tree (the flame graph's
 *            input) through the backend, from a freshly opened read-only store (cold:
 *            symbols loaded) and again (warm) — target under 150 ms; the timeline at
 *            10 s steps; the merge again after downsampling to 1 min rollups;
 *   sparse:  the same hour written (in one transaction) and merged in a store whose
 *            symbol ids have holes: 7 copies of the profile at other addresses were
 *            written first and deleted by retention, so 7/8 of the location and stack
 *            ids are gone, the lowest — a long-running `serve` looks like this, and its
 *            ids map to the cache's slots through a hash map (store_int.h).
 *
 * Merge figures are the median of 5 runs.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "bench.h"
#include "ingest/decode.h"
#include "profile/tree.h"
#include "store/store.h"

#define N 360
#define RUNS 5
#define SEC 1000000000LL
#define PTYPE "process_cpu:cpu:nanoseconds:cpu:nanoseconds"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int fail(const char *what)
{
	fprintf(stderr, "smolder-bench: %s: %s\n", what, err_last());
	return 1;
}

/* Writes the 360 perturbed copies; one transaction each unless `batch`. */
static int fill(const char *path, struct prof *p, const int64_t *orig, int64_t t0, bool batch,
		double *ms)
{
	struct store *s;
	struct labelset ls = LABELSET_INIT;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint32_t k, i, t;
	double start;
	int rc = 1;

	labelset_set(&ls, "service_name", "cpuwork");
	labelset_set(&ls, "__name__", "process_cpu");
	if (store_open(path, STORE_CREATE, &s))
		return fail("store_open");
	start = now_ms();
	if (batch && store_begin(s)) {
		fail("store_begin");
		goto done;
	}
	for (k = 0; k < N; k++) {
		for (i = 0; i < p->nsamples; i++) {
			int64_t f = (int64_t)(rng(&seed) % 4);

			for (t = 0; t < p->ntypes; t++)
				p->values[(size_t)i * p->ntypes + t] = orig[(size_t)i * p->ntypes + t] * f;
		}
		if (store_write(s, NULL, &ls, p, t0 + (int64_t)k * 10 * SEC, 10 * SEC)) {
			fail("store_write");
			goto done;
		}
	}
	if (batch && store_commit(s)) {
		fail("store_commit");
		goto done;
	}
	*ms = now_ms() - start;
	rc = 0;
done:
	store_close(s);
	labelset_free(&ls);
	return rc;
}

/*
 * A store whose location and stack ids are 7/8 holes, the lowest: 7 copies of p, each
 * with every address moved, written an hour before t0 and deleted by retention with
 * the locations and stacks only they used; p itself written after them, 30 s before
 * t0, keeps the service.  p's addresses are restored.
 */
static int sparse_store(const char *path, struct prof *p, const int64_t *orig, int64_t t0)
{
	struct store *s;
	struct labelset ls = LABELSET_INIT;
	uint64_t deleted;
	uint32_t k, i, moved = 0;
	int rc = 1;

	labelset_set(&ls, "service_name", "cpuwork");
	labelset_set(&ls, "__name__", "process_cpu");
	memcpy(p->values, orig, (size_t)p->nsamples * p->ntypes * sizeof(*orig));
	if (store_open(path, STORE_CREATE, &s)) {
		labelset_free(&ls);
		return fail("store_open");
	}
	for (k = 1; k <= 8; k++) {
		if (k == 8) {
			for (i = 0; i < p->nlocations; i++)
				p->locations[i].address -= moved;
			moved = 0;
		} else {
			for (i = 0; i < p->nlocations; i++)
				p->locations[i].address += 1;
			moved++;
		}
		if (store_write(s, NULL, &ls, p,
				k == 8 ? t0 - 30 * SEC : t0 - 3600 * SEC + (int64_t)k * SEC, 10 * SEC)) {
			fail("store_write");
			goto done;
		}
	}
	if (store_retention(s, t0 - 60 * SEC, &deleted)) {
		fail("store_retention");
		goto done;
	}
	rc = 0;
done:
	for (i = 0; i < p->nlocations; i++)
		p->locations[i].address -= moved;
	store_close(s);
	labelset_free(&ls);
	return rc;
}

/* Merge + call tree through a backend; *nodes gets the tree size. */
static int merge_tree(struct backend *b, const struct query *q, double *ms, uint32_t *nodes,
		      uint64_t *nprof)
{
	struct prof *m = NULL;
	struct tree *t = NULL;
	struct merge_info mi;
	double start = now_ms();

	if (b->ops->merge(b, q, &m, &mi))
		return fail("merge");
	if (tree_build(m, &t)) {
		prof_free(m);
		return fail("tree_build");
	}
	*ms = now_ms() - start;
	*nodes = t->n;
	*nprof = mi.nprofiles;
	tree_free(t);
	prof_free(m);
	return 0;
}

/*
 * RUNS times: the store opened afresh, merged cold and again warm; cold and warm get
 * the times sorted.
 */
static int merge_runs(const char *path, const struct query *q, double *cold, double *warm,
		      uint32_t *nodes, uint64_t *nprof)
{
	struct backend *b;
	int r, rc;

	for (r = 0; r < RUNS; r++) {
		if (store_backend_open(path, NULL, &b))
			return fail("store_backend_open");
		rc = merge_tree(b, q, &cold[r], nodes, nprof) || merge_tree(b, q, &warm[r], nodes, nprof);
		backend_close(b);
		if (rc)
			return 1;
	}
	qsort(cold, RUNS, sizeof(double), bench_cmp_double);
	qsort(warm, RUNS, sizeof(double), bench_cmp_double);
	return 0;
}

int bench_store(const char *file)
{
	char dir[] = "/tmp/smolder-bench-store-XXXXXX", path[128], path2[128], path3[128];
	struct buf in = BUF_INIT;
	struct prof *p = NULL;
	struct store *s = NULL;
	struct backend *b = NULL;
	struct store_stats empty, one, all, rolled;
	struct query q = { PTYPE, NULL, { 0, 0 }, AGG_AUTO, NULL, 0 };
	struct series_points_list tl = { 0 };
	int64_t *orig = NULL, t0 = 1700000000LL * SEC;
	double single_ms, batch_ms, sparse_ms, cold[RUNS], warm[RUNS], t_ms, ms;
	uint32_t nodes = 0;
	uint64_t nprof = 0, merged;
	int rc = 1;

	if (!mkdtemp(dir))
		return fail("mkdtemp");
	snprintf(path, sizeof(path), "%s/single.db", dir);
	snprintf(path2, sizeof(path2), "%s/batch.db", dir);
	snprintf(path3, sizeof(path3), "%s/sparse.db", dir);
	if (buf_read_file(&in, file, DECODE_MAX_INPUT) ||
	    decode_profile((const uint8_t *)in.data, in.len, file, &p)) {
		fail("reading the profile");
		goto done;
	}
	if (!(orig = malloc((size_t)p->nsamples * p->ntypes * sizeof(*orig))))
		goto done;
	memcpy(orig, p->values, (size_t)p->nsamples * p->ntypes * sizeof(*orig));
	/* the empty store, and one profile with every symbol new */
	if (store_open(path, STORE_CREATE, &s) || store_stats(s, &empty)) {
		fail("store_open");
		goto done;
	}
	{
		struct labelset ls = LABELSET_INIT;

		labelset_set(&ls, "service_name", "first");
		if (store_write(s, NULL, &ls, p, t0, 10 * SEC) || store_stats(s, &one)) {
			labelset_free(&ls);
			fail("store_write");
			goto done;
		}
		labelset_free(&ls);
	}
	store_close(s);
	s = NULL;
	remove(path);
	if (fill(path, p, orig, t0, false, &single_ms) || fill(path2, p, orig, t0, true, &batch_ms))
		goto done;
	if (store_open(path, STORE_READONLY, &s) || store_stats(s, &all)) {
		fail("store_open");
		goto done;
	}
	store_close(s);
	s = NULL;
	q.range.from_ns = t0;
	q.range.to_ns = t0 + 3600 * SEC;
	if (merge_runs(path, &q, cold, warm, &nodes, &nprof))
		goto done;
	if (store_backend_open(path, NULL, &b)) {
		fail("store_backend_open");
		goto done;
	}
	t_ms = now_ms();
	if (b->ops->timeline(b, &q, 10, NULL, &tl)) {
		fail("timeline");
		goto done;
	}
	t_ms = now_ms() - t_ms;
	backend_close(b);
	b = NULL;

	printf("store: %u profiles of %s (%zu bytes gzipped, %u samples, %u sample types),"
	       " 1 h at 10 s\n", N, file, in.len, p->nsamples, p->ntypes);
	printf("  write, 1 push per transaction (synced) %8.2f ms per push (%.0f pushes/s)\n",
	       single_ms / N, N * 1000.0 / single_ms);
	printf("  write, %u pushes in one transaction   %8.2f ms per push (%.0f pushes/s)\n", N,
	       batch_ms / N, N * 1000.0 / batch_ms);
	printf("  on disk per profile (symbols shared)   %8.0f bytes = %.1f %% of the gzipped pprof"
	       " (target <= 20 %%)\n", (double)(all.file_bytes - empty.file_bytes) / N,
	       100.0 * (double)(all.file_bytes - empty.file_bytes) / N / (double)in.len);
	printf("    of which profile blobs               %8.0f bytes (%u sample types)\n",
	       (double)all.blob_bytes / N, p->ntypes);
	printf("  the first profile of a service         %8llu bytes = %.0f %% (its symbols are new)\n",
	       (unsigned long long)(one.file_bytes - empty.file_bytes),
	       100.0 * (double)(one.file_bytes - empty.file_bytes) / (double)in.len);
	printf("  merge 1 h + call tree, cold store      %8.1f ms (median of %d; %u nodes, %llu "
	       "profiles; target < 150 ms)\n", cold[RUNS / 2], RUNS, nodes,
	       (unsigned long long)nprof);
	printf("  merge 1 h + call tree, warm            %8.1f ms\n", warm[RUNS / 2]);
	printf("  timeline 1 h at 10 s (%zu points)     %8.1f ms\n", tl.n ? tl.v[0].n : 0, t_ms);
	/* rollups: the same hour from 60 one-minute rollups */
	if (store_open(path, 0, &s) || store_downsample(s, t0 + 3600 * SEC, 60 * SEC, &merged) ||
	    store_stats(s, &rolled)) {
		fail("store_downsample");
		goto done;
	}
	store_close(s);
	s = NULL;
	if (store_backend_open(path, NULL, &b) || merge_tree(b, &q, &ms, &nodes, &nprof)) {
		fail("merge after downsampling");
		goto done;
	}
	printf("  merge 1 h from 1 min rollups, cold     %8.1f ms (%llu profiles merged into rollups)\n",
	       ms, (unsigned long long)merged);
	printf("  profile blobs per minute, rolled up    %8.0f bytes (%.0f before: 6 profiles)\n",
	       (double)rolled.blob_bytes / 60, (double)all.blob_bytes / 60);
	backend_close(b);
	b = NULL;
	if (sparse_store(path3, p, orig, t0) || fill(path3, p, orig, t0, true, &sparse_ms) ||
	    merge_runs(path3, &q, cold, warm, &nodes, &nprof))
		goto done;
	printf("  sparse ids (7/8 of locations and stacks collected):\n");
	printf("  write, %u pushes in one transaction   %8.2f ms per push (%.0f pushes/s)\n", N,
	       sparse_ms / N, N * 1000.0 / sparse_ms);
	printf("  merge 1 h + call tree, cold store      %8.1f ms (median of %d; %u nodes, %llu "
	       "profiles)\n", cold[RUNS / 2], RUNS, nodes, (unsigned long long)nprof);
	printf("  merge 1 h + call tree, warm            %8.1f ms\n", warm[RUNS / 2]);
	rc = 0;
done:
	backend_close(b);
	store_close(s);
	series_points_list_release(&tl);
	free(orig);
	prof_free(p);
	buf_release(&in);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
