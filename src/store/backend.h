/*
 * backend.h — the one interface between what shows profiles (the explorer, the verbs,
 * the query API of `serve`) and where profiles live: the local SQLite store
 * (store.h: store_backend_new) or a Grafana Pyroscope server's query API (remote.h:
 * remote_backend_open).  Callers never know which one they hold.
 *
 * Every call answers for one tenant (fixed when the backend is made) and may be slow
 * (big ranges, a network): run it on a worker thread.  A call polls b->cancel (when not
 * NULL) and fails with ERR_CANCELLED once it is non-zero.  A backend is used by one
 * thread at a time.
 *
 * Time ranges are [from, to) in nanoseconds since the epoch; {0, 0} means all time.  Selectors are
 * profile/selector.h; NULL means "everything".  Sample labels (pprof labels such as Go's
 * pprof.Do endpoint) are labels like the series' own for every call: a matcher on a name
 * the series lacks is tested against each sample's labels.
 *
 * Aggregation: a counter (cpu, alloc_*, contentions, ...) is summed over a range; a gauge
 * (inuse_*, goroutine(s), live, Node's heap space/objects: a snapshot, not a count over
 * time) is averaged per series over its profiles, then the series are added — a 1 h heap
 * view shows the heap of a typical moment, not 360 heaps stacked.  AGG_SUM / AGG_AVG in
 * the query override that (--aggregate sum|avg), in timelines too, so that a timeline's
 * step and the merge of that step agree.  AGG_AVG_POOLED is Pyroscope's explicit average
 * (what serve's SelectSeries AVERAGE and render's aggregation=avg ask for): in a
 * timeline a step of a group is the mean of every profile of the whole group in it, its
 * series pooled (two series of 10 and 30 give 20, where AGG_AVG and a gauge's AGG_AUTO
 * give 40); in a merge it is AGG_AVG.
 *
 * Ownership: every result comes back through an out-parameter the caller owns and
 * releases with the matching *_release() (lists) or prof_free() (profiles).  Lists are
 * appended to, so the caller initialises them (zeroed, or *_INIT).
 */
#ifndef SMOLDER_BACKEND_H
#define SMOLDER_BACKEND_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/strvec.h"
#include "profile/labels.h"
#include "profile/prof.h"
#include "profile/selector.h"

struct time_range {
	int64_t from_ns, to_ns;  /* [from, to) */
};

/* A profile type ID taken apart: name:sample_type:sample_unit:period_type:period_unit. */
struct profile_type {
	char *id, *name, *sample_type, *sample_unit, *period_type, *period_unit;
};

struct profile_type_list {
	struct profile_type *v;
	size_t n, cap;
};

struct labelset_list {
	struct labelset *v;
	size_t n, cap;
};

/* One timeline: a point per step, the step's start (ms) and its value. */
struct series_points {
	struct labelset labels;  /* the group-by label (empty without group_by) */
	int64_t *ts_ms;
	double *values;
	size_t n;
};

struct series_points_list {
	struct series_points *v;
	size_t n, cap;
};

enum aggregate { AGG_AUTO, AGG_SUM, AGG_AVG, AGG_AVG_POOLED };

struct query {
	const char *profile_type;        /* required: a profile type ID */
	const struct selector *selector; /* NULL: everything */
	struct time_range range;
	enum aggregate agg;
	/*
	 * Pyroscope's stack_trace_selector: only stacks that start, root first, with these
	 * function names (ncall_site of them; 0: every stack).  merge and merge_tree apply
	 * it; a timeline that cannot fails with ERR_UNSUPPORTED.
	 */
	const char *const *call_site;
	size_t ncall_site;
};

/* What a merge added up, for the screen ("average of 360 profiles"). */
struct merge_info {
	uint64_t nprofiles;   /* profiles pushed (a rollup counts what it holds) */
	uint32_t nseries;     /* series that contributed */
	bool averaged;        /* the values are per-series averages over time */
	int64_t first_ns, last_ns;  /* time of the first and last profile merged */
	bool truncated;       /* merge_tree folded small subtrees into "other" nodes */
	bool remote;          /* a server merged it: the counts above are unknown (0) */
};

struct backend;

struct backend_ops {
	/* Profile types with data in the range, sorted by ID. */
	int (*profile_types)(struct backend *b, struct time_range r, struct profile_type_list *out);
	/* Label names of the matching series (and their samples), sorted. */
	int (*label_names)(struct backend *b, const struct selector *sel, struct time_range r,
			   struct strvec *out);
	/* The values of one label over the matching series (and their samples), sorted. */
	int (*label_values)(struct backend *b, const char *name, const struct selector *sel,
			    struct time_range r, struct strvec *out);
	/*
	 * The label sets of the series with data in the range.  With names (nnames of
	 * them; 0: every label) each set is cut to those names and every distinct cut set
	 * comes once, in no particular order; a series with none of them adds no set.
	 * Pyroscope's Series with label_names: a server sends the few distinct sets, not
	 * every series (profilecli's query series --label-names).
	 */
	int (*series)(struct backend *b, const struct selector *sel, const char *const *names,
		      size_t nnames, struct time_range r, struct labelset_list *out);
	/*
	 * The value per step of q's profile type: one series per value of group_by (NULL:
	 * one series).  Steps start at range.from rounded down to a multiple of step_s;
	 * empty steps are 0.  The answer is steps x groups values: ERR_TOOBIG when that
	 * is more than the backend answers (the store: 4 M values, 10,000 groups).
	 */
	int (*timeline)(struct backend *b, const struct query *q, double step_s,
			const char *group_by, struct series_points_list *out);
	/* The merged profile, one sample type (q's), full detail; info may be NULL. */
	int (*merge)(struct backend *b, const struct query *q, struct prof **out,
		     struct merge_info *info);
	/* Like merge; may fold the smallest subtrees so at most max_nodes remain. */
	int (*merge_tree)(struct backend *b, const struct query *q, uint32_t max_nodes,
			  struct prof **out, struct merge_info *info);
	void (*close)(struct backend *b);
	/*
	 * Optional (NULL: backend_diff() merges both sides itself): the two merged
	 * profiles as one prof_pair() profile (profile/merge.h: cur's type, then base's),
	 * folded like merge_tree.  A server computes it in one request (Pyroscope's Diff).
	 */
	int (*diff)(struct backend *b, const struct query *base, const struct query *cur,
		    uint32_t max_nodes, struct prof **out);
};

