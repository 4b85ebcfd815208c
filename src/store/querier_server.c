/*
 * querier_server.c — the querier.v1 Connect methods over a backend (querier_server.h).
 *
 * Each method decodes its request (either codec, from a budget of 4 × the body + 1 MiB),
 * checks it as Pyroscope's ValidateRangeRequest and friends do, asks the backend, and
 * builds the reply message in an arena — pointing into the backend's results, which
 * live until the reply is encoded — then encodes it with the request's codec.
 */
#include "querier_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/strvec.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "ingest/decode.h"
#include "ingest/encode.h"
#include "ingest/serve.h"
#include "pbjson.h"
#include "profile.pb-c.h"
#include "profile/builder.h"
#include "profile/selector.h"
#include "profile/tree.h"
#include "querier.pb-c.h"
#include "types.pb-c.h"

#define PREFIX "/querier.v1.QuerierService/"
#define MS_MAX (INT64_MAX / 1000000)
#define AGGREGATION_AVERAGE \
	TYPES__V1__TIME_SERIES_AGGREGATION_TYPE__TIME_SERIES_AGGREGATION_TYPE_AVERAGE

struct qctx {
	struct backend *b;
	const char *tenant;
	const struct ingest_request *rq;
	struct querier_reply *out;
	enum pb_codec codec;
	bool utf8_names;      /* the client sent allow-utf8-labelnames=true */
	struct arena a;       /* the reply message */
	struct pb_budget bu;  /* the request message */
	struct pb_budget rbu; /* a pprof reply, unpacked to be re-encoded */
	int64_t now_ns;
};

#define NEW(c, T) ((T *)arena_zalloc(&(c)->a, sizeof(T)))
#define NEWN(c, T, n) ((T *)arena_array(&(c)->a, (n) ? (n) : 1, sizeof(T)))

/* ---- replies and errors ---- */

void querier_reply_init(struct querier_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->code = "";
}

void querier_reply_release(struct querier_reply *r)
{
	buf_release(&r->body);
	querier_reply_init(r);
}

static const char *status_code(int status)
{
	switch (status) {
	case 400: return "invalid_argument";
	case 401: return "unauthenticated";
	case 403: return "permission_denied";
	case 404: return "not_found";
	case 405: return "unimplemented";
	case 415: return "unimplemented";
	case 429: return "resource_exhausted";
	case 499: return "canceled";
	case 501: return "unimplemented";
	case 503: return "unavailable";
	default: return status >= 500 ? "internal" : "unknown";
	}
}

int qs_fail(struct querier_reply *out, int status, const char *code, int rc, const char *fmt,
	    ...)
{
	va_list ap;
	char raw[sizeof(out->reason)];
	struct buf safe = BUF_INIT;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/*
	 * Reasons quote what the client sent (a method name, a header): control characters
	 * escaped and invalid UTF-8 replaced, for the log line and the JSON error body; cut
	 * on a character boundary.
	 */
	if (text_safe(&safe, raw, strlen(raw), false) == 0 && safe.data) {
		n = safe.len < sizeof(out->reason) ? safe.len : sizeof(out->reason) - 1;
		while (n > 0 && n < safe.len && ((unsigned char)safe.data[n] & 0xc0) == 0x80)
			n--;
		memcpy(out->reason, safe.data, n);
		out->reason[n] = '\0';
	} else {
		snprintf(out->reason, sizeof(out->reason), "bad request");
	}
	buf_release(&safe);
	out->status = status;
	out->code = code ? code : status_code(status);
	buf_reset(&out->body);
	return err_set(rc, "%s", out->reason);
}

int qs_fail_last(struct querier_reply *out, const char *what)
{
	int rc = err_last_code(), status;
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", err_last());
	switch (rc) {
	case ERR_PARSE: case ERR_USAGE: case ERR_TOOBIG: status = 400; break;
	case ERR_NOTFOUND: status = 404; break;
	case ERR_UNSUPPORTED: status = 501; break;
	case ERR_CANCELLED: status = 499; break;
	case ERR_AUTH: status = 403; break;
	default: status = 500; break;
	}
	if (rc >= 0)
		rc = ERR_IO;
	return qs_fail(out, status, NULL, rc, "%s%s%s", what ? what : "", what ? ": " : "", msg);
}

const char *qs_header(const struct ingest_request *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->nheaders; i++)
		if (rq->headers[i].name && strcasecmp(rq->headers[i].name, name) == 0)
			return rq->headers[i].value;
	return NULL;
}

/* ---- shared merging ---- */

int qs_empty_prof(const char *ptype, struct prof **out)
{
	struct profile_type pt;
	struct prof_builder *b = NULL;
	uint32_t ty, un, pty, pun;
	int rc;

	*out = NULL;
	if ((rc = profile_type_parse(ptype, &pt)))
		return rc;
	if (!(rc = pb_new(&b)) &&
	    !(rc = pb_string(b, pt.sample_type, strlen(pt.sample_type), &ty)) &&
	    !(rc = pb_string(b, pt.sample_unit, strlen(pt.sample_unit), &un)) &&
	    !(rc = pb_string(b, pt.period_type, strlen(pt.period_type), &pty)) &&
	    !(rc = pb_string(b, pt.period_unit, strlen(pt.period_unit), &pun)) &&
	    !(rc = pb_sample_type(b, ty, un))) {
		pb_set_period(b, pty, pun, 0);
		rc = pb_finish(b, out);
		b = NULL;
	}
	pb_free(b);
	profile_type_release(&pt);
	return rc;
}

int qs_merge(struct backend *b, const struct query *q, int64_t max_nodes, bool tree,
	     struct prof **out)
{
	int rc = tree ? b->ops->merge_tree(b, q, (uint32_t)max_nodes, out, NULL) :
			b->ops->merge(b, q, out, NULL);

	/* every backend applies q->call_site itself (backend.h) */
	if (rc == ERR_NOTFOUND)
		return qs_empty_prof(q->profile_type, out);
	return rc;
}

