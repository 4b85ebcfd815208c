/*
 * remote.c — the remote backend: querier.v1 requests over libcurl (remote.h).
 *
 * One curl easy handle per backend (a backend is used by one thread at a time), so the
 * connection is kept alive between calls.  remote_rpc() (remote_http.c) is the one place
 * that talks HTTP.  The backend operations here build requests from queries, call it —
 * over pieces of the range when the server refuses a long one — and hand the bodies to
 * remote_decode.c.
 */
#include "remote_int.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/err.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "base/url.h"
#include "pbjson.h"
#include "profile/builder.h"
#include "profile/merge.h"
#include "profile/selector.h"
#include "querier.pb-c.h"
#include "types.pb-c.h"

#define TIMELINE_MAX_STEPS 1000000
/*
 * The most requests one range is split into.  A month asked of a server whose maximum
 * query length is an hour is ~740; past this, a range is refused rather than fetched
 * for minutes (or, for a merge, held in memory piece by piece).
 */
#define MAX_PIECES 1000
#define AGGREGATION_AVERAGE \
	TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_AVERAGE
#define AGGREGATION_SUM TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_SUM


static const struct backend_ops remote_ops;

bool remote_backend_is(const struct backend *b)
{
	return b && b->ops == &remote_ops;
}

int remote_codec_parse(const char *s, enum remote_codec *out)
{
	if (strcmp(s, "proto") == 0 || strcmp(s, "protobuf") == 0)
		*out = REMOTE_CODEC_PROTO;
	else if (strcmp(s, "json") == 0)
		*out = REMOTE_CODEC_JSON;
	else
		return err_set(ERR_USAGE, "--codec is proto or json, not '%.40s'", s);
	return 0;
}

/* ---- ranges ---- */

struct span {
	int64_t start_ms, end_ms;  /* 0, 0: none */
};

/*
 * [from, to) in ns → [start, end] in ms as Pyroscope reads a range, both ends in: start
 * rounded down, end the last millisecond before `to` (what is stamped at `to` is not in
 * [from, to), and the next piece of a split range starts there); {0, 0} (all time) →
 * none.  A start of 0 (--from 0, the epoch) goes out as 1: Pyroscope reads a request
 * whose start or end is 0 as one without a range (pkg/model GetTimeRange), and
 * answers a list for the last hour (GetSafeTimeRange), a Select* not at all.
 */
static struct span ms_span(struct time_range r, bool required)
{
	struct span s = { 0, 0 };

	if (r.from_ns == 0 && r.to_ns == 0) {
		if (required) {
			/* Select* requests need a range: from the epoch's first ms until now */
			s.start_ms = 1;
			s.end_ms = time_now_ns() / 1000000 + 1;
		}
		return s;
	}
	s.start_ms = r.from_ns / 1000000 - (r.from_ns % 1000000 < 0);
	s.end_ms = r.to_ns / 1000000 + (r.to_ns % 1000000 > 0) - 1;
	if (s.start_ms == 0)
		s.start_ms = 1;
	if (s.end_ms < s.start_ms)
		s.end_ms = s.start_ms;
	return s;
}

typedef int (*piece_fn)(struct rbackend *rb, struct time_range r, void *ctx);

/* A span as Go writes a duration, without its zero parts: "1h", "59m30s", "1.5s". */
static void span_format(int64_t ns, char *out, size_t size)
{
	int64_t h = ns / 3600000000000LL, m = ns / 60000000000LL % 60, sec = ns % 60000000000LL;
	size_t n = 0;

	out[0] = '\0';
	if (h)
		n += (size_t)snprintf(out + n, size - n, "%lldh", (long long)h);
	if (m && n < size)
		n += (size_t)snprintf(out + n, size - n, "%lldm", (long long)m);
	if ((sec || !ns) && n < size)
		snprintf(out + n, size - n, "%.9gs", (double)sec / 1e9);
}

/*
 * Where the piece that starts at a ends, as ranged() cuts r (see there): on a whole
 * millisecond, rounded up, unless it is r's end.  Pyroscope reads a range in ms with
 * both ends in, so [a, b) goes out as [a, b - 1 ms] (ms_span); cut at b inside a
 * millisecond, the next piece would start in the one this piece ends in, and what is
 * stamped there would be merged twice.  Rounded up, consecutive pieces' milliseconds
 * are disjoint and together cover r's.
 */
static int64_t piece_end(int64_t a, int64_t to, int64_t piece, int64_t align_ns, bool whole)
{
	int64_t b = whole ? (a / piece + (a % piece > 0)) * piece : a + piece, edge, sub;

	if (b <= a)
		b += piece;  /* a on a boundary (or before 0, rounded up to it) */
	if (!whole && align_ns > 0) {
		edge = (a / align_ns + (a % align_ns > 0)) * align_ns;
		if (edge <= a)
			edge += align_ns;
		if (edge < b)
			b = edge;
	}
	if (b >= to)
		return to;
	/* up to the next whole ms (toward zero before 1970); past `to` is `to` */
	sub = b % 1000000;
	if (sub > 0 && __builtin_add_overflow(b, 1000000 - sub, &b))
		return to;
	if (sub < 0)
		b -= sub;
	return b > to ? to : b;
}

/*
 * The range in pieces of `piece` (at most), counted as ranged() cuts it, before any is
 * asked for: more than MAX_PIECES is one line naming the limit.
 */
