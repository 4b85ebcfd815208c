/*
 * versions.c — the versions of a service among a query's series: the series grouped by
 * their service_git_ref label, with the repository and root path most of each group
 * names.  Line numbers of two versions of a file are never added up, so whoever shows
 * per-line costs of data from a store or a server (the explorer's source pane,
 * `smolder list`) merges each version on its own (the query plus service_git_ref="REF")
 * and reads its code at that ref.
 *
 * Pure: no I/O, no backend; the callers list the series and merge the versions.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/strmap.h"
#include "base/vec.h"
#include "profile/labels.h"
#include "source.h"

#define TALLY_MAX 8

/* The distinct values of one label over a version's series (borrowed), with counts. */
struct tally {
	const char *v[TALLY_MAX];
	uint32_t c[TALLY_MAX];
	size_t n;
	bool over;  /* more distinct values than TALLY_MAX */
};

struct group {
	const char *ref;
	uint32_t nseries;
	struct tally repo, root;
};

static void tally_add(struct tally *t, const char *v)
{
	size_t i;

	if (!v || !*v)
		return;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i], v) == 0) {
			t->c[i]++;
			return;
		}
	if (t->n == TALLY_MAX) {
		t->over = true;
		return;
	}
	t->v[t->n] = v;
	t->c[t->n++] = 1;
}

/* The most frequent value (the smallest on a tie), or NULL. */
static const char *tally_top(const struct tally *t)
{
	const char *best = NULL;
	uint32_t bc = 0;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->c[i] > bc || (t->c[i] == bc && strcmp(t->v[i], best) < 0)) {
			best = t->v[i];
			bc = t->c[i];
		}
	return best;
}

static int cmp_ref(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	return strverscmp(a->ref, b->ref);
}

static int cmp_size(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	if (a->nseries != b->nseries)
		return a->nseries > b->nseries ? -1 : 1;
	return strverscmp(a->ref, b->ref);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int source_versions_group(const struct labelset *series, size_t n,
			  struct source_version **out, size_t *nout, size_t *nall)
{
	struct group *g = NULL;
	size_t ng = 0, cap = 0, i, k;
	struct source_version *v = NULL;
	struct strmap refs; /* ref → its group's index: a query may return 10^5 versions */
	uint32_t idx;
	int rc = 0;

	*out = NULL;
	*nout = *nall = 0;
	if ((rc = strmap_init(&refs, 16)))
		return rc;
	for (i = 0; i < n; i++) {
		const char *ref = labelset_get(&series[i], "service_git_ref");

		if (!ref)
			ref = "";
		if ((rc = strmap_intern(&refs, ref, strlen(ref), &idx)) < 0)
			goto done;
		k = idx;
		if (rc == 0) {
			if ((rc = vec_reserve(&g, &cap, ng + 1)))
				goto done;
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng++].ref = ref;
		}
		rc = 0;
		g[k].nseries++;
		tally_add(&g[k].repo, labelset_get(&series[i], "service_repository"));
		tally_add(&g[k].root, labelset_get(&series[i], "service_root_path"));
	}
	*nall = ng;
	if (ng > SOURCE_VERSIONS_MAX) { /* the versions most series run */
		qsort(g, ng, sizeof(*g), cmp_size);
		ng = SOURCE_VERSIONS_MAX;
	}
	if (ng > 1)
		qsort(g, ng, sizeof(*g), cmp_ref);
	if (ng && !(v = calloc(ng, sizeof(*v)))) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	for (k = 0; k < ng; k++) {
		const char *repo = tally_top(&g[k].repo), *root = tally_top(&g[k].root);

		v[k].nseries = g[k].nseries;
		v[k].mixed = g[k].repo.n > 1 || g[k].root.n > 1 || g[k].repo.over || g[k].root.over;
		v[k].ref = strdup(g[k].ref);
		v[k].repo = dup_or_null(repo);
		v[k].root = dup_or_null(root);
		if (!v[k].ref || (repo && !v[k].repo) || (root && !v[k].root)) {
			source_versions_free(v, ng);
			v = NULL;
			rc = err_set(ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	*out = v;
	*nout = ng;
done:
	strmap_release(&refs);
	free(g);
	return rc;
}

int source_version_labels(const struct source_version *v, struct labelset *out)
{
	int rc = 0;

	/* "" is the group of series without the label: no ref to read at */
	if (v && v->repo)
		rc = labelset_set(out, "service_repository", v->repo);
	if (!rc && v && v->ref && *v->ref)
		rc = labelset_set(out, "service_git_ref", v->ref);
	if (!rc && v && v->root)
		rc = labelset_set(out, "service_root_path", v->root);
	return rc;
}

void source_versions_free(struct source_version *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].ref);
		free(v[i].repo);
		free(v[i].root);
		prof_free(v[i].prof);
	}
	free(v);
}
