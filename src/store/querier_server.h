/*
 * querier_server.h — the read side of `smolder serve`: Grafana Pyroscope's query API
 * answered from any backend (backend.h: the SQLite store through store_backend_new(),
 * or even a remote one), so that `smolder --url http://box:4040`, profilecli and
 * Grafana's Pyroscope data source can read what smolder stores.
 *
 * A pure handler, like ingest.h: one HTTP request in (struct ingest_request: method,
 * path, query, headers, body), one reply out (status, Content-Type, body).  No sockets,
 * no threads; calls on different threads with different backends are independent.
 *
 * Endpoints (spec §3):
 *
 *   POST /querier.v1.QuerierService/<Method>   Connect unary over HTTP/1.1
 *       Content-Type application/proto or application/json (charset=utf-8 allowed;
 *       anything else 415); Content-Encoding gzip or identity; the reply uses the
 *       request's codec.  Errors are Connect errors: a JSON body
 *       {"code":"invalid_argument","message":"..."} with the code's HTTP status
 *       (invalid_argument 400, unauthenticated 401, permission_denied 403, not_found
 *       404, resource_exhausted 429, canceled 499, internal 500, unimplemented 501).
 *       Methods: ProfileTypes, LabelNames, LabelValues, Series,
 *       SelectMergeStacktraces (format FLAMEGRAPH, TREE or PPROF; max_nodes 0 → 8192,
 *       above 1,048,576 refused, but for PPROF; stack_trace_selector; span_selector as
 *       a span_id matcher), SelectMergeProfile (pprof, stamped with the request's end
 *       and lasting end - start, as upstream's querier).  A pprof answer is cut to
 *       max_nodes as upstream's symdb cuts it (a call tree of functions keeps its
 *       max_nodes heaviest nodes, the frames under them become one "other", and only
 *       the symbols the samples use stay), but for the two differences below; max_nodes
 *       absent or 0 leaves it whole, and any size is taken, as upstream takes it;
 *       SelectSeries (step >= 1 ms, read in whole ms cut down as upstream reads it:
 *       4.1 is 4099 ms; at most one group_by label, aggregation, limit;
 *       stack_trace_selector as Pyroscope 1.x honours it, only the samples whose stacks
 *       start with the call site counted (2.x ignores it);
 *       as upstream, series ordered by total, largest first, ties by labels, before
 *       the limit; a point is stamped with its step's end (below), the range is
 *       read as (start, end], the point at start being upstream's for what precedes
 *       the steps, and only steps with data have points; at most 4 M values, steps
 *       times groups, and 10,000 groups, else 400), Diff (both sides folded at the
 *       larger max_nodes, as upstream's query frontend).  GET and other methods: 405.
 *       Upstream's other methods
 *       (SelectMergeSpanProfile, SelectHeatmap, GetProfileStats, AnalyzeQuery): 501.
 *
 *   GET /pyroscope/render?query=<type>{<selector>}&from=&until=&maxNodes=&groupBy=
 *       &aggregation=sum|avg      the legacy flamebearer JSON (version 1) with its
 *                                 timeline (step: Pyroscope's CalcPointInterval)
 *   GET /pyroscope/render-diff?leftQuery=&leftFrom=&leftUntil=&rightQuery=...
 *                                 the same, format "double" (7-tuples)
 *   GET /pyroscope/label-values?label=<name>   a JSON array of the label's values
 *       Errors here are Connect errors too (JSON {"code","message"}, application/json),
 *       as Pyroscope writes them since 1.1 (1.0 wrote plain text).
 *
 * Deliberate differences from Pyroscope (each also in the README):
 *   - aggregation absent in SelectSeries, and a merge, follow the backend's rule
 *     (gauges such as inuse_* are averaged over time, counters summed) instead of
 *     always summing; an explicit SUM or AVERAGE is upstream's (AVERAGE: a group's
 *     point is the mean of all its profiles in the step, whichever series);
 *   - SelectSeries' steps lie on multiples of the step (upstream lays them from
 *     `start`): the backend's step [s, s + step) is the point stamped s + step, its
 *     end, as upstream stamps a point (whose t holds (t - step, t]: a profile right
 *     on a step's edge is in the next point here), and the last point is stamped
 *     after `end` when `end` falls inside its step; /pyroscope/render's timeline
 *     reads them as upstream's timeline.New does: its sample at t (startTime: from
 *     snapped down to the step) holds the step [t - step, t), SelectSeries' point t;
 *   - /pyroscope/render without `from` covers the last hour (upstream: an empty
 *     range at "now"); label-values answers every label, not only __name__;
 *   - a SelectSeries of more than 4 M values (steps x groups) or 10,000 groups is
 *     refused (upstream refuses only steps under 1 ms; its series are sparse);
 *   - /pyroscope/render's from/until are attime's (timeparse_attime) but for what
 *     attime silently reads as "now" (yesterday, 1h, now-1h+30m, unknown units),
 *     which is a 400, RFC 3339, which is read, and now-1h30m, whose terms add up;
 *   - Diff refuses sides of different profile types, or a missing side (400);
 *     upstream reads a missing side as an empty request;
 *   - DOT (SelectMergeStacktraces' PROFILE_FORMAT_DOT, /pyroscope/render?format=dot):
 *     501, the message saying how to draw it.  Upstream renders pprof's own -dot graph
 *     (its report package: at most max_nodes nodes, 100 by default, of the merge cut
 *     at 512 nodes, with pprof's node and edge trimming, colours and legend), which is
 *     not reproduced here; `go tool pprof -dot` of SelectMergeProfile's answer is it;
 *   - a pprof answer's max_nodes cut keeps exactly the frames its call tree keeps:
 *     upstream's walk over a stack's locations keeps one location more (main;a;b;c
 *     with main and a kept is main;a;other here, main;a;b;other there); and it is made
 *     once over the whole merge, where upstream cuts each symdb partition's stacks
 *     apart before the pieces are merged (so a path heavy only summed over partitions
 *     may be cut there and kept here);
 *   - profile_id_selector and trace_id_selector: 501.
 *   - LabelNames, LabelValues and Series take at most QUERIER_MAX_MATCHERS matcher
 *     strings, whose matchers (every one must hold, as upstream's query frontend ANDs
 *     them into one selector) are at most SELECTOR_MAX_MATCHERS once repeats are read
 *     once, else 400 (upstream takes any number);
 *   - Connect-Timeout-Ms is not enforced here: the serve glue owns b->cancel, which
 *     every method polls (a list request between series too).
 * As upstream: a request's range [start, end] (ms) holds both ends, so what is stamped
 * in end's millisecond is in; no data in the range is an empty answer (an empty flame
 * graph, a profile without samples), not an error; without the `allow-utf8-labelnames=true`
 * capability in Accept, LabelNames and Series leave out label names that are not
 * [a-zA-Z_][a-zA-Z0-9_]* (dotted OpenTelemetry names).
 *
 * The serve glue routes to it through querier_serve(), a serve_read_fn (serve.h): one
 * line per path in serve.c's serve_routes[]:
 *
 *     { "/querier.v1.QuerierService/", "POST", ROUTE_READ, "querier", querier_serve },
 *     { "/pyroscope/render", "GET", ROUTE_READ, "render", querier_serve },
 *     { "/pyroscope/render-diff", "GET", ROUTE_READ, "render_diff", querier_serve },
 *     { "/pyroscope/label-values", "GET", ROUTE_READ, "label_values", querier_serve },
 *
 * (or, from any other glue: if (querier_route(path)) rc = querier_handle(b, tenant, &rq,
 * &reply); then send reply.status, Content-Type reply.content_type and reply.body).
 *
 * Ownership: the request is borrowed for the call.  The reply owns its body
 * (querier_reply_release()); content_type and code are static strings.
 */
