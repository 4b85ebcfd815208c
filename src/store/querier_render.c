/*
 * querier_render.c — Pyroscope's legacy read endpoints (querier_server.h), for the old
 * UI, Grafana's older data source and scripts: GET /pyroscope/render (flamebearer JSON
 * version 1 with a timeline), /pyroscope/render-diff and /pyroscope/label-values.
 *
 * The query names the profile type where a metric name goes:
 * process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="app"}.  Times are read as
 * Pyroscope's attime.Parse reads them (timeparse_attime(): now-1h, now-15min, YYYYMMDD,
 * Unix timestamps; RFC 3339 too).
 */
#include "querier_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeparse.h"
#include "pbjson.h"
#include "profile/selector.h"

/* A time as Pyroscope's attime.Parse reads it (timeparse_attime); def when absent. */
static int param_time(const struct ingest_request *rq, struct querier_reply *out, const char *name,
		      const char *def, int64_t now, int64_t *ns)
{
	struct buf v = BUF_INIT;
	int rc = 0;

	if (!ingest_param(rq, name, &v) || !v.len)
		rc = timeparse_attime(def, now, ns);
	else if (timeparse_attime_n(v.data, v.len, now, ns))  /* a NUL in it is no time */
		rc = qs_fail_last(out, name);
	/* upstream's range check takes a start or end of 0 ms for none */
	else if (*ns / 1000000 == 0)
		rc = qs_fail(out, 400, NULL, ERR_PARSE, "%s: '%.40s' is 0 ms since the epoch, which "
							"is no time", name, v.data);
	buf_release(&v);
	return rc;
}

/*
 * The range of from and until (r, as read) as upstream's render hands it on: each cut
 * to the millisecond (model.TimeFromUnixNano) and sent as the Start and End of
 * SelectMergeStacktraces or Diff, which hold both ends, so a profile stamped at until
 * is in.  r becomes [from, until + 1 ms), as querier_server.c's req_range reads a
 * Connect range; *from_ms and *until_ms are the two ends as upstream has them.
 */
static void ms_range(struct time_range *r, int64_t *from_ms, int64_t *until_ms)
{
	*from_ms = r->from_ns / 1000000;
	*until_ms = r->to_ns / 1000000;
	r->from_ns = *from_ms * 1000000;
	r->to_ns = *until_ms > INT64_MAX / 1000000 - 1 ? INT64_MAX : (*until_ms + 1) * 1000000;
}

/*
 * {__name__="<type>", ...}, as upstream's parseQuery reads a query (the metric name is
 * its __name__ matcher): *sel rebuilt with the type as __profile_type__, the way the
 * selector parser files <type>{...}.  0 when there is none to move (*sel unchanged).
 */
static int name_to_profile_type(struct selector **sel)
{
	const struct matcher *m = selector_find(*sel, "__name__");
	struct profile_type pt;
	struct selector *n = NULL;
	size_t i;
	int rc;

	if (!m || m->op != MATCH_EQ || profile_type_parse(m->value, &pt))
		return 0;
	profile_type_release(&pt);
	if ((rc = selector_new(&n)))
		return rc;
	for (i = 0; i < (*sel)->n && !rc; i++)
		if (strcmp((*sel)->m[i].name, "__name__") != 0)
			rc = selector_add(n, (*sel)->m[i].name, (*sel)->m[i].op, (*sel)->m[i].value);
	if (!rc)
		rc = selector_add(n, "__profile_type__", MATCH_EQ, m->value);
	if (rc) {
		selector_free(n);
		return rc;
	}
	selector_free(*sel);
	*sel = n;
	return 0;
}

/* query=<type>{...} or {__name__="<type>",...}: the selector and its profile type
 * (borrowed from *sel). */