int qs_flamegraph(const struct prof *p, int64_t max_nodes, struct flamebearer *out)
{
	struct tree *t = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(rc = tree_build(p, &t)))
		rc = flamebearer_build(t, 0, max_nodes, out);
	tree_free(t);
	return rc;
}

/* ---- request checks ---- */

static int ms_to_ns(struct qctx *c, const char *what, int64_t ms, int64_t *ns)
{
	if (ms > MS_MAX || ms < -MS_MAX)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "%s %lld is out of range", what,
			       (long long)ms);
	*ns = ms * 1000000;
	return 0;
}

/*
 * The range of a Select* request: both times required (non-zero), start <= end; or of a
 * list request: none given is all time.  As upstream's, it holds both ends (it keeps
 * what is stamped at end, in whole milliseconds): [start, end + 1 ms) in ns, so that
 * the pieces of a split range, [a, b - 1] and [b, c], meet without sharing a profile.
 */
static int req_range(struct qctx *c, bool has_s, int64_t start, bool has_e, int64_t end,
		     bool required, struct time_range *r)
{
	int rc;

	if (!has_s)
		start = 0;
	if (!has_e)
		end = 0;
	if (required && (start == 0 || end == 0))
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "missing time range: start and end "
							     "(milliseconds) are required");
	if (start && end && start > end)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "invalid time range: start %lld is "
							     "after end %lld",
			       (long long)start, (long long)end);
	r->from_ns = r->to_ns = 0;
	if (start == 0 && end == 0)
		return 0;
	if ((rc = ms_to_ns(c, "start", start, &r->from_ns)) ||
	    (rc = ms_to_ns(c, "end", end, &r->to_ns)))
		return rc;
	if (end == 0 || r->to_ns > INT64_MAX - 1000000)
		r->to_ns = INT64_MAX;
	else
		r->to_ns += 1000000;
	return 0;
}

struct sel_args {
	const char *ptype, *selector;
	const Types__V1__StackTraceSelector *sts;
	char **spans;
	size_t nspans, nprofile_ids, ntrace_ids;
};

/* The query of a Select* request; *sel and call_site belong to the caller. */
static int req_query(struct qctx *c, const struct sel_args *a, struct query *q,
		     struct selector **sel, struct strvec *call_site)
{
	struct profile_type pt;
	size_t i, k;
	int rc;

	*sel = NULL;
	if (!a->ptype || !*a->ptype)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "missing profile_typeID");
	if (profile_type_parse(a->ptype, &pt))
		return qs_fail_last(c->out, "profile_typeID");
	profile_type_release(&pt);
	if (!a->selector || !*a->selector)
		return qs_fail(c->out, 400, NULL, ERR_PARSE,
			       "missing label_selector (\"{}\" selects "
			       "everything)");
	if (selector_parse(a->selector, sel))
		return qs_fail_last(c->out, "label_selector");
	if (a->nprofile_ids || a->ntrace_ids)
		return qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED, "%s is not supported: smolder "
								    "keeps no profile or trace ids",
			       a->nprofile_ids ? "profile_id_selector" : "trace_id_selector");
	if (a->nspans) {
		struct buf re = BUF_INIT;

		for (i = 0; i < a->nspans; i++) {
			const char *s = a->spans[i];

			for (k = 0; s[k] && text_hexval((unsigned char)s[k]) >= 0; k++)
				;
			if (!k || s[k] || k > 32) {
				buf_release(&re);
				return qs_fail(c->out, 400, NULL, ERR_PARSE,
					       "span_selector: '%.40s' is "
					       "not a hex span id",
					       s);
			}
			buf_printf(&re, "%s%s", i ? "|" : "", s);
		}
		rc = re.data ? selector_add(*sel, "span_id", MATCH_RE, re.data) : ERR_NOMEM;
		buf_release(&re);
		if (rc)
			return qs_fail_last(c->out, "span_selector");
	}
	if (a->sts) {
		if (a->sts->go_pgo)
			return qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED,
				       "stack_trace_selector.go_pgo "
				       "is not supported");
		for (i = 0; i < a->sts->n_call_site; i++)
			if (strvec_push(call_site, a->sts->call_site[i]->name ?
						   a->sts->call_site[i]->name : ""))
				return qs_fail_last(c->out, NULL);
	}
	q->profile_type = a->ptype;
	q->selector = *sel;
	q->agg = AGG_AUTO;
	q->call_site = (const char *const *)call_site->v;
	q->ncall_site = call_site->n;
	return 0;
}

static int req_max_nodes(struct qctx *c, bool has, int64_t v, int64_t *out)
{
	*out = QUERIER_MAX_NODES_DEFAULT;
	if (!has || v == 0)
		return 0;
	if (v < 0)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "max_nodes must not be negative");
	if (v > QUERIER_MAX_NODES_MAX)
		return qs_fail(c->out, 400, NULL, ERR_PARSE,
			       "max_nodes %lld exceeds the limit of %d", (long long)v,
			       QUERIER_MAX_NODES_MAX);
	*out = v;
	return 0;
}

/*
 * A pprof answer cut to max_nodes as upstream cuts it (qs_pprof_truncate): max_nodes as
 * the request has it, not checked (upstream checks it only when a tenant setting, off
 * by default, says so), 0 or less leaving the profile whole.  *p is replaced.
 */
static int pprof_max_nodes(struct qctx *c, bool has, int64_t max_nodes, struct prof **p)
{
	struct prof *cut = NULL;

	if (!has || max_nodes < 1)
		return 0;
	if (qs_pprof_truncate(*p, max_nodes, &cut))
		return qs_fail_last(c->out, "max_nodes");
	if (cut) {
		prof_free(*p);
		*p = cut;
	}
	return 0;
}

