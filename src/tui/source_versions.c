/*
 * source_versions.c — the versions of the service behind the shown profile, for the
 * source pane (view 4).
 *
 * A profile opened from a store or a server (the browser's window, or the one
 * `smolder view --db/--url --profile-type` starts on) may hold samples of several
 * versions of the service: series with different service_git_ref labels.  Line
 * numbers of different versions must never be added up, so when there are several the
 * pane shows one version at a time, each from its own merge (the browser's query plus
 * service_git_ref="REF"), filtered like the shown profile, with the code at that ref.
 * With one version (or none) the pane uses the shown profile and only takes the
 * version's labels (service_repository, service_git_ref, service_root_path) for
 * source_find().
 *
 * The grouping itself is src/source/versions.c (shared with `smolder list`).  The
 * versions are read on a worker thread (struct source_vjob) through a handle of its
 * own on the browser's backend (backend_share serialises them; a read the UI stops
 * waiting for is left to its thread, which frees it): the series of the
 * query give the distinct refs, then each version is merged and filtered.  Results land
 * whole in a->sctx on the UI thread; the old ones stay on screen until then.  A new query
 * or new filters re-read them at once, a range that only moved (live) at most every
 * SOURCE_VERSIONS_REFRESH_MS.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tui_int.h"

/* ------------------------------------------------------------------------------------ */
/* the worker                                                                            */

/* The query's selector, narrowed to its service, and to the profile type (for series,
 * which take no type) or to one version (for merges). */
static int query_selector(const struct source_query *q, bool with_type, const char *ref,
			  struct selector **out)
{
	int rc = selector_parse(*q->sel_text ? q->sel_text : "{}", out);