static int pieces_check(struct rbackend *rb, struct time_range r, int64_t piece, int64_t align_ns,
			bool whole)
{
	int64_t len = r.to_ns - r.from_ns, a, n = 0;
	char lim[48], span[48];

	for (a = r.from_ns; a < r.to_ns && n <= MAX_PIECES; n++)
		a = piece_end(a, r.to_ns, piece, align_ns, whole);
	if (n <= MAX_PIECES)
		return 0;
	span_format(rb->max_range_ns, lim, sizeof(lim));
	span_format(len, span, sizeof(span));
	return err_set(ERR_TOOBIG,
		       "%s: a range of %s is more than %d requests at the server's maximum query "
		       "length (%s): ask for a shorter range (--from, --to)",
		       rb->shown.data, span, MAX_PIECES, lim);
}

/*
 * fn over r; when the server refuses r as too long and says its limit, fn over pieces
 * of r each shorter than that, in order.  With align_ns (a timeline's step), the pieces
 * meet on multiples of it when the limit holds a step, so that no step of the grid is
 * cut in two (Pyroscope lays its steps from each request's start); when it does not,
 * a piece also ends on a step's edge, so that each lies inside one step.
 */
static int ranged(struct rbackend *rb, struct time_range r, int64_t align_ns, piece_fn fn,
		  void *ctx)
{
	int64_t piece, a, b;
	bool whole;  /* pieces of whole steps (else each inside one) */
	int rc = fn(rb, r, ctx);

	if (!rc || !rb->refused_range || rb->max_range_ns <= 0 ||
	    (r.from_ns == 0 && r.to_ns == 0))
		return rc;
	piece = rb->max_range_ns > 120 * 1000000000LL ? rb->max_range_ns - 60 * 1000000000LL :
							  rb->max_range_ns / 2;
	if ((whole = align_ns > 0 && piece >= align_ns))
		piece = piece / align_ns * align_ns;
	if (piece <= 0)
		return rc;
	if ((rc = pieces_check(rb, r, piece, align_ns, whole)))
		return rc;
	for (a = r.from_ns; a < r.to_ns; a = b) {
		b = piece_end(a, r.to_ns, piece, align_ns, whole);
		if ((rc = fn(rb, (struct time_range){ a, b }, ctx)))
			return rc;
	}
	return 0;
}

/* ---- requests from queries ---- */

/*
 * A selector as Prometheus 3 (Pyroscope) parses it: names that are not
 * [a-zA-Z_][a-zA-Z0-9_]* (service.name) quoted, values as escaped strings.
 */
static int format_selector(const struct selector *sel, struct buf *out)
{
	size_t i, k;
	int rc = buf_add(out, "{", 1);

	for (i = 0; !rc && sel && i < sel->n; i++) {
		const char *n = sel->m[i].name;
		bool plain = (*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || *n == '_';

		for (k = 1; plain && n[k]; k++)
			plain = (n[k] >= 'a' && n[k] <= 'z') || (n[k] >= 'A' && n[k] <= 'Z') ||
				(n[k] >= '0' && n[k] <= '9') || n[k] == '_';
		if ((i && (rc = buf_add(out, ",", 1))) ||
		    (rc = plain ? buf_puts(out, n) : pbjson_put_string(out, n, strlen(n))) ||
		    (rc = buf_puts(out, match_op_str(sel->m[i].op))) ||
		    (rc = pbjson_put_string(out, sel->m[i].value, strlen(sel->m[i].value))))
			return rc;
	}
	return rc ? rc : buf_add(out, "}", 1);
}

struct qmsg {
	struct buf sel;
	Types__V1__StackTraceSelector sts;
	Types__V1__Location *locs, **plocs;
};

static int qmsg_init(struct qmsg *m, const struct query *q)
{
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	types__v1__stack_trace_selector__init(&m->sts);
	if ((rc = format_selector(q->selector, &m->sel)))
		return rc;
	if (!q->ncall_site)
		return 0;
	m->locs = calloc(q->ncall_site, sizeof(*m->locs));
	m->plocs = calloc(q->ncall_site, sizeof(*m->plocs));
	if (!m->locs || !m->plocs)
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < q->ncall_site; i++) {
		types__v1__location__init(&m->locs[i]);
		m->locs[i].name = (char *)q->call_site[i];
		m->plocs[i] = &m->locs[i];
	}
	m->sts.n_call_site = q->ncall_site;
	m->sts.call_site = m->plocs;
	return 0;
}

static void qmsg_release(struct qmsg *m)
{
	buf_release(&m->sel);
	free(m->locs);
	free(m->plocs);
}

/* The selector of a list request: none for "everything". */
static int matchers(const struct selector *sel, struct buf *b, char **one, size_t *n)
{
	int rc;

	*n = 0;
	if (!sel || !sel->n)
		return 0;
	if ((rc = format_selector(sel, b)))
		return rc;
	*one = b->data;
	*n = 1;
	return 0;
}

/* ---- lists ---- */

struct list_ctx {
	const struct selector *sel;
	const char *name;
	void *out;
};