static int reply(struct qctx *c, const ProtobufCMessage *m)
{
	int rc;

	buf_reset(&c->out->body);
	if ((rc = pb_encode(m, c->codec, &c->out->body)))
		return qs_fail_last(c->out, "encoding the reply");
	c->out->status = 200;
	c->out->code = "";
	c->out->content_type = c->codec == PB_JSON ? "application/json" : "application/proto";
	return 0;
}

/* Legacy Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*. */
static bool legacy_name(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return i > 0;
}

/* ---- lists ---- */

static int m_profile_types(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__ProfileTypesRequest *req = (Querier__V1__ProfileTypesRequest *)msg;
	Querier__V1__ProfileTypesResponse resp = QUERIER__V1__PROFILE_TYPES_RESPONSE__INIT;
	struct profile_type_list l = { 0 };
	struct time_range r;
	size_t i;
	int rc;

	if ((rc = req_range(c, req->has_start, req->start, req->has_end, req->end, false, &r)))
		return rc;
	if (c->b->ops->profile_types(c->b, r, &l)) {
		rc = qs_fail_last(c->out, NULL);
		goto done;
	}
	resp.n_profile_types = l.n;
	resp.profile_types = NEWN(c, Types__V1__ProfileType *, l.n);
	for (i = 0; resp.profile_types && i < l.n; i++) {
		Types__V1__ProfileType *t = NEW(c, Types__V1__ProfileType);

		if (!(resp.profile_types[i] = t))
			break;
		types__v1__profile_type__init(t);
		t->id = l.v[i].id;
		t->name = l.v[i].name;
		t->sample_type = l.v[i].sample_type;
		t->sample_unit = l.v[i].sample_unit;
		t->period_type = l.v[i].period_type;
		t->period_unit = l.v[i].period_unit;
	}
	rc = i < l.n ? qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory")
		     : reply(c, &resp.base);
done:
	profile_type_list_release(&l);
	return rc;
}

/*
 * The request's matchers as one selector, *out (NULL when there is none): every matcher
 * of every string must hold, as Pyroscope 2's query frontend reads them
 * (buildLabelSelectorFromMatchers), so {a="x"} and {b="y"} select the series that have
 * both.  The strings are bounded (a 17 KB gzip body holds millions), and so are the
 * matchers of the selector they make (SELECTOR_MAX_MATCHERS): one scan answers them.
 */
/* Whether sel already holds m (a repeated matcher is read once). */
static bool has_matcher(const struct selector *sel, const struct matcher *m)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		if (sel->m[i].op == m->op && strcmp(sel->m[i].name, m->name) == 0 &&
		    strcmp(sel->m[i].value, m->value) == 0)
			return true;
	return false;
}

static int matchers_and(struct qctx *c, char **matchers, size_t n, struct selector **out)
{
	struct selector *all = NULL, *one = NULL;
	size_t i, j;
	int rc = 0;

	*out = NULL;
	if (n > QUERIER_MAX_MATCHERS)
		return qs_fail(c->out, 400, NULL, ERR_TOOBIG, "too many matchers: %zu (at most %d)",
			       n, QUERIER_MAX_MATCHERS);
	if (n == 0)
		return 0;
	if (selector_new(&all))
		return qs_fail_last(c->out, "matchers");
	for (i = 0; i < n && !rc; i++) {
		if (selector_parse(matchers[i] ? matchers[i] : "", &one)) {
			rc = qs_fail_last(c->out, "matchers");
			break;
		}
		for (j = 0; j < one->n && !rc; j++)
			if (!has_matcher(all, &one->m[j]) &&
			    selector_add(all, one->m[j].name, one->m[j].op, one->m[j].value))
				rc = qs_fail_last(c->out, "matchers");
		selector_free(one);
	}
	if (rc)
		selector_free(all);
	else
		*out = all;
	return rc;
}

struct names_ctx {
	const char *label;  /* NULL: label names */
	struct time_range r;
	struct strvec out;
};

/* One scan of the series that sel selects (all: NULL), their names or one label's values. */
static int names_scan(struct qctx *c, char **matchers, size_t nmatchers, struct names_ctx *n)
{
	struct selector *sel = NULL;
	int rc;

	if ((rc = matchers_and(c, matchers, nmatchers, &sel)))
		return rc;
	rc = n->label ? c->b->ops->label_values(c->b, n->label, sel, n->r, &n->out) :
			    c->b->ops->label_names(c->b, sel, n->r, &n->out);
	rc = rc ? qs_fail_last(c->out, NULL) : 0;
	selector_free(sel);
	return rc;
}

static int reply_names(struct qctx *c, struct names_ctx *n, bool filter)
{
	Types__V1__LabelNamesResponse resp = TYPES__V1__LABEL_NAMES_RESPONSE__INIT;
	size_t i;

	strvec_sort_unique(&n->out);
	resp.names = NEWN(c, char *, n->out.n);
	if (!resp.names)
		return qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory");
	for (i = 0; i < n->out.n; i++)
		if (!filter || c->utf8_names || legacy_name(n->out.v[i]))
			resp.names[resp.n_names++] = n->out.v[i];
	/* LabelValuesResponse has the same shape: names = 1 */
	return reply(c, &resp.base);
}

static int m_label_names(struct qctx *c, ProtobufCMessage *msg)
{
	Types__V1__LabelNamesRequest *req = (Types__V1__LabelNamesRequest *)msg;
	struct names_ctx n = { NULL, { 0, 0 }, STRVEC_INIT };
	int rc;

	if (!(rc = req_range(c, true, req->start, true, req->end, false, &n.r)) &&
	    !(rc = names_scan(c, req->matchers, req->n_matchers, &n)))
		rc = reply_names(c, &n, true);
	strvec_release(&n.out);
	return rc;
}