#ifndef SMOLDER_QUERIER_SERVER_H
#define SMOLDER_QUERIER_SERVER_H

#include "backend.h"
#include "base/buf.h"
#include "ingest/ingest.h"

#define QUERIER_MAX_NODES_DEFAULT 8192
#define QUERIER_MAX_NODES_MAX     (1 << 20)
#define QUERIER_MAX_BODY          ((size_t)16 << 20)  /* a request; gzip-inflated too */
#define QUERIER_MAX_MATCHERS      1000  /* LabelNames, LabelValues, Series: else 400 */

enum querier_route { QUERIER_ROUTE_NONE, QUERIER_ROUTE_CONNECT, QUERIER_ROUTE_RENDER };

struct querier_reply {
	int status;                /* HTTP status */
	const char *content_type;  /* static */
	struct buf body;
	const char *code;          /* the Connect code of an error, "" on success */
	char reason[256];          /* an error in one line (for the log), "" on success */
};

/* Which of these endpoints path is (anything from '?' on is ignored). */
enum querier_route querier_route(const char *path);

void querier_reply_init(struct querier_reply *r);
void querier_reply_release(struct querier_reply *r);

/*
 * Answers rq from b, which answers for `tenant` (used in messages only; may be NULL).
 * Returns 0 when out->status is 200, else a negative ERR_* code with out filled (and
 * err_last() saying the same as out->reason).  out must be initialised.
 */
int querier_handle(struct backend *b, const char *tenant, const struct ingest_request *rq,
		   struct querier_reply *out);

/* querier_handle() as serve.h's serve_read_fn: the reply moved into *out. */
struct serve_reply;
int querier_serve(struct backend *b, const struct ingest_request *rq, struct serve_reply *out);

#endif