struct backend {
	const struct backend_ops *ops;
	atomic_int *cancel;  /* may be NULL; set by the owner */
	/*
	 * The longest range one request answers, 0 when there is no limit or none is known
	 * yet; set by the backend (a handle of backend_share's: after each of its calls).
	 * A server with a maximum query length (Grafana Pyroscope's default is 24 h) answers
	 * a longer range only in pieces of it, a request each (remote.c splits a range the
	 * server refused): a caller that would look far back (the browser's search for data)
	 * bounds how far by it.
	 */
	int64_t max_range_ns;
};

static inline void backend_close(struct backend *b)
{
	if (b)
		b->ops->close(b);
}

/*
 * A timeline's step grid (backend_ops.timeline): steps of step_s (to the nearest ns)
 * from r.from rounded down to a multiple of the step, as many as cover r.  Where that
 * multiple is before int64's first time (1677-09-21), the grid starts at the next one and
 * the part of r before it has no point.  ERR_USAGE for a step under 1 ms, an empty range
 * or one that ends before the grid starts, ERR_TOOBIG for more than max_steps steps.
 */
#define TIMELINE_MAX_STEP_S 1e9  /* about 31 years: any longer step is one point anyway */
int backend_timeline_grid(struct time_range r, double step_s, size_t max_steps,
			  int64_t *start_ns, int64_t *step_ns, size_t *n);

/*
 * A step (whole seconds) whose grid puts all of r in one step, so a timeline of it has one
 * point per series equal to a merge of r (a gauge's average too); 0 when there is none
 * (a range that crosses a multiple of TIMELINE_MAX_STEP_S, or starts before 1970).
 */
double backend_timeline_one_step(struct time_range r);

/*
 * Pyroscope's CalcPointInterval: (until - from) / 1500 made round, at least 15 s — the
 * step of /pyroscope/render's timeline and of `query timeline` without --step.
 */
double backend_point_interval_s(int64_t from_ms, int64_t until_ms);

/* b->ops->diff, or merge_tree of both sides and prof_pair(). */
int backend_diff(struct backend *b, const struct query *base, const struct query *cur,
		 uint32_t max_nodes, struct prof **out);

/*
 * Two handles on one backend for two threads (shared.c): each is a backend with its own
 * `cancel`; their calls are serialised by a mutex (a call waits while the other handle's
 * runs).  Takes ownership of inner, closed when both handles are; on failure (ERR_NOMEM)
 * inner still belongs to the caller.
 */
int backend_share(struct backend *inner, struct backend **out1, struct backend **out2);
/*
 * One more handle on the backend behind `handle` (one of backend_share's, or of this),
 * with its own `cancel`, for a third thread; the caller closes it.  ERR_USAGE when
 * `handle` is not a shared handle.
 */
int backend_share_more(struct backend *handle, struct backend **out);

/* Splits an ID into *out (five ':'-separated fields; a sixth ":delta" is ignored). */
int profile_type_parse(const char *id, struct profile_type *out);
/* The length of id without a sixth ":delta" field (what series are keyed by). */
size_t profile_type_id_len(const char *id);
void profile_type_release(struct profile_type *pt);
/* Whether values of this type are snapshots (averaged over time) rather than counts. */
bool profile_type_is_gauge(const char *id);
/* AGG_AUTO resolved for a type: true when a merge over time averages. */
bool aggregate_averages(enum aggregate agg, const char *profile_type);
/* "sum", "avg" (also "average") → *out; ERR_PARSE with a message otherwise. */
int aggregate_parse(const char *s, enum aggregate *out);

void profile_type_list_release(struct profile_type_list *l);
void labelset_list_release(struct labelset_list *l);
void series_points_list_release(struct series_points_list *l);
/*
 * Orders l as Pyroscope's TopSeries does (the larger total first, ties by labels
 * ascending, name then value, fewer labels first) and keeps its first `limit` series (0:
 * all), freeing the others.  ERR_NOMEM leaves l as it was.
 */
int series_points_rank(struct series_points_list *l, uint64_t limit);
/*
 * What backend_ops.series answers from the sets it found, l->v[first..]: each cut to
 * names when nnames > 0 (the empty ones dropped), then every distinct set once (the
 * first of equal ones kept, in place).  A server's answer, and a range asked for in
 * pieces, repeat sets.
 */
void labelset_list_distinct(struct labelset_list *l, size_t first, const char *const *names,
			    size_t nnames);

#endif