static int m_label_values(struct qctx *c, ProtobufCMessage *msg)
{
	Types__V1__LabelValuesRequest *req = (Types__V1__LabelValuesRequest *)msg;
	struct names_ctx n = { req->name, { 0, 0 }, STRVEC_INIT };
	int rc;

	if (!req->name || !*req->name)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "missing label name");
	if (!(rc = req_range(c, true, req->start, true, req->end, false, &n.r)) &&
	    !(rc = names_scan(c, req->matchers, req->n_matchers, &n)))
		rc = reply_names(c, &n, false);
	strvec_release(&n.out);
	return rc;
}

struct series_ctx {
	const char *const *names;
	size_t nnames;
	struct time_range r;
	struct labelset_list l;
};

static int series_scan(struct qctx *c, char **matchers, size_t nmatchers, struct series_ctx *s)
{
	struct selector *sel = NULL;
	int rc;

	if ((rc = matchers_and(c, matchers, nmatchers, &sel)))
		return rc;
	rc = c->b->ops->series(c->b, sel, s->names, s->nnames, s->r, &s->l) ?
		     qs_fail_last(c->out, NULL) :
		     0;
	selector_free(sel);
	return rc;
}

struct keyed {
	char *key;
	size_t len;
	const struct labelset *ls;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int r = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	return r ? r : (x->len > y->len) - (x->len < y->len);
}

static int m_series(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__SeriesRequest *req = (Querier__V1__SeriesRequest *)msg;
	Querier__V1__SeriesResponse resp = QUERIER__V1__SERIES_RESPONSE__INIT;
	struct series_ctx s = { (const char *const *)req->label_names, req->n_label_names,
				{ 0, 0 }, { 0 } };
	struct keyed *k = NULL;
	size_t i, j, n = 0;
	int rc;

	/* the backend cuts the sets to label_names: only the distinct ones are read */
	if ((rc = req_range(c, req->has_start, req->start, req->has_end, req->end, false, &s.r)) ||
	    (rc = series_scan(c, req->matchers, req->n_matchers, &s)))
		goto done;
	/* drop the names the client cannot take; then dedupe (cut sets repeat) */
	for (i = 0; !c->utf8_names && i < s.l.n; i++) {
		struct labelset *ls = &s.l.v[i];

		for (j = 0; j < ls->n;)
			if (legacy_name(ls->v[j].name))
				j++;
			else
				labelset_del(ls, ls->v[j].name);
	}
	if (!(k = calloc(s.l.n + 1, sizeof(*k)))) {
		rc = qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < s.l.n; i++) {
		struct buf b = BUF_INIT;

		for (j = 0; j < s.l.v[i].n; j++) {
			buf_add(&b, s.l.v[i].v[j].name, strlen(s.l.v[i].v[j].name) + 1);
			buf_add(&b, s.l.v[i].v[j].value, strlen(s.l.v[i].v[j].value) + 1);
		}
		k[i].len = b.len;
		k[i].key = b.data ? b.data : calloc(1, 1);
		k[i].ls = &s.l.v[i];
		if (!k[i].key) {
			rc = qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	qsort(k, s.l.n, sizeof(*k), cmp_keyed);
	resp.labels_set = NEWN(c, Types__V1__Labels *, s.l.n);
	for (i = 0; resp.labels_set && i < s.l.n; i++) {
		Types__V1__Labels *lb;

		if ((i && cmp_keyed(&k[i - 1], &k[i]) == 0) || k[i].ls->n == 0)
			continue;
		if (!(lb = NEW(c, Types__V1__Labels)))
			break;
		types__v1__labels__init(lb);
		if (!(lb->labels = NEWN(c, Types__V1__LabelPair *, k[i].ls->n)))
			break;
		for (j = 0; j < k[i].ls->n; j++) {
			Types__V1__LabelPair *p = NEW(c, Types__V1__LabelPair);

			if (!p)
				break;
			types__v1__label_pair__init(p);
			p->name.data = (uint8_t *)k[i].ls->v[j].name;
			p->name.len = strlen(k[i].ls->v[j].name);
			p->value.data = (uint8_t *)k[i].ls->v[j].value;
			p->value.len = strlen(k[i].ls->v[j].value);
			lb->labels[lb->n_labels++] = p;
		}
		resp.labels_set[n++] = lb;
	}
	resp.n_labels_set = n;
	rc = reply(c, &resp.base);
done:
	for (i = 0; k && i < s.l.n; i++)
		free(k[i].key);
	free(k);
	labelset_list_release(&s.l);
	return rc;
}

/* ---- profiles ---- */

static Querier__V1__FlameGraph *fg_message(struct qctx *c, const struct flamebearer *fb)
{
	Querier__V1__FlameGraph *fg = NEW(c, Querier__V1__FlameGraph);
	uint32_t i;

	if (!fg)
		return NULL;
	querier__v1__flame_graph__init(fg);
	fg->n_names = fb->nnames;
	fg->names = (char **)fb->names;
	fg->n_levels = fb->nlevels;
	if (!(fg->levels = NEWN(c, Querier__V1__Level *, fb->nlevels)))
		return NULL;
	for (i = 0; i < fb->nlevels; i++) {
		Querier__V1__Level *l = NEW(c, Querier__V1__Level);

		if (!l)
			return NULL;
		querier__v1__level__init(l);
		l->n_values = fb->levels[i].n;
		l->values = fb->levels[i].v;
		fg->levels[i] = l;
	}
	/* protojson leaves zeros out: present only when set */
	fg->has_total = fb->total != 0;
	fg->total = fb->total;
	fg->has_max_self = fb->max_self != 0;
	fg->max_self = fb->max_self;
	return fg;
}

/* The raw (uncompressed) pprof of p. */
static int raw_pprof(const struct prof *p, struct buf *out)
{
	struct buf gz = BUF_INIT;
	int rc;

	if (!(rc = encode_pprof(p, &gz)))
		rc = decode_inflate((const uint8_t *)gz.data, gz.len, DECODE_MAX_INFLATED, out);
	buf_release(&gz);
	return rc;
}

static int pprof_message(struct qctx *c, const struct prof *p, Perftools__Profiles__Profile **out)
{
	struct buf raw = BUF_INIT;
	ProtobufCMessage *m = NULL;
	int rc;

	if (!(rc = raw_pprof(p, &raw)))
		rc = pb_decode(&perftools__profiles__profile__descriptor, PB_PROTO,
			       (const uint8_t *)raw.data, raw.len, &c->rbu, &m);
	buf_release(&raw);
	*out = (Perftools__Profiles__Profile *)m;
	return rc;
}

#define SEL_ARGS(r, sts_field)                                                           \
	{ (r)->profile_typeid, (r)->label_selector, (r)->sts_field, NULL, 0,                 \
	  (r)->n_profile_id_selector, 0 }

static int m_select_merge_stacktraces(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__SelectMergeStacktracesRequest *req =
		(Querier__V1__SelectMergeStacktracesRequest *)msg;
	Querier__V1__SelectMergeStacktracesResponse resp =
		QUERIER__V1__SELECT_MERGE_STACKTRACES_RESPONSE__INIT;
	struct sel_args a = SEL_ARGS(req, stack_trace_selector);
	struct strvec cs = STRVEC_INIT;
	struct selector *sel = NULL;
	struct query q = { 0 };
	struct flamebearer fb = { 0 };
	struct prof *p = NULL;
	struct tree *t = NULL;
	struct buf tree = BUF_INIT;
	int64_t max_nodes = 0;
	int format = req->has_format ? (int)req->format : 0;
	int rc;

	a.spans = req->span_selector;
	a.nspans = req->n_span_selector;
	a.ntrace_ids = req->n_trace_id_selector;
	if ((rc = req_query(c, &a, &q, &sel, &cs)) ||
	    (rc = req_range(c, req->has_start, req->start, req->has_end, req->end, true,
			    &q.range)) ||
	    (format != QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF &&
	     (rc = req_max_nodes(c, req->has_max_nodes, req->max_nodes, &max_nodes))))
		goto done;
	if (format == QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_DOT) {
		rc = qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED, QS_NO_DOT);
		goto done;
	}
	if (format < 0 || format > 4) {
		rc = qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED,
			     "profile format %d is not supported "
			     "(flame graph, tree or pprof)",
			     format);
		goto done;
	}
	if (format == QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF)
		max_nodes = 0;  /* pprof_max_nodes() below */
	if ((rc = qs_merge(c->b, &q, max_nodes,
			   format != QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF, &p))) {
		rc = qs_fail_last(c->out, NULL);
		goto done;
	}
	if (format == QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_PPROF) {
		Perftools__Profiles__Profile *pp = NULL;

		if ((rc = pprof_max_nodes(c, req->has_max_nodes, req->max_nodes, &p)))
			goto done;
		if (!(resp.pprof = NEW(c, Querier__V1__PprofProfile)) || pprof_message(c, p, &pp)) {
			rc = qs_fail_last(c->out, "pprof");
			goto done;
		}
		querier__v1__pprof_profile__init(resp.pprof);
		resp.pprof->profile = pp;
	} else if (format == QUERIER__V1__PROFILE_FORMAT__PROFILE_FORMAT_TREE) {
		if (tree_build(p, &t) || flamebearer_tree_bytes(t, 0, max_nodes, &tree)) {
			rc = qs_fail_last(c->out, NULL);
			goto done;
		}
		resp.has_tree = tree.len > 0;
		resp.tree.data = (uint8_t *)tree.data;
		resp.tree.len = tree.len;
	} else {
		if (qs_flamegraph(p, max_nodes, &fb)) {
			rc = qs_fail_last(c->out, NULL);
			goto done;
		}
		if (!(resp.flamegraph = fg_message(c, &fb))) {
			rc = qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory");
			goto done;
		}
	}
	rc = reply(c, &resp.base);
done:
	flamebearer_release(&fb);
	buf_release(&tree);
	tree_free(t);
	prof_free(p);
	selector_free(sel);
	strvec_release(&cs);
	return rc;
}