static int piece_types(struct rbackend *rb, struct time_range r, void *ctx)
{
	Querier__V1__ProfileTypesRequest req = QUERIER__V1__PROFILE_TYPES_REQUEST__INIT;
	struct span s = ms_span(r, false);
	struct buf body = BUF_INIT;
	int rc;

	req.has_start = s.start_ms != 0;
	req.start = s.start_ms;
	req.has_end = s.end_ms != 0;
	req.end = s.end_ms;
	if (!(rc = remote_rpc(rb, "ProfileTypes", &req.base, &body)))
		rc = remote_decoded(rb, "ProfileTypes",
			     remote_decode_profile_types(rb->codec, (const uint8_t *)body.data,
							 body.len, ((struct list_ctx *)ctx)->out));
	buf_release(&body);
	return rc;
}

static int cmp_ptype(const void *a, const void *b)
{
	return strcmp(((const struct profile_type *)a)->id, ((const struct profile_type *)b)->id);
}

static int rb_profile_types(struct backend *b, struct time_range r, struct profile_type_list *out)
{
	struct list_ctx c = { NULL, NULL, out };
	size_t i, k = 0;
	int rc = ranged((struct rbackend *)b, r, 0, piece_types, &c);

	qsort(out->v, out->n, sizeof(*out->v), cmp_ptype);
	for (i = 0; i < out->n; i++) {
		if (k && strcmp(out->v[k - 1].id, out->v[i].id) == 0) {
			profile_type_release(&out->v[i]);
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->n = k;
	return rc;
}

static int piece_names(struct rbackend *rb, struct time_range r, void *ctx)
{
	struct list_ctx *c = ctx;
	struct span s = ms_span(r, false);
	struct buf sel = BUF_INIT, body = BUF_INIT;
	char *one = NULL;
	size_t n;
	int rc;

	if ((rc = matchers(c->sel, &sel, &one, &n)))
		goto done;
	if (c->name) {
		Types__V1__LabelValuesRequest req = TYPES__V1__LABEL_VALUES_REQUEST__INIT;

		req.name = (char *)c->name;
		req.n_matchers = n;
		req.matchers = &one;
		req.start = s.start_ms;
		req.end = s.end_ms;
		rc = remote_rpc(rb, "LabelValues", &req.base, &body);
	} else {
		Types__V1__LabelNamesRequest req = TYPES__V1__LABEL_NAMES_REQUEST__INIT;

		req.n_matchers = n;
		req.matchers = &one;
		req.start = s.start_ms;
		req.end = s.end_ms;
		rc = remote_rpc(rb, "LabelNames", &req.base, &body);
	}
	if (!rc)
		rc = remote_decoded(rb, c->name ? "LabelValues" : "LabelNames",
			     remote_decode_names(rb->codec, (const uint8_t *)body.data, body.len,
						 c->out));
done:
	buf_release(&sel);
	buf_release(&body);
	return rc;
}

static int rb_label_names(struct backend *b, const struct selector *sel, struct time_range r,
			  struct strvec *out)
{
	struct list_ctx c = { sel, NULL, out };
	int rc = ranged((struct rbackend *)b, r, 0, piece_names, &c);

	strvec_sort_unique(out);
	return rc;
}

/*
 * The values from first on that are profile type IDs: "" and what profile_type_parse()
 * refuses are left out, as remote_decode_profile_types() leaves them out of a
 * ProfileTypes answer.  The server's __profile_type__ values are what query types lists
 * and what a verb picks its one type from.  Its refusals' messages are cleared: the
 * caller calls it only when nothing failed (a failure's message is the one to keep).
 */
static void keep_profile_types(struct strvec *out, size_t first)
{
	size_t i, k = first;

	for (i = first; i < out->n; i++) {
		struct profile_type pt;

		if (out->v[i][0] && profile_type_parse(out->v[i], &pt) == 0) {
			profile_type_release(&pt);
			out->v[k++] = out->v[i];
		} else {
			free(out->v[i]);
		}
	}
	out->n = k;
	err_clear();
}

static int rb_label_values(struct backend *b, const char *name, const struct selector *sel,
			   struct time_range r, struct strvec *out)
{
	struct list_ctx c = { sel, name, out };
	size_t first = out->n;
	int rc = ranged((struct rbackend *)b, r, 0, piece_names, &c);

	if (!rc && strcmp(name, "__profile_type__") == 0)
		keep_profile_types(out, first);
	strvec_sort_unique(out);
	return rc;
}

struct series_ctx {
	const struct selector *sel;
	const char *const *names;
	size_t nnames;
	struct labelset_list *out;
};

static int piece_series(struct rbackend *rb, struct time_range r, void *ctx)
{
	Querier__V1__SeriesRequest req = QUERIER__V1__SERIES_REQUEST__INIT;
	struct series_ctx *c = ctx;
	struct span s = ms_span(r, false);
	struct buf sel = BUF_INIT, body = BUF_INIT;
	char *one = NULL;
	int rc;

	if ((rc = matchers(c->sel, &sel, &one, &req.n_matchers)))
		goto done;
	req.matchers = &one;
	/* the server cuts the sets: it answers each distinct one, not every series */
	req.n_label_names = c->nnames;
	req.label_names = (char **)c->names;
	req.has_start = s.start_ms != 0;
	req.start = s.start_ms;
	req.has_end = s.end_ms != 0;
	req.end = s.end_ms;
	if (!(rc = remote_rpc(rb, "Series", &req.base, &body)))
		rc = remote_decoded(rb, "Series",
			     remote_decode_series(rb->codec, (const uint8_t *)body.data, body.len,
						  c->out));
done:
	buf_release(&sel);
	buf_release(&body);
	return rc;
}

static int rb_series(struct backend *b, const struct selector *sel, const char *const *names,
		     size_t nnames, struct time_range r, struct labelset_list *out)
{
	struct series_ctx c = { sel, names, nnames, out };
	size_t first = out->n;
	int rc = ranged((struct rbackend *)b, r, 0, piece_series, &c);

	/*
	 * Pieces of a range repeat sets, and Pyroscope answers the series with none of the
	 * names as one empty set (its querybackend's getSeriesLabels): each set once, held
	 * to backend.h's contract (the cut is a no-op on what the server already cut).
	 */
	labelset_list_distinct(out, first, names, nnames);
	return rc;
}

/* ---- timeline ---- */

struct tl_ctx {
	const struct query *q;
	struct qmsg m;
	double step_s;  /* the grid's step as sent (step_of_ms) */
	const char *group_by;
	int64_t start_ns, step_ns;
	size_t n;
	struct series_points_list *out;
};

/*
 * A length of ms milliseconds as SelectSeries' step, in seconds.  Grafana Pyroscope reads
 * the step as time.Duration(step * 1e9).Milliseconds() (pkg/querier, the query frontend
 * and the query backend alike), which truncates: 4.1 is 4099999999.9999995 ns as a
 * double, read as 4099 ms, and 1.001 as 1000 ms; its steps then drift 1 ms a step from
 * the grid, and a one-step piece leaves out its last millisecond.  So ms / 1000, or the
 * next double up when its nanoseconds fall short of ms: checked with Go for every length
 * to 10^9 ms and sampled to 10^12 (the longest step), Pyroscope reads it as ms exactly.
 * smolder serve, which rounds the step to the nanosecond (backend_timeline_grid), reads
 * it as ms too below 2^22 s (48 days; past that, where one double is about 1 ns, it may
 * read 1 ns more).  (ms + 0.5) / 1000 would suit Pyroscope alone: serve reads 4100.5 ms.
 */
static double step_of_ms(int64_t ms)
{
	double s = (double)ms / 1000;

	if (ms <= INT64_MAX / 1000000 && (int64_t)(s * 1e9) < ms * 1000000)
		s = nextafter(s, INFINITY);
	return s;
}

/* One SelectSeries of [start_ms, end_ms] by step_s, its points filed on c's grid. */
static int select_series(struct rbackend *rb, struct tl_ctx *c, int64_t start_ms,
			 int64_t end_ms, double step_s)
{
	Querier__V1__SelectSeriesRequest req = QUERIER__V1__SELECT_SERIES_REQUEST__INIT;
	struct buf body = BUF_INIT;
	char *group = (char *)c->group_by;
	int rc;

	req.profile_typeid = (char *)c->q->profile_type;
	req.label_selector = c->m.sel.data;
	req.has_start = req.has_end = 1;
	req.start = start_ms;
	req.end = end_ms;
	req.has_step = 1;
	req.step = step_s;
	if (group) {
		req.n_group_by = 1;
		req.group_by = &group;
	}
	if (c->q->agg != AGG_AUTO) {
		req.has_aggregation = 1;
		req.aggregation = c->q->agg == AGG_SUM ? AGGREGATION_SUM : AGGREGATION_AVERAGE;
	}
	if (c->q->ncall_site)
		req.stack_trace_selector = &c->m.sts;
	if (!(rc = remote_rpc(rb, "SelectSeries", &req.base, &body)))
		rc = remote_decoded(rb, "SelectSeries",
			     remote_decode_timeline(rb->codec, (const uint8_t *)body.data, body.len,
						    start_ms, end_ms, c->start_ns, c->step_ns, c->n,
						    c->out));
	buf_release(&body);
	return rc;
}

/*
 * The grid's edge E (ns) in the requests' convention: the last ms before it, E / 1 ms
 * rounded up, less 1 (a point there holds (E - step, E), one step of the grid, whole).
 * The last edge at or before ms x; with next, the first at or after it.  false when it
 * does not fit in 64 bits.
 */
static bool grid_edge_ms(const struct tl_ctx *c, int64_t x, bool next, int64_t *out)
{
	int64_t t, k, e;

	if (__builtin_add_overflow(x, 1, &t) || __builtin_mul_overflow(t, 1000000, &t) ||
	    __builtin_sub_overflow(t, c->start_ns, &t))
		return false;
	k = t / c->step_ns - (t % c->step_ns < 0);
	for (;;) {
		if (__builtin_mul_overflow(k, c->step_ns, &e) ||
		    __builtin_add_overflow(e, c->start_ns, &e))
			return false;
		*out = e / 1000000 + (e % 1000000 > 0) - 1;
		if (!next || *out >= x)
			return true;
		k++;
	}
}

static int piece_timeline(struct rbackend *rb, struct time_range r, void *ctx)
{
	struct tl_ctx *c = ctx;
	struct span s = ms_span(r, true);
	int64_t first, last;
	int rc;

	/*
	 * Pyroscope stamps a point with the end of its step, t holding (t - step, t], and
	 * lays the steps from the request's start; its range holds both ends.  So [from, to)
	 * goes out as start = from - 1 ms, end = to - 1 ms (ms_span): on a range on the
	 * grid every point then holds one step of the grid, whole, and the point at start
	 * (what lies at or before it) is dropped.  smolder serve reads start and end so
	 * (querier_server.h).
	 * Its steps stop at the last one at or before end (rangeSeries: t <= end), and they
	 * are laid from start, not from the grid.  So the whole steps go out as one request
	 * from the grid's first edge to its last, [first, last]; the head (start, first] and
	 * the tail (last, end] each as a request of its own whose one step is its length,
	 * so that what each holds is filed in the one step of the grid it lies in.  A range
	 * on the grid is one request by the step, a range inside one step of the grid one
	 * request by its length (a view's one-step breakdown, a piece of a range split more
	 * finely than its step).  end is not moved on to an edge: that would count profiles
	 * after `to`; nor start back: that would count profiles before `from`.
	 */
	if (s.start_ms > 1)
		s.start_ms--;
	if (s.end_ms <= s.start_ms || !grid_edge_ms(c, s.start_ms, true, &first) ||
	    !grid_edge_ms(c, s.end_ms, false, &last))
		return select_series(rb, c, s.start_ms, s.end_ms, c->step_s);
	if (last <= s.start_ms)  /* no edge inside: one step */
		return select_series(rb, c, s.start_ms, s.end_ms, step_of_ms(s.end_ms - s.start_ms));
	if (first > s.start_ms &&
	    (rc = select_series(rb, c, s.start_ms, first, step_of_ms(first - s.start_ms))))
		return rc;
	if (last > first && (rc = select_series(rb, c, first, last, c->step_s)))
		return rc;
	if (last < s.end_ms)
		return select_series(rb, c, last, s.end_ms, step_of_ms(s.end_ms - last));
	return 0;
}

static int rb_timeline(struct backend *b, const struct query *q, double step_s,
		       const char *group_by, struct series_points_list *out)
{
	struct tl_ctx c = { q, { BUF_INIT, TYPES__V1__STACK_TRACE_SELECTOR__INIT, NULL, NULL },
			    step_s, group_by && *group_by ? group_by : NULL, 0, 0, 0, out };
	size_t first = out->n;
	int rc;

	if ((rc = backend_timeline_grid(q->range, step_s, TIMELINE_MAX_STEPS, &c.start_ns,
					&c.step_ns, &c.n)))
		return rc;
	/*
	 * A step of whole ms is sent as Pyroscope reads it back; one that is not, Pyroscope
	 * cuts to whole ms whatever is sent.
	 */
	if (c.step_ns % 1000000 == 0)
		c.step_s = step_of_ms(c.step_ns / 1000000);
	if (!(rc = qmsg_init(&c.m, q)))
		rc = ranged((struct rbackend *)b, q->range, c.step_ns, piece_timeline, &c);
	qmsg_release(&c.m);
	if (!rc && out->n == first && !c.group_by) {
		/* no data: one series of zeros, as the store answers */
		struct labelset none = LABELSET_INIT;
		struct series_points *sp;

		rc = remote_timeline_series(out, NULL, &none, c.start_ns, c.step_ns, c.n, &sp);
	}
	return rc;
}

/* ---- merges ---- */

struct merge_ctx {
	const struct query *q;
	const struct profile_type *pt;
	struct qmsg m;
	uint32_t max_nodes;
	bool tree;
	/* the pieces' answers, decoded as they come: pprof (!tree), flame graphs (tree) */
	struct remote_merge_acc acc;
	struct remote_tree_acc tree_acc;
};

/* The header a flame graph's profile gets: the query's type, range and max_nodes. */
static struct fb_prof_info fb_info_of(const struct merge_ctx *c)
{
	struct fb_prof_info fi = { c->pt->sample_type, c->pt->sample_unit, c->pt->period_type,
				   c->pt->period_unit, c->q->range.from_ns,
				   c->q->range.to_ns - c->q->range.from_ns, c->max_nodes };

	return fi;
}

static void fill_select(Querier__V1__SelectMergeStacktracesRequest *req, const struct query *q,
			struct qmsg *m, struct span s, uint32_t max_nodes)
{
	req->profile_typeid = (char *)q->profile_type;
	req->label_selector = m->sel.data;
	req->has_start = req->has_end = 1;
	req->start = s.start_ms;
	req->end = s.end_ms;
	req->has_max_nodes = max_nodes > 0;
	req->max_nodes = max_nodes;
	if (q->ncall_site)
		req->stack_trace_selector = &m->sts;
}

/*
 * A piece's SelectMergeProfile answer, decoded and merged at once (its body is freed by
 * the caller), so that a range of many pieces holds a few profiles, not every answer.
 * A server's empty answer adds nothing: an empty Profile message, no sample type at all,
 * or Grafana Pyroscope's merge of nothing, {"sampleType":[{}],...} (one type with empty
 * names, no samples) — one piece of a split range without profiles answers that.
 */
static int piece_profile(struct rbackend *rb, struct merge_ctx *c, struct buf *body)
{
	struct prof *p = NULL;
	int rc = remote_decoded(rb, "SelectMergeProfile",
			 remote_decode_pprof(rb->codec, (const uint8_t *)body->data, body->len,
					     &p));

	buf_release(body);
	if (rc)
		return rc;
	if (!p || p->ntypes != 1 || p->nsamples == 0) {
		if (p && p->nsamples)
			rc = err_set(ERR_PARSE, "%s: SelectMergeProfile answered %u sample types, not 1",
				     rb->shown.data, p->ntypes);
		prof_free(p);
		return rc;
	}
	return remote_decoded(rb, "SelectMergeProfile", remote_merge_acc_add(&c->acc, p));
}

static int piece_merge(struct rbackend *rb, struct time_range r, void *ctx)
{
	struct merge_ctx *c = ctx;
	struct span s = ms_span(r, true);
	struct buf body = BUF_INIT;
	int rc;

	if (c->tree) {
		Querier__V1__SelectMergeStacktracesRequest req =
			QUERIER__V1__SELECT_MERGE_STACKTRACES_REQUEST__INIT;
		struct fb_prof_info fi = fb_info_of(c);

		fill_select(&req, c->q, &c->m, s, c->max_nodes);
		if (!(rc = remote_rpc(rb, "SelectMergeStacktraces", &req.base, &body)))
			rc = remote_decoded(rb, "SelectMergeStacktraces",
				     remote_tree_acc_add(&c->tree_acc, rb->codec,
							 (const uint8_t *)body.data, body.len, &fi));
	} else {
		Querier__V1__SelectMergeProfileRequest req =
			QUERIER__V1__SELECT_MERGE_PROFILE_REQUEST__INIT;

		req.profile_typeid = (char *)c->q->profile_type;
		req.label_selector = c->m.sel.data;
		req.has_start = req.has_end = 1;
		req.start = s.start_ms;
		req.end = s.end_ms;
		if (c->q->ncall_site)
			req.stack_trace_selector = &c->m.sts;
		rc = remote_rpc(rb, "SelectMergeProfile", &req.base, &body);
		if (!rc)
			rc = piece_profile(rb, c, &body);
	}
	buf_release(&body);
	return rc;
}

static int no_data(struct rbackend *rb, const struct query *q)
{
	struct buf sel = BUF_INIT;
	char a[40], z[40];
	int rc;

	selector_format(q->selector, &sel);
	time_format_rfc3339(q->range.from_ns, a, sizeof(a));
	time_format_rfc3339(q->range.to_ns, z, sizeof(z));
	rc = err_set(ERR_NOTFOUND, "no %s profiles match %s between %s and %s on %s",
		     q->profile_type, sel.data ? sel.data : "{}", a, z, rb->shown.data);
	buf_release(&sel);
	return rc;
}

static int decode_merged(struct rbackend *rb, struct merge_ctx *c, struct prof **out,
			 bool *truncated)
{
	struct fb_prof_info fi = fb_info_of(c);
	int rc;

	if (c->tree)
		rc = remote_decoded(rb, "SelectMergeStacktraces",
			     remote_tree_acc_finish(&c->tree_acc, out, truncated));
	else
		rc = remote_decoded(rb, "SelectMergeProfile", remote_merge_acc_finish(&c->acc, out));
	if (rc)
		return rc;
	/* every piece empty (pprof), or none (the flame graphs' empty ones are added): the
	   empty profile of the type */
	return *out ? 0 : flamebearer_to_prof(NULL, 0, &fi, out);
}

/*
 * --aggregate with a server's merge: SelectMerge* and Diff take no aggregation, and servers
 * differ (Grafana Pyroscope sums every type; smolder serve averages gauges, as the store
 * does by default), so only what both do — the sum of a counter — can be honoured.
 * Anything else is refused rather than ignored; query timeline sends it (SelectSeries).
 */
static int check_aggregate(const struct query *q)
{
	if (q->agg == AGG_AUTO || (q->agg == AGG_SUM && !profile_type_is_gauge(q->profile_type)))
		return 0;
	return err_set(ERR_USAGE,
		       "--aggregate %s has no effect with --url: a server's merge takes no "
		       "aggregation (Grafana Pyroscope sums, smolder serve averages gauges); "
		       "use --db, or query timeline --aggregate",
		       q->agg == AGG_SUM ? "sum" : "avg");
}

static int do_merge(struct backend *b, const struct query *q, uint32_t max_nodes, bool tree,
		    struct prof **out, struct merge_info *info)
{
	struct rbackend *rb = (struct rbackend *)b;
	struct profile_type pt = { 0 };
	struct merge_ctx c = { .q = q, .pt = &pt, .max_nodes = max_nodes, .tree = tree };
	bool truncated = false;
	int rc;

	*out = NULL;
	remote_merge_acc_init(&c.acc);
	remote_tree_acc_init(&c.tree_acc);
	if ((rc = check_aggregate(q)) || (rc = profile_type_parse(q->profile_type, &pt)) ||
	    (rc = qmsg_init(&c.m, q)) ||
	    (rc = ranged(rb, q->range, 0, piece_merge, &c)) ||
	    (rc = decode_merged(rb, &c, out, &truncated)))
		goto done;
	/*
	 * Nothing merged: no profiles, or profiles whose values are all zero.  The store
	 * tells these apart (no profiles match; an empty table), so the server's series
	 * do: the type among the selector's in the range is the empty profile merged
	 * (when the server cannot say, no data it is).
	 */
	if ((*out)->nsamples == 0) {
		struct strvec types = STRVEC_INIT;

		rc = rb_label_values(b, "__profile_type__", q->selector, q->range, &types);
		if (rc != ERR_CANCELLED && (rc || !strvec_contains(&types, q->profile_type)))
			rc = no_data(rb, q);
		strvec_release(&types);
		if (rc) {
			prof_free(*out);
			*out = NULL;
			goto done;
		}
	}
	if (info) {
		memset(info, 0, sizeof(*info));
		info->remote = true;
		info->truncated = truncated;
		info->first_ns = q->range.from_ns;
		info->last_ns = q->range.to_ns;
	}
done:
	remote_merge_acc_release(&c.acc);
	remote_tree_acc_release(&c.tree_acc);
	qmsg_release(&c.m);
	profile_type_release(&pt);
	return rc;
}

static int rb_merge(struct backend *b, const struct query *q, struct prof **out,
		    struct merge_info *info)
{
	return do_merge(b, q, 0, false, out, info);
}

static int rb_merge_tree(struct backend *b, const struct query *q, uint32_t max_nodes,
			 struct prof **out, struct merge_info *info)
{
	return do_merge(b, q, max_nodes, true, out, info);
}

static int rb_diff(struct backend *b, const struct query *base, const struct query *cur,
		   uint32_t max_nodes, struct prof **out)
{
	struct rbackend *rb = (struct rbackend *)b;
	Querier__V1__DiffRequest req = QUERIER__V1__DIFF_REQUEST__INIT;
	Querier__V1__SelectMergeStacktracesRequest
		left = QUERIER__V1__SELECT_MERGE_STACKTRACES_REQUEST__INIT,
		right = QUERIER__V1__SELECT_MERGE_STACKTRACES_REQUEST__INIT;
	struct qmsg ml, mr;
	struct profile_type pt = { 0 };
	struct buf body = BUF_INIT;
	int rc;

	*out = NULL;
	memset(&ml, 0, sizeof(ml));
	memset(&mr, 0, sizeof(mr));
	if ((rc = check_aggregate(base)) || (rc = check_aggregate(cur)) ||
	    (rc = profile_type_parse(cur->profile_type, &pt)))
		return rc;
	if (!(rc = qmsg_init(&ml, base)) && !(rc = qmsg_init(&mr, cur))) {
		struct fb_prof_info fi = { pt.sample_type, pt.sample_unit, pt.period_type,
					   pt.period_unit, cur->range.from_ns,
					   cur->range.to_ns - cur->range.from_ns, max_nodes };

		fill_select(&left, base, &ml, ms_span(base->range, true), max_nodes);
		fill_select(&right, cur, &mr, ms_span(cur->range, true), max_nodes);
		req.left = &left;
		req.right = &right;
		rc = remote_rpc(rb, "Diff", &req.base, &body);
		if (rc && rb->refused_range) {
			/* too long for one request: each side merged in pieces */
			struct prof *pb = NULL, *pc = NULL;

			if (!(rc = rb_merge_tree(b, base, max_nodes, &pb, NULL)) &&
			    !(rc = rb_merge_tree(b, cur, max_nodes, &pc, NULL)))
				rc = prof_pair(pb, pc, out);
			prof_free(pb);
			prof_free(pc);
		} else if (!rc) {
			rc = remote_decoded(rb, "Diff",
				     remote_decode_diff(rb->codec, (const uint8_t *)body.data,
							body.len, &fi, out, NULL));
		}
	}
	qmsg_release(&ml);
	qmsg_release(&mr);
	buf_release(&body);
	profile_type_release(&pt);
	return rc;
}

/* ---- life ---- */

static void rb_close(struct backend *b)
{
	struct rbackend *rb = (struct rbackend *)b;

	if (!rb)
		return;
	if (rb->h)
		curl_easy_cleanup(rb->h);
	curl_slist_free_all(rb->headers);
	buf_release(&rb->url);
	buf_release(&rb->shown);
	if (rb->password)
		memset(rb->password, 0, strlen(rb->password));
	if (rb->token)
		memset(rb->token, 0, strlen(rb->token));
	free(rb->username);
	free(rb->password);
	free(rb->token);
	free(rb->ca_cert);
	free(rb);
	curl_global_cleanup();
}

static const struct backend_ops remote_ops = {
	rb_profile_types, rb_label_names, rb_label_values, rb_series, rb_timeline,
	rb_merge, rb_merge_tree, rb_close, rb_diff,
};

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

int remote_header_value_check(const char *name, const char *value)
{
	size_t i;

	for (i = 0; value && value[i]; i++) {
		unsigned char c = (unsigned char)value[i];

		/* the value itself is never quoted: it may be a secret */
		if (c == '\r' || c == '\n')
			return err_set(ERR_USAGE, "%s holds a line break (at byte %zu): an HTTP "
				       "header value is one line", name, i);
		if (c < 0x20 || c == 0x7f)
			return err_set(ERR_USAGE, "%s holds a control character (byte 0x%02x at "
				       "%zu): an HTTP header cannot carry it", name, c, i);
	}
	return 0;
}

/* A credential: "" is none, as profilecli tests each for "" (a script's empty "$U"). */
static int dup_cred(const char *s, char **out)
{
	return dup_opt(s && *s ? s : NULL, out);
}

static int add_header(struct rbackend *rb, const char *h)
{
	struct curl_slist *l = curl_slist_append(rb->headers, h);

	if (!l)
		return err_set(ERR_NOMEM, "out of memory");
	rb->headers = l;
	return 0;
}

int remote_backend_open(const struct remote_opts *o, struct backend **out)
{
	struct rbackend *rb;
	struct buf h = BUF_INIT;
	size_t n;
	int rc;

	*out = NULL;
	if (!o->url || !*o->url)
		return err_set(ERR_USAGE, "no server URL (--url, or PROFILECLI_URL)");
	if (strncasecmp(o->url, "http://", 7) != 0 && strncasecmp(o->url, "https://", 8) != 0) {
		struct buf shown = BUF_INIT, safe = BUF_INIT;

		/* quoted without its user information (a password), and terminal-safe */
		if (url_redact_buf(o->url, &shown) ||
		    text_safe(&safe, shown.data ? shown.data : "", shown.len, false))
			rc = err_set(ERR_NOMEM, "out of memory");
		else
			rc = err_set(ERR_USAGE, "%s wants http:// or https://, not '%.80s'",
				     o->url_from ? o->url_from : "--url",
				     safe.data ? safe.data : "");
		buf_release(&shown);
		buf_release(&safe);
		return rc;
	}
	if ((rc = remote_header_value_check(o->tenant_from ? o->tenant_from : "--tenant",
					    o->tenant)) ||
	    (rc = remote_header_value_check(o->token_from ? o->token_from : "--token", o->token)) ||
	    (rc = remote_header_value_check(o->username_from ? o->username_from : "--username",
					    o->username)) ||
	    (rc = remote_header_value_check(o->password_from ? o->password_from : "--password",
					    o->password)))
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(ERR_NET, "cannot initialise libcurl");
	if (!(rb = calloc(1, sizeof(*rb)))) {
		curl_global_cleanup();
		return err_set(ERR_NOMEM, "out of memory");
	}
	rb->base.ops = &remote_ops;
	rb->codec = o->codec;
	rb->insecure = o->insecure;
	rb->progress = o->progress;
	rb->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	rb->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 300000;
	rb->attempts = o->attempts ? o->attempts : 3;
	rb->max_response = o->max_response ? o->max_response : REMOTE_MAX_RESPONSE;
	n = strcspn(o->url, "?#");
	while (n && o->url[n - 1] == '/')
		n--;
	if ((rc = buf_add(&rb->url, o->url, n)) ||
	    (rc = url_redact_buf(rb->url.data, &rb->shown)) ||
	    (rc = dup_cred(o->username, &rb->username)) ||
	    (rc = dup_cred(o->password, &rb->password)) || (rc = dup_cred(o->token, &rb->token)) ||
	    (rc = dup_opt(o->ca_cert, &rb->ca_cert)))
		goto fail;
	if (!(rb->h = curl_easy_init())) {
		rc = err_set(ERR_NOMEM, "cannot create a curl handle");
		goto fail;
	}
	if ((rc = add_header(rb, rb->codec == REMOTE_CODEC_JSON
					 ? "Content-Type: application/json"
					 : "Content-Type: application/proto")) ||
	    (rc = add_header(rb, "Accept: */*;allow-utf8-labelnames=true")) ||
	    (rc = add_header(rb, "Connect-Protocol-Version: 1")) ||
	    (rc = add_header(rb, "Expect:")) ||
	    (rc = buf_printf(&h, "Connect-Timeout-Ms: %ld", rb->timeout_ms)) ||
	    (rc = add_header(rb, h.data)))
		goto fail;
	if (o->tenant && *o->tenant) {
		buf_reset(&h);
		if ((rc = buf_printf(&h, "X-Scope-OrgID: %s", o->tenant)) ||
		    (rc = add_header(rb, h.data)))
			goto fail;
	}
	curl_easy_setopt(rb->h, CURLOPT_HTTPHEADER, rb->headers);
	curl_easy_setopt(rb->h, CURLOPT_POST, 1L);
	curl_easy_setopt(rb->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(rb->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(rb->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(rb->h, CURLOPT_CONNECTTIMEOUT_MS, rb->connect_ms);
	curl_easy_setopt(rb->h, CURLOPT_TIMEOUT_MS, rb->timeout_ms);
	curl_easy_setopt(rb->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(rb->h, CURLOPT_USERAGENT, "smolder/" SMOLDER_VERSION);
	remote_http_callbacks(rb->h);
	curl_easy_setopt(rb->h, CURLOPT_NOPROGRESS, 0L);
	if (rb->username || rb->password) { /* profilecli: Basic when either is not "" */
		curl_easy_setopt(rb->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(rb->h, CURLOPT_USERNAME, rb->username ? rb->username : "");
		curl_easy_setopt(rb->h, CURLOPT_PASSWORD, rb->password ? rb->password : "");
	} else if (rb->token) {
		curl_easy_setopt(rb->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(rb->h, CURLOPT_XOAUTH2_BEARER, rb->token);
	}
	if (rb->ca_cert)
		curl_easy_setopt(rb->h, CURLOPT_CAINFO, rb->ca_cert);
	if (rb->insecure) {
		curl_easy_setopt(rb->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(rb->h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	buf_release(&h);
	*out = &rb->base;
	return 0;
fail:
	buf_release(&h);
	rb_close(&rb->base);
	return rc;
}
