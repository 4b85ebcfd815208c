/*
 * shared.c — two handles on one backend, for two threads (backend.h: backend_share).
 *
 * A backend is used by one thread at a time; the explorer has two workers that need the
 * same one (the store browser's jobs and the source pane's per-version merges).  Each
 * handle is a backend of its own with its own `cancel`; every call takes the core's
 * mutex, points the inner backend's cancel at the caller's handle's, calls through and
 * lets go.  Calls from the handles are serialised, never interleaved within a call.
 * backend_share_more() adds handles (a worker the UI stopped waiting for keeps its own).
 * The inner backend is closed when every handle is.
 */
#include "backend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "base/err.h"

struct share_core {
	pthread_mutex_t mu;
	struct backend *inner;
	atomic_int refs;  /* handles not closed yet (not under mu: it is held during calls) */
};

struct share_handle {
	struct backend base;  /* first: a struct backend * is a struct share_handle * */
	struct share_core *core;
};

static struct backend *enter(struct backend *b)
{
	struct share_handle *h = (struct share_handle *)b;

	pthread_mutex_lock(&h->core->mu);
	h->core->inner->cancel = b->cancel;
	return h->core->inner;
}

static int leave(struct backend *b, int rc)
{
	struct share_handle *h = (struct share_handle *)b;

	h->core->inner->cancel = NULL;
	b->max_range_ns = h->core->inner->max_range_ns; /* a limit the call learnt */
	pthread_mutex_unlock(&h->core->mu);
	return rc;
}

static int sh_profile_types(struct backend *b, struct time_range r, struct profile_type_list *out)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->profile_types(in, r, out));
}

static int sh_label_names(struct backend *b, const struct selector *sel, struct time_range r,
			  struct strvec *out)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->label_names(in, sel, r, out));
}

static int sh_label_values(struct backend *b, const char *name, const struct selector *sel,
			   struct time_range r, struct strvec *out)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->label_values(in, name, sel, r, out));
}

static int sh_series(struct backend *b, const struct selector *sel, const char *const *names,
		     size_t nnames, struct time_range r, struct labelset_list *out)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->series(in, sel, names, nnames, r, out));
}

static int sh_timeline(struct backend *b, const struct query *q, double step_s,
		       const char *group_by, struct series_points_list *out)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->timeline(in, q, step_s, group_by, out));
}

static int sh_merge(struct backend *b, const struct query *q, struct prof **out,
		    struct merge_info *info)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->merge(in, q, out, info));
}

static int sh_merge_tree(struct backend *b, const struct query *q, uint32_t max_nodes,
			 struct prof **out, struct merge_info *info)
{
	struct backend *in = enter(b);

	return leave(b, in->ops->merge_tree(in, q, max_nodes, out, info));
}

static int sh_diff(struct backend *b, const struct query *base, const struct query *cur,
		   uint32_t max_nodes, struct prof **out)
{
	struct backend *in = enter(b);

	return leave(b, backend_diff(in, base, cur, max_nodes, out));
}

static void sh_close(struct backend *b)
{
	struct share_handle *h = (struct share_handle *)b;
	struct share_core *c = h->core;
	int left;

	left = atomic_fetch_sub(&c->refs, 1) - 1;
	free(h);
	if (left == 0) {
		backend_close(c->inner);
		pthread_mutex_destroy(&c->mu);
		free(c);
	}
}

static const struct backend_ops share_ops = {
	.profile_types = sh_profile_types,
	.label_names = sh_label_names,
	.label_values = sh_label_values,
	.series = sh_series,
	.timeline = sh_timeline,
	.merge = sh_merge,
	.merge_tree = sh_merge_tree,
	.close = sh_close,
	.diff = sh_diff,
};

int backend_share_more(struct backend *handle, struct backend **out)
{
	struct share_handle *h = (struct share_handle *)handle, *n;

	*out = NULL;
	if (handle->ops != &share_ops)
		return err_set(ERR_USAGE, "not a shared backend handle");
	if (!(n = calloc(1, sizeof(*n))))
		return err_set(ERR_NOMEM, "out of memory");
	n->base.ops = &share_ops;
	n->core = h->core;
	atomic_fetch_add(&h->core->refs, 1);
	*out = &n->base;
	return 0;
}

int backend_share(struct backend *inner, struct backend **out1, struct backend **out2)
{
	struct share_core *c = calloc(1, sizeof(*c));
	struct share_handle *h1 = calloc(1, sizeof(*h1)), *h2 = calloc(1, sizeof(*h2));

	*out1 = *out2 = NULL;
	if (!c || !h1 || !h2 || pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		free(h1);
		free(h2);
		return err_set(ERR_NOMEM, "out of memory");
	}
	c->inner = inner;
	atomic_init(&c->refs, 2);
	h1->base.ops = h2->base.ops = &share_ops;
	h1->core = h2->core = c;
	*out1 = &h1->base;
	*out2 = &h2->base;
	return 0;
}