static int m_select_merge_profile(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__SelectMergeProfileRequest *req = (Querier__V1__SelectMergeProfileRequest *)msg;
	struct sel_args a = SEL_ARGS(req, stack_trace_selector);
	struct strvec cs = STRVEC_INIT;
	struct selector *sel = NULL;
	struct query q = { 0 };
	struct prof *p = NULL;
	int rc;

	a.ntrace_ids = req->n_trace_id_selector;
	if ((rc = req_query(c, &a, &q, &sel, &cs)) ||
	    (rc = req_range(c, req->has_start, req->start, req->has_end, req->end, true,
			    &q.range)) ||
	    (rc = qs_merge(c->b, &q, 0, false, &p) ? qs_fail_last(c->out, NULL) : 0) ||
	    (rc = pprof_max_nodes(c, req->has_max_nodes, req->max_nodes, &p)))
		goto done;
	/*
	 * As upstream's querier: the profile is stamped with the request's end and lasts
	 * the whole range, not the merge's first profile and its span (pprof's -top of the
	 * file reads its duration; `smolder top --db` keeps the merge's own times).
	 */
	p->time_nanos = req->end * 1000000;  /* req_range: within +-MS_MAX */
	if (__builtin_sub_overflow(p->time_nanos, req->start * 1000000, &p->duration_nanos))
		p->duration_nanos = INT64_MAX;
	if (c->codec == PB_PROTO) {
		/* the reply is the pprof message itself */
		buf_reset(&c->out->body);
		if ((rc = raw_pprof(p, &c->out->body))) {
			rc = qs_fail_last(c->out, "pprof");
			goto done;
		}
		c->out->status = 200;
		c->out->code = "";
		c->out->content_type = "application/proto";
	} else {
		Perftools__Profiles__Profile *pp = NULL;

		if ((rc = pprof_message(c, p, &pp))) {
			rc = qs_fail_last(c->out, "pprof");
			goto done;
		}
		rc = reply(c, &pp->base);
	}
done:
	prof_free(p);
	selector_free(sel);
	strvec_release(&cs);
	return rc;
}