	if (!rc && *q->service)
		rc = selector_add(*out, "service_name", MATCH_EQ, q->service);
	if (!rc && with_type && *q->ptype)
		rc = selector_add(*out, "__profile_type__", MATCH_EQ, q->ptype);
	if (!rc && ref)
		rc = selector_add(*out, "service_git_ref", MATCH_EQ, ref);
	if (rc) {
		selector_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Merges one version (the query plus service_git_ref="REF") and filters it. */
static int read_version(struct source_vjob *j, struct source_version *v)
{
	struct selector *sel = NULL;
	struct query q = { .profile_type = j->q.ptype, .range = j->q.range, .agg = j->q.agg };
	struct prof *raw = NULL, *f = NULL;
	const char **path = NULL;
	size_t off = 0;
	uint32_t k;
	int rc;

	/* the call path the shown profile is narrowed to (Z) narrows each version too */
	if (j->q.npath && !(path = calloc(j->q.npath, sizeof(*path))))
		return err_set(ERR_NOMEM, "out of memory");
	for (k = 0; k < j->q.npath; k++) {
		path[k] = j->q.path + off;
		off += strlen(path[k]) + 1;
	}
	q.call_site = path;
	q.ncall_site = j->q.npath;
	if ((rc = query_selector(&j->q, false, v->ref, &sel))) {
		free(path);
		return rc;
	}
	q.selector = sel;
	rc = j->be->ops->merge(j->be, &q, &raw, NULL);
	selector_free(sel);
	free(path);
	if (rc == ERR_NOTFOUND) /* data gone since the series were listed: an empty version */
		return 0;
	if (rc)
		return err_prefix(rc, "version '%s'", v->ref);
	if ((rc = app_filters_apply(raw, j->filters, j->nfilters, &f))) {
		prof_free(raw);
		return rc;
	}
	if (f != raw)
		prof_free(raw);
	v->prof = f;
	return 0;
}

static int vjob_run(struct source_vjob *j)
{
	struct selector *sel = NULL;
	struct labelset_list ls = { 0 };
	size_t i;
	int rc;

	if (!j->be)
		return err_set(ERR_UNSUPPORTED, "no backend to read the versions from");
	if ((rc = query_selector(&j->q, true, NULL, &sel)))
		return rc;
	rc = j->be->ops->series(j->be, sel, NULL, 0, j->q.range, &ls);
	selector_free(sel);
	if (!rc)
		rc = source_versions_group(ls.v, ls.n, &j->v, &j->nv, &j->nall);
	labelset_list_release(&ls);
	for (i = 0; !rc && j->nv > 1 && i < j->nv; i++)
		rc = read_version(j, &j->v[i]);
	return rc;
}

static void vjob_outputs_release(struct source_vjob *j)
{
	source_versions_free(j->v, j->nv);
	j->v = NULL;
	j->nv = j->nall = 0;
}

static void vjob_free(struct job *job)
{
	struct source_vjob *j = (struct source_vjob *)job;

	vjob_outputs_release(j);
	backend_close(j->be);
	free(j);
}

static void vjob_thread(struct job *job)
{
	struct source_vjob *j = (struct source_vjob *)job;

	if (j->be)
		j->be->cancel = &j->job.cancel;
	j->rc = vjob_run(j);
	if (j->rc)
		snprintf(j->err, sizeof(j->err), "%s", err_last());
	if (j->be)
		j->be->cancel = NULL;
}

/*
 * Stops waiting for the read in flight and drops what it read, never blocking: a thread
 * still inside the backend (maybe waiting for the browser's slow call on the shared
 * backend) is told to stop and left to free the job, and its own handle, itself.
 */
static void vjob_drop(struct source_ctx *c)
{
	if (c->job)
		job_drop(&c->job->job);
	c->job = NULL;
}

/* Puts what a finished read found in a->sctx. */
static void vjob_land(struct tui_app *a)
{
	struct source_ctx *c = &a->sctx;
	struct source_vjob *j = c->job;

	c->job = NULL;
	if (atomic_load(&j->job.cancel)) {
		c->cancelled = true;
		snprintf(c->why, sizeof(c->why), "reading the versions was cancelled (r reads again)");
	} else if (j->rc) {
		/* keep versions read before (a passing error must not mix them); say why */
		c->have_gen = j->gen; /* no retry until the data changes again */
		c->fetched_ms = app_now_ms();
		snprintf(c->why, sizeof(c->why), "%s", j->err);
		c->known = true;
	} else {
		c->have_gen = j->gen;
		c->fetched_ms = app_now_ms();
		source_versions_free(c->v, c->nv);
		c->v = j->v;
		c->nv = j->nv;
		c->nall = j->nall;
		j->v = NULL;
		j->nv = j->nall = 0;
		c->known = true;
		c->why[0] = '\0';
	}
	vjob_free(&j->job);
}

/* ------------------------------------------------------------------------------------ */
/* on the UI thread                                                                      */

static void query_set(struct tui_app *a, const char *service, const char *ptype,
		      const char *sel_text, struct time_range range, enum aggregate agg,
		      char *const *path, size_t npath)
{
	struct source_ctx *c = &a->sctx;
	char flat[SOURCE_PATH_MAX];
	size_t len = 0, i, n;
	bool same;

	for (i = 0; i < npath; i++) {
		n = strlen(path[i]) + 1;
		if (len + n > sizeof(flat))
			break; /* deeper than fits: the versions are read for a shorter prefix */
		memcpy(flat + len, path[i], n);
		len += n;
	}
	npath = i;
	same = c->q.set && strcmp(c->q.service, service) == 0 && strcmp(c->q.ptype, ptype) == 0 &&
	       strcmp(c->q.sel_text, sel_text) == 0 && c->q.agg == agg && c->q.npath == npath &&
	       c->q.path_len == len && memcmp(c->q.path, flat, len) == 0;
	memcpy(c->q.path, flat, len);
	c->q.path_len = len;
	c->q.npath = (uint32_t)npath;

	snprintf(c->q.service, sizeof(c->q.service), "%s", service);
	snprintf(c->q.ptype, sizeof(c->q.ptype), "%s", ptype);
	snprintf(c->q.sel_text, sizeof(c->q.sel_text), "%s", sel_text);
	c->q.range = range;
	c->q.agg = agg;
	c->q.set = true;
	if (!same)
		c->hard = true;
}

void source_versions_opened(struct tui_app *a, const char *service, const char *ptype,
			    const char *sel_text, struct time_range range, enum aggregate agg,
			    char *const *path, size_t npath)
{
	query_set(a, service, ptype, sel_text, range, agg, path, npath);
	a->sctx.opened = true;
}

void source_versions_clear(struct tui_app *a)
{
	struct source_ctx *c = &a->sctx;

	vjob_drop(c);
	source_versions_free(c->v, c->nv);
	c->v = NULL;
	c->nv = c->nall = 0;
	c->known = false;
	c->hard = false;
	c->why[0] = '\0';
	c->q.set = false;
}

void source_versions_invalidate(struct tui_app *a, bool hard)
{
	struct source_ctx *c = &a->sctx;

	c->gen++;
	if (hard)
		c->hard = true;
	if (c->hard) {
		vjob_drop(c); /* it reads what is no longer shown */
		c->cancelled = false;
	}
}

void source_versions_retry(struct tui_app *a)
{
	a->sctx.cancelled = false;
	a->sctx.hard = true;
	a->sctx.gen++;
}

bool source_versions_refresh(struct tui_app *a)
{
	struct source_ctx *c = &a->sctx;
	struct source_vjob *j;

	if (!c->q.set)
		return false;
	if (c->job)
		return true;
	if (c->known && c->have_gen == c->gen)
		return false;
	if (c->cancelled)
		return false; /* Esc: until r, or other data */
	if (c->known && !c->hard && app_now_ms() - c->fetched_ms < SOURCE_VERSIONS_REFRESH_MS)
		return false; /* only the range moved: the versions shown do for a while */
	if (!(j = calloc(1, sizeof(*j))) || (c->be && backend_share_more(c->be, &j->be))) {
		free(j);
		snprintf(c->why, sizeof(c->why), "%s", c->be ? err_last() : "out of memory");
		c->known = true;
		c->have_gen = c->gen;
		return false;
	}
	job_init(&j->job, vjob_thread, vjob_free);
	j->q = c->q;
	j->nfilters = a->nfilters;
	memcpy(j->filters, a->filters, (size_t)a->nfilters * sizeof(j->filters[0]));
	j->gen = c->gen;
	c->hard = false;
	c->job = j;
	if (job_start(&j->job, a->async)) {
		c->job = NULL;
		vjob_free(&j->job);
		snprintf(c->why, sizeof(c->why), "cannot start a thread");
		c->known = true;
		c->have_gen = c->gen;
		return false;
	}
	if (!a->async) { /* drivers and tests: at once */
		vjob_land(a);
		return false;
	}
	return true;
}

bool source_versions_poll(struct tui_app *a)
{
	struct source_vjob *j = a->sctx.job;

	if (!j || !job_poll(&j->job))
		return false;
	vjob_land(a);
	return true;
}

void source_versions_release(struct tui_app *a)
{
	struct source_ctx *c = &a->sctx;

	source_versions_clear(a);
	backend_close(c->be);
	c->be = NULL;
}