static int param_query(const struct ingest_request *rq, struct querier_reply *out,
		       const char *name, struct selector **sel, const char **ptype)
{
	struct buf v = BUF_INIT;
	const struct matcher *m;
	int rc = 0;

	*sel = NULL;
	if (!ingest_param(rq, name, &v) || !v.len)
		rc = qs_fail(out, 400, NULL, ERR_PARSE, "%s is required", name);
	else if (selector_parse(v.data, sel) ||
		 (!selector_find(*sel, "__profile_type__") && name_to_profile_type(sel)))
		rc = qs_fail_last(out, name);
	else if (!(m = selector_find(*sel, "__profile_type__")) || m->op != MATCH_EQ)
		rc = qs_fail(out, 400, NULL, ERR_PARSE,
			     "%s must name a profile type ID: "
			     "process_cpu:cpu:nanoseconds:cpu:nanoseconds{...} or "
			     "{__name__=\"process_cpu:cpu:nanoseconds:cpu:nanoseconds\",...}",
			     name);
	else
		*ptype = m->value;
	buf_release(&v);
	return rc;
}

/* Go's strconv.Atoi: an optional sign and decimal digits, nothing else, in range. */
static bool go_atoi(const struct buf *v, int64_t *out)
{
	size_t i = v->len && (v->data[0] == '+' || v->data[0] == '-');
	int64_t n = 0;

	if (i == v->len)
		return false;
	for (; i < v->len; i++) {
		if (v->data[i] < '0' || v->data[i] > '9' || n > (INT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (v->data[i] - '0');
	}
	*out = v->data[0] == '-' ? -n : n;
	return true;
}

/*
 * As upstream: max-nodes, then maxNodes, each taken when Atoi reads it and it is not
 * 0 (a value it cannot read is no value); then ValidateMaxNodes' limits.
 */
static int param_max_nodes(const struct ingest_request *rq, struct querier_reply *out,
			   int64_t *max_nodes)
{
	static const char *const names[] = { "max-nodes", "maxNodes" };
	struct buf v = BUF_INIT;
	int64_t n = 0, k;
	size_t i;

	for (i = 0; i < 2; i++)
		if (ingest_param(rq, names[i], &v) && go_atoi(&v, &k) && k)
			n = k;
	buf_release(&v);
	*max_nodes = n ? n : QUERIER_MAX_NODES_DEFAULT;
	if (n < 0)
		return qs_fail(out, 400, NULL, ERR_PARSE, "maxNodes must not be negative");
	if (n > QUERIER_MAX_NODES_MAX)
		return qs_fail(out, 400, NULL, ERR_PARSE, "maxNodes %lld exceeds the limit of %d",
			       (long long)n, QUERIER_MAX_NODES_MAX);
	return 0;
}

/* Units and sample rate as Pyroscope's ExportToFlamebearer sets them. */
static int put_metadata(struct buf *b, const char *ptype, const char *format)
{
	struct profile_type pt;
	const char *units;
	unsigned long rate = 100;
	int rc;

	if ((rc = profile_type_parse(ptype, &pt)))
		return rc;
	units = pt.sample_unit;
	if (strcmp(pt.sample_type, "cpu") == 0) {
		units = "samples";
		rate = 1000000000;
	} else if (strcmp(pt.sample_type, "inuse_objects") == 0 ||
		   strcmp(pt.sample_type, "alloc_objects") == 0 ||
		   strcmp(pt.sample_type, "goroutine") == 0 ||
		   strcmp(pt.sample_type, "samples") == 0) {
		units = "objects";
	}
	rc = buf_printf(b, "\"metadata\":{\"format\":\"%s\",\"spyName\":\"\",\"sampleRate\":%lu,"
			   "\"units\":", format, rate);
	if (!rc && !(rc = pbjson_put_string(b, units, strlen(units))) &&
	    !(rc = buf_puts(b, ",\"name\":")))
		rc = pbjson_put_string(b, pt.sample_type, strlen(pt.sample_type));
	if (!rc)
		rc = buf_puts(b, "}");
	profile_type_release(&pt);
	return rc;
}

static int put_flamebearer(struct buf *b, const struct flamebearer *fb)
{
	uint32_t i;
	size_t k;
	int rc = buf_puts(b, "\"flamebearer\":{\"names\":[");

	for (i = 0; !rc && i < fb->nnames; i++)
		if (!(rc = i ? buf_puts(b, ",") : 0))
			rc = pbjson_put_string(b, fb->names[i], fb->name_lens[i]);
	if (!rc)
		rc = buf_puts(b, "],\"levels\":[");
	for (i = 0; !rc && i < fb->nlevels; i++) {
		rc = buf_puts(b, i ? ",[" : "[");
		for (k = 0; !rc && k < fb->levels[i].n; k++)
			rc = buf_printf(b, "%s%lld", k ? "," : "", (long long)fb->levels[i].v[k]);
		if (!rc)
			rc = buf_puts(b, "]");
	}
	if (!rc)
		rc = buf_printf(b, "],\"numTicks\":%lld,\"maxSelf\":%lld", (long long)fb->total,
				(long long)fb->max_self);
	return rc ? rc : buf_puts(b, "}");
}

/*
 * A diff's two totals.  They belong to the profile (FlamebearerProfileV1), after
 * "heatmap", not to "flamebearer": the UI reads profile.leftTicks for its percentages.
 * Each is left out when 0, as Go's omitempty does.
 */
static int put_diff_ticks(struct buf *b, const struct flamebearer *fb)
{
	int rc = 0;

	if (fb->left_ticks)
		rc = buf_printf(b, ",\"leftTicks\":%lld", (long long)fb->left_ticks);
	if (!rc && fb->right_ticks)
		rc = buf_printf(b, ",\"rightTicks\":%lld", (long long)fb->right_ticks);
	return rc;
}

/*
 * Upstream's timeline.New over its SelectSeries answer: from and until snapped down to
 * the step, (until - from) / step samples from the snapped from, a step without a point
 * 0, values cut to whole numbers (Go's uint64()); sp NULL: no data, every step 0.
 * SelectSeries stamps a point with its step's end, so the sample at t holds (t - step, t]:
 * here the backend's step [t - step, t), which m_select_series answers as the point t.
 * A point at or after the snapped until is left out, as upstream leaves it out: the last
 * sample holds the step that ends at its time, not the unfinished one after it.
 * Upstream lays its steps from the request's from, not from a multiple of the step: with
 * a from d past a multiple, its sample t holds (t + d - step, t + d], the same only when
 * d is 0.  A profile at from's own ms, upstream's point at from (sample 0), is here in the
 * step that holds it.
 */
static int put_timeline(struct buf *b, const struct series_points *sp, int64_t from_ms,
			int64_t until_ms, int64_t step_s)
{
	int64_t step_ms = step_s * 1000, start = from_ms / step_ms * step_ms;
	int64_t end = until_ms / step_ms * step_ms, n = 0, k;
	size_t j = 0;
	int rc;

	if (start < end)
		n = (end / 1000 - start / 1000) / step_s;
	rc = buf_printf(b, "{\"startTime\":%lld,\"samples\":[", (long long)(start / 1000));
	for (k = 0; !rc && k < n; k++) {
		int64_t t = start + (k - 1) * step_ms;  /* the step that ends at sample k */
		double v = 0;

		while (sp && j < sp->n && sp->ts_ms[j] < t)
			j++;
		if (sp && j < sp->n && sp->ts_ms[j] == t && sp->values[j] > 0)
			v = floor(sp->values[j]);
		rc = buf_printf(b, "%s%.0f", k ? "," : "", v);
	}
	return rc ? rc : buf_printf(b, "],\"durationDelta\":%lld,\"watermarks\":null}",
				    (long long)step_s);
}

static int render(struct backend *be, const struct ingest_request *rq, struct querier_reply *out,
		  int64_t now)
{
	struct selector *sel = NULL;
	struct query q = { 0 };
	struct prof *p = NULL;
	struct flamebearer fb = { 0 };
	struct series_points_list tl = { 0 };
	struct buf group = BUF_INIT, agg = BUF_INIT, fmt = BUF_INIT;
	struct buf *b = &out->body;
	int64_t max_nodes, from_ms, until_ms;
	double step;
	size_t i;
	int rc;

	if ((rc = param_query(rq, out, "query", &sel, &q.profile_type)) ||
	    (rc = param_time(rq, out, "from", "now-1h", now, &q.range.from_ns)) ||
	    (rc = param_time(rq, out, "until", "now", now, &q.range.to_ns)) ||
	    (rc = param_max_nodes(rq, out, &max_nodes)))
		goto done;
	q.selector = sel;
	/* as upstream, only from after until is refused: from == until is its millisecond */
	if (q.range.from_ns > q.range.to_ns) {
		rc = qs_fail(out, 400, NULL, ERR_PARSE, "from must not be after until");
		goto done;
	}
	ms_range(&q.range, &from_ms, &until_ms);
	if (ingest_param(rq, "format", &fmt) && strcmp(fmt.data, "dot") == 0) {
		rc = qs_fail(out, 501, NULL, ERR_UNSUPPORTED, QS_NO_DOT);
		goto done;
	}
	ingest_param(rq, "groupBy", &group);
	/*
	 * Upstream's switch knows sum and avg; any other value is none (which upstream
	 * sends as SUM and which here, as in SelectSeries, is the backend's rule).
	 */
	ingest_param(rq, "aggregation", &agg);
	if (agg.len == 3 && strcmp(agg.data, "sum") == 0)
		q.agg = AGG_SUM;
	else if (agg.len == 3 && strcmp(agg.data, "avg") == 0)
		q.agg = AGG_AVG_POOLED;  /* upstream's rangeSeries */
	/* the merge follows the backend's rule; aggregation= is the timeline's */
	{
		enum aggregate tl_agg = q.agg;

		q.agg = AGG_AUTO;
		if (qs_merge(be, &q, max_nodes, true, &p) || qs_flamegraph(p, max_nodes, &fb)) {
			rc = qs_fail_last(out, NULL);
			goto done;
		}
		q.agg = tl_agg;
	}
	/* the timeline of the flame graph's range, [from, until] (put_timeline: its steps) */
	step = backend_point_interval_s(from_ms, until_ms);
	if (be->ops->timeline(be, &q, step, group.len ? group.data : NULL, &tl)) {
		rc = qs_fail_last(out, "timeline");
		goto done;
	}
	buf_reset(b);
	rc = buf_puts(b, "{\"version\":1,");
	if (!rc)
		rc = put_flamebearer(b, &fb);
	if (!rc && !(rc = buf_puts(b, ",")))
		rc = put_metadata(b, q.profile_type, "single");
	if (!rc)
		rc = buf_puts(b, ",\"timeline\":");
	/* upstream: the one series' timeline, or an empty one when groupBy made several */
	if (!rc)
		rc = put_timeline(b, tl.n == 1 ? &tl.v[0] : NULL, from_ms, until_ms, (int64_t)step);
	if (!rc && group.len) {
		rc = buf_puts(b, ",\"groups\":{");
		for (i = 0; !rc && i < tl.n; i++) {
			const char *v = labelset_get(&tl.v[i].labels, group.data);

			if ((rc = buf_puts(b, i ? "," : "")) ||
			    (rc = pbjson_put_string(b, v && *v ? v : "*",
						    v && *v ? strlen(v) : 1)) ||
			    (rc = buf_puts(b, ":")))
				break;
			rc = put_timeline(b, &tl.v[i], from_ms, until_ms, (int64_t)step);
		}
		if (!rc)
			rc = buf_puts(b, "}");
	} else if (!rc) {
		rc = buf_puts(b, ",\"groups\":null");
	}
	if (!rc)
		rc = buf_puts(b, ",\"heatmap\":null}");
	if (rc)
		rc = qs_fail_last(out, "render");
done:
	series_points_list_release(&tl);
	flamebearer_release(&fb);
	prof_free(p);
	selector_free(sel);
	buf_release(&group);
	buf_release(&agg);
	buf_release(&fmt);
	return rc;
}

static int render_diff(struct backend *be, const struct ingest_request *rq,
		       struct querier_reply *out, int64_t now)
{
	static const char *const names[2][3] = { { "leftQuery", "leftFrom", "leftUntil" },
						  { "rightQuery", "rightFrom", "rightUntil" } };
	struct selector *sel[2] = { NULL, NULL };
	struct prof *p[2] = { NULL, NULL };
	struct flamebearer fb = { 0 };
	struct query q[2];
	int64_t max_nodes, from_ms, until_ms;
	int i, rc = 0;

	memset(q, 0, sizeof(q));
	for (i = 0; i < 2 && !rc; i++)
		if (!(rc = param_query(rq, out, names[i][0], &sel[i], &q[i].profile_type)) &&
		    !(rc = param_time(rq, out, names[i][1], "now-1h", now, &q[i].range.from_ns)))
			rc = param_time(rq, out, names[i][2], "now", now, &q[i].range.to_ns);
	if (rc || (rc = param_max_nodes(rq, out, &max_nodes)))
		goto done;
	if (strcmp(q[0].profile_type, q[1].profile_type) != 0) {
		rc = qs_fail(out, 400, NULL, ERR_PARSE, "left and right queries must have the same "
							"profile type");
		goto done;
	}
	for (i = 0; i < 2; i++) {
		q[i].selector = sel[i];
		ms_range(&q[i].range, &from_ms, &until_ms);
		if (qs_merge(be, &q[i], max_nodes, true, &p[i])) {
			rc = qs_fail_last(out, names[i][0]);
			goto done;
		}
	}
	if (flamebearer_build_diff(p[0], p[1], max_nodes, &fb)) {
		rc = qs_fail_last(out, NULL);
		goto done;
	}
	buf_reset(&out->body);
	if ((rc = buf_puts(&out->body, "{\"version\":1,")) ||
	    (rc = put_flamebearer(&out->body, &fb)) || (rc = buf_puts(&out->body, ",")) ||
	    (rc = put_metadata(&out->body, q[0].profile_type, "double")) ||
	    (rc = buf_puts(&out->body, ",\"timeline\":null,\"groups\":null,\"heatmap\":null")) ||
	    (rc = put_diff_ticks(&out->body, &fb)) || (rc = buf_puts(&out->body, "}")))
		rc = qs_fail_last(out, "render-diff");
done:
	flamebearer_release(&fb);
	for (i = 0; i < 2; i++) {
		prof_free(p[i]);
		selector_free(sel[i]);
	}
	return rc;
}

static int label_values(struct backend *be, const struct ingest_request *rq,
			struct querier_reply *out, int64_t now)
{
	struct buf label = BUF_INIT, v = BUF_INIT;
	struct strvec vals = STRVEC_INIT;
	struct time_range r = { 0, 0 };
	size_t i;
	int rc;

	if (!ingest_param(rq, "label", &label) || !label.len) {
		rc = qs_fail(out, 400, NULL, ERR_PARSE, "label is required");
		goto done;
	}
	if ((ingest_param(rq, "from", &v) && v.len &&
	     (rc = param_time(rq, out, "from", "now-1h", now, &r.from_ns))) ||
	    (ingest_param(rq, "until", &v) && v.len &&
	     (rc = param_time(rq, out, "until", "now", now, &r.to_ns))))
		goto done;
	if (r.from_ns && !r.to_ns)
		r.to_ns = now;
	/* __name__ lists the profile type IDs, as upstream */
	if (be->ops->label_values(be, strcmp(label.data, "__name__") == 0 ? "__profile_type__" :
					  label.data, NULL, r, &vals)) {
		rc = qs_fail_last(out, NULL);
		goto done;
	}
	buf_reset(&out->body);
	rc = buf_puts(&out->body, "[");
	for (i = 0; !rc && i < vals.n; i++)
		if (!(rc = buf_puts(&out->body, i ? "," : "")))
			rc = pbjson_put_string(&out->body, vals.v[i], strlen(vals.v[i]));
	if (!rc)
		rc = buf_puts(&out->body, "]");
	if (rc)
		rc = qs_fail_last(out, "label-values");
done:
	strvec_release(&vals);
	buf_release(&label);
	buf_release(&v);
	return rc;
}

int querier_render(struct backend *b, const struct ingest_request *rq, struct querier_reply *out)
{
	size_t n = strcspn(rq->path, "?");
	int64_t now = rq->now_ns ? rq->now_ns : time_now_ns();
	int rc;

	if (!rq->method || (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0))
		return qs_fail(out, 405, NULL, ERR_UNSUPPORTED, "only GET is allowed here");
	if (n == 22)
		rc = render_diff(b, rq, out, now);
	else if (n == 23)
		rc = label_values(b, rq, out, now);
	else
		rc = render(b, rq, out, now);
	if (!rc) {
		out->status = 200;
		out->code = "";
		out->content_type = "application/json";
	}
	return rc;
}