/*
 * The end of step k of a grid from start_ns, start + (k + 1) * step: in uint64, as a grid
 * may span 1678-2262 (its offsets pass INT64_MAX from a start before 1970), held at
 * INT64_MAX past 2262.
 */
static int64_t step_end_ns(int64_t start_ns, size_t k, int64_t step_ns)
{
	uint64_t off, room = (uint64_t)INT64_MAX - (uint64_t)start_ns;

	if (__builtin_mul_overflow((uint64_t)k + 1, (uint64_t)step_ns, &off) || off > room)
		return INT64_MAX;
	return (int64_t)((uint64_t)start_ns + off);
}

static int m_select_series(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__SelectSeriesRequest *req = (Querier__V1__SelectSeriesRequest *)msg;
	Querier__V1__SelectSeriesResponse resp = QUERIER__V1__SELECT_SERIES_RESPONSE__INIT;
	struct sel_args a = { req->profile_typeid, req->label_selector, req->stack_trace_selector,
			      NULL, 0, 0, 0 };
	struct series_points_list l = { 0 };
	struct strvec cs = STRVEC_INIT;
	struct selector *sel = NULL;
	struct query q = { 0 };
	const char *group = req->n_group_by ? req->group_by[0] : NULL;
	int64_t start_ns, step_ns;
	double step_s;
	size_t i, k, n, np;
	int rc;

	if ((rc = req_query(c, &a, &q, &sel, &cs)) ||
	    (rc = req_range(c, req->has_start, req->start, req->has_end, req->end, true, &q.range)))
		goto done;
	/*
	 * As upstream, a point at t holds (t - step, t]: the point upstream stamps at start
	 * (what lies at or before it) is before any step a client reading (t - step, t]
	 * keeps.  So the range read is (start, end], [start + 1 ms, end + 1 ms).
	 */
	q.range.from_ns = q.range.from_ns > q.range.to_ns - 1000000 ? q.range.to_ns :
								      q.range.from_ns + 1000000;
	if (!req->has_step || !(req->step >= 0.001) || !(req->step <= TIMELINE_MAX_STEP_S)) {
		rc = qs_fail(c->out, 400, NULL, ERR_PARSE,
			     "step must be at least 0.001 and at most %.0f (seconds)",
			     TIMELINE_MAX_STEP_S);
		goto done;
	}
	/*
	 * The step as upstream reads it, time.Duration(step * 1e9).Milliseconds(): whole ms,
	 * cut toward zero (4.1 is 4099 ms, 0.0019 is 1 ms; C's conversion truncates as Go's
	 * does), then as seconds, which the grid reads back as that many ms (exactly up to
	 * 2^22 s; above, within a few ns a step).
	 */
	step_s = (double)((int64_t)(req->step * 1e9) / 1000000) / 1000.0;
	if (req->n_group_by > 1) {
		rc = qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED, "group_by takes one label here, "
								 "not %zu", req->n_group_by);
		goto done;
	}
	if (req->has_aggregation)
		q.agg = req->aggregation == AGGREGATION_AVERAGE ? AGG_AVG_POOLED : AGG_SUM;
	if (q.range.from_ns == q.range.to_ns) {
		rc = reply(c, &resp.base);
		goto done;
	}
	if (backend_timeline_grid(q.range, step_s, SIZE_MAX, &start_ns, &step_ns, &n) ||
	    c->b->ops->timeline(c->b, &q, step_s, group && *group ? group : NULL, &l)) {
		rc = qs_fail_last(c->out, NULL);
		goto done;
	}
	if (series_points_rank(&l, req->has_limit && req->limit > 0 ? (uint64_t)req->limit : 0)) {
		rc = qs_fail_last(c->out, NULL);
		goto done;
	}
	resp.series = NEWN(c, Types__V1__Series *, l.n);
	for (i = 0; resp.series && i < l.n; i++) {
		const struct series_points *sp = &l.v[i];
		Types__V1__Series *s = NEW(c, Types__V1__Series);

		if (!s)
			break;
		types__v1__series__init(s);
		for (k = 0, np = 0; k < sp->n; k++)
			np += sp->values[k] != 0;
		if (!(s->points = NEWN(c, Types__V1__Point *, np)) ||
		    !(s->labels = NEWN(c, Types__V1__LabelPair *, sp->labels.n)))
			break;
		for (k = 0; k < sp->labels.n; k++) {
			Types__V1__LabelPair *p = NEW(c, Types__V1__LabelPair);

			if (!p)
				break;
			types__v1__label_pair__init(p);
			p->name.data = (uint8_t *)sp->labels.v[k].name;
			p->name.len = strlen(sp->labels.v[k].name);
			p->value.data = (uint8_t *)sp->labels.v[k].value;
			p->value.len = strlen(sp->labels.v[k].value);
			s->labels[s->n_labels++] = p;
		}
		/*
		 * as upstream, only steps with data have points, each stamped with its step's
		 * end: the backend's step [s, s + step) is upstream's point s + step
		 */
		for (k = 0, np = 0; k < sp->n; k++) {
			Types__V1__Point *pt;

			if (sp->values[k] == 0)
				continue;
			if (!(pt = NEW(c, Types__V1__Point)))
				break;
			types__v1__point__init(pt);
			pt->value = sp->values[k];
			pt->timestamp = step_end_ns(start_ns, k, step_ns) / 1000000;
			s->points[np++] = pt;
		}
		s->n_points = np;
		resp.series[resp.n_series++] = s;
	}
	rc = reply(c, &resp.base);
done:
	series_points_list_release(&l);
	selector_free(sel);
	strvec_release(&cs);
	return rc;
}

static int m_diff(struct qctx *c, ProtobufCMessage *msg)
{
	Querier__V1__DiffRequest *req = (Querier__V1__DiffRequest *)msg;
	Querier__V1__DiffResponse resp = QUERIER__V1__DIFF_RESPONSE__INIT;
	Querier__V1__FlameGraphDiff *fd;
	struct strvec cs[2] = { STRVEC_INIT, STRVEC_INIT };
	struct selector *sel[2] = { NULL, NULL };
	struct prof *p[2] = { NULL, NULL };
	struct flamebearer fb = { 0 };
	struct query q[2];
	int64_t max_nodes = 0, want_nodes = 0;
	int rc = 0, i;

	memset(q, 0, sizeof(q));
	if (!req->left || !req->right)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "a diff needs left and right");
	for (i = 0; i < 2 && !rc; i++) {
		Querier__V1__SelectMergeStacktracesRequest *r = i ? req->right : req->left;
		struct sel_args a = SEL_ARGS(r, stack_trace_selector);

		a.spans = r->span_selector;
		a.nspans = r->n_span_selector;
		a.ntrace_ids = r->n_trace_id_selector;
		if ((rc = req_query(c, &a, &q[i], &sel[i], &cs[i])) ||
		    (rc = req_range(c, r->has_start, r->start, r->has_end, r->end, true,
				    &q[i].range)))
			break;
		/* as upstream's query frontend: the larger side's (unset is 0), then checked */
		if (!i || (r->has_max_nodes ? r->max_nodes : 0) > want_nodes)
			want_nodes = r->has_max_nodes ? r->max_nodes : 0;
	}
	if (rc || (rc = req_max_nodes(c, true, want_nodes, &max_nodes)))
		goto done;
	if (strcmp(q[0].profile_type, q[1].profile_type) != 0) {
		rc = qs_fail(c->out, 400, NULL, ERR_PARSE, "left and right have different profile "
							   "types");
		goto done;
	}
	for (i = 0; i < 2; i++)
		if (qs_merge(c->b, &q[i], max_nodes, true, &p[i])) {
			rc = qs_fail_last(c->out, i ? "right" : "left");
			goto done;
		}
	if (flamebearer_build_diff(p[0], p[1], max_nodes, &fb)) {
		rc = qs_fail_last(c->out, NULL);
		goto done;
	}
	{
		Querier__V1__FlameGraph *fg = fg_message(c, &fb);

		if (!fg || !(fd = NEW(c, Querier__V1__FlameGraphDiff))) {
			rc = qs_fail(c->out, 500, NULL, ERR_NOMEM, "out of memory");
			goto done;
		}
		querier__v1__flame_graph_diff__init(fd);
		fd->n_names = fg->n_names;
		fd->names = fg->names;
		fd->n_levels = fg->n_levels;
		fd->levels = fg->levels;
		fd->has_total = fg->has_total;
		fd->total = fg->total;
		fd->has_max_self = fg->has_max_self;
		fd->max_self = fg->max_self;
		fd->has_leftticks = fb.left_ticks != 0;
		fd->leftticks = fb.left_ticks;
		fd->has_rightticks = fb.right_ticks != 0;
		fd->rightticks = fb.right_ticks;
		resp.flamegraph = fd;
	}
	rc = reply(c, &resp.base);
done:
	flamebearer_release(&fb);
	for (i = 0; i < 2; i++) {
		prof_free(p[i]);
		selector_free(sel[i]);
		strvec_release(&cs[i]);
	}
	return rc;
}

/* ---- dispatch ---- */

struct method {
	const char *name;
	const ProtobufCMessageDescriptor *req;
	int (*fn)(struct qctx *c, ProtobufCMessage *msg);
};

static const struct method methods[] = {
	{ "ProfileTypes", &querier__v1__profile_types_request__descriptor, m_profile_types },
	{ "LabelNames", &types__v1__label_names_request__descriptor, m_label_names },
	{ "LabelValues", &types__v1__label_values_request__descriptor, m_label_values },
	{ "Series", &querier__v1__series_request__descriptor, m_series },
	{ "SelectMergeStacktraces", &querier__v1__select_merge_stacktraces_request__descriptor,
	  m_select_merge_stacktraces },
	{ "SelectMergeProfile", &querier__v1__select_merge_profile_request__descriptor,
	  m_select_merge_profile },
	{ "SelectSeries", &querier__v1__select_series_request__descriptor, m_select_series },
	{ "Diff", &querier__v1__diff_request__descriptor, m_diff },
};

static const char *const unsupported[] = { "SelectMergeSpanProfile", "SelectHeatmap",
					   "GetProfileStats", "AnalyzeQuery" };

enum querier_route querier_route(const char *path)
{
	size_t n;

	if (!path)
		return QUERIER_ROUTE_NONE;
	n = strcspn(path, "?");
	if (n > strlen(PREFIX) && strncmp(path, PREFIX, strlen(PREFIX)) == 0)
		return QUERIER_ROUTE_CONNECT;
	if ((n == 17 && strncmp(path, "/pyroscope/render", 17) == 0) ||
	    (n == 22 && strncmp(path, "/pyroscope/render-diff", 22) == 0) ||
	    (n == 23 && strncmp(path, "/pyroscope/label-values", 23) == 0))
		return QUERIER_ROUTE_RENDER;
	return QUERIER_ROUTE_NONE;
}

/* application/proto or application/json (charset utf-8), by the Content-Type header. */
static int request_codec(struct qctx *c, const char *ctype)
{
	char type[64];
	size_t n, i;
	const char *semi;

	if (!ctype)
		goto bad;
	n = strcspn(ctype, ";");
	while (n && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
		n--;
	if (n >= sizeof(type))
		goto bad;
	for (i = 0; i < n; i++)
		type[i] = (char)(ctype[i] >= 'A' && ctype[i] <= 'Z' ? ctype[i] - 'A' + 'a'
								    : ctype[i]);
	type[n] = '\0';
	semi = strchr(ctype, ';');
	if (strcmp(type, "application/proto") == 0) {
		c->codec = PB_PROTO;
		return 0;
	}
	if (strcmp(type, "application/json") == 0) {
		if (semi && strcasestr(semi, "charset") && !strcasestr(semi, "utf-8"))
			goto bad;
		c->codec = PB_JSON;
		return 0;
	}
bad:
	return qs_fail(c->out, 415, NULL, ERR_UNSUPPORTED,
		       "unsupported Content-Type '%.60s': use "
		       "application/proto or application/json",
		       ctype ? ctype : "");
}

static int handle_connect(struct qctx *c)
{
	const struct ingest_request *rq = c->rq;
	const char *name = rq->path + strlen(PREFIX), *enc, *ver, *acc;
	size_t nlen = strcspn(name, "?"), i, len = rq->body ? rq->body_len : 0;
	const uint8_t *body = rq->body ? rq->body : (const uint8_t *)"";
	const struct method *m = NULL;
	struct buf inflated = BUF_INIT;
	ProtobufCMessage *msg = NULL;
	int rc;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == nlen && strncmp(methods[i].name, name, nlen) == 0)
			m = &methods[i];
	if (!m) {
		for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
			if (strlen(unsupported[i]) == nlen &&
			    strncmp(unsupported[i], name, nlen) == 0)
				return qs_fail(c->out, 501, NULL, ERR_UNSUPPORTED,
					       "%s is not supported "
					       "by smolder",
					       unsupported[i]);
		return qs_fail(c->out, 404, NULL, ERR_NOTFOUND, "no such method '%.*s'",
			       (int)(nlen > 60 ? 60 : nlen), name);
	}
	if (!rq->method || strcmp(rq->method, "POST") != 0)
		return qs_fail(c->out, 405, NULL, ERR_UNSUPPORTED, "only POST is allowed on %s%s",
			       PREFIX, m->name);
	if ((rc = request_codec(c, qs_header(rq, "Content-Type"))))
		return rc;
	ver = qs_header(rq, "Connect-Protocol-Version");
	if (ver && strcmp(ver, "1") != 0)
		return qs_fail(c->out, 400, NULL, ERR_PARSE, "Connect-Protocol-Version must be 1");
	acc = qs_header(rq, "Accept");
	c->utf8_names = acc && strstr(acc, "allow-utf8-labelnames=true");
	if (len > QUERIER_MAX_BODY)
		return qs_fail(c->out, 429, NULL, ERR_TOOBIG,
			       "request body too large: %zu bytes "
			       "(at most %zu)",
			       len, QUERIER_MAX_BODY);
	enc = qs_header(rq, "Content-Encoding");
	if (enc && strcasecmp(enc, "gzip") == 0) {
		if (len < 2 || body[0] != 0x1f || body[1] != 0x8b ||
		    decode_inflate(body, len, QUERIER_MAX_BODY, &inflated)) {
			buf_release(&inflated);
			return qs_fail(c->out, 400, NULL, ERR_PARSE,
				       "Content-Encoding gzip: the body "
				       "is not gzip data within %zu bytes",
				       QUERIER_MAX_BODY);
		}
		body = (const uint8_t *)inflated.data;
		len = inflated.len;
	} else if (enc && *enc && strcasecmp(enc, "identity") != 0) {
		return qs_fail(c->out, 415, "unimplemented", ERR_UNSUPPORTED,
			       "unknown compression "
			       "'%.40s': use gzip or "
			       "identity",
			       enc);
	}
	pb_budget_release(&c->bu);
	pb_budget_init(&c->bu, len * 4 + ((size_t)1 << 20));
	if (pb_decode(m->req, c->codec, body, len, &c->bu, &msg))
		rc = qs_fail_last(c->out, m->req->name);
	else
		rc = m->fn(c, msg);
	buf_release(&inflated);
	return rc;
}

/*
 * Every endpoint's error is a Connect error body, the legacy ones too: Pyroscope writes
 * them so since 1.1 (util/http.Error: {"code","message"}, application/json).
 */
static int error_body(struct querier_reply *out)
{
	int rc;

	buf_reset(&out->body);
	out->content_type = "application/json";
	if ((rc = buf_printf(&out->body, "{\"code\":\"%s\",\"message\":", out->code)) ||
	    (rc = pbjson_put_string(&out->body, out->reason, strlen(out->reason))))
		return rc;
	return buf_puts(&out->body, "}");
}

int querier_handle(struct backend *b, const char *tenant, const struct ingest_request *rq,
		   struct querier_reply *out)
{
	struct qctx c;
	enum querier_route route = querier_route(rq->path);
	int rc;

	memset(&c, 0, sizeof(c));
	c.b = b;
	c.tenant = tenant;
	c.rq = rq;
	c.out = out;
	c.now_ns = rq->now_ns ? rq->now_ns : time_now_ns();
	arena_init(&c.a);
	pb_budget_init(&c.bu, 0);
	pb_budget_init(&c.rbu, SIZE_MAX);
	buf_reset(&out->body);
	out->reason[0] = '\0';
	if (route == QUERIER_ROUTE_CONNECT)
		rc = handle_connect(&c);
	else if (route == QUERIER_ROUTE_RENDER)
		rc = querier_render(b, rq, out);
	else
		rc = qs_fail(out, 404, NULL, ERR_NOTFOUND, "no such endpoint");
	if (rc && error_body(out))
		buf_reset(&out->body);
	if (rc && out->status == 200)
		out->status = 500;
	pb_budget_release(&c.bu);
	pb_budget_release(&c.rbu);
	arena_release(&c.a);
	return rc;
}

int querier_serve(struct backend *b, const struct ingest_request *rq, struct serve_reply *out)
{
	struct querier_reply r;
	int rc;

	querier_reply_init(&r);
	rc = querier_handle(b, NULL, rq, &r);
	out->status = r.status;
	out->content_type = r.content_type;
	buf_release(&out->body);
	out->body = r.body;
	snprintf(out->reason, sizeof(out->reason), "%s", r.reason);
	return rc;
}
