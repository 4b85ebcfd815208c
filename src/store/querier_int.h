/*
 * querier_int.h — what the query server's files share (querier_server.c: the Connect
 * methods; querier_render.c: the legacy /pyroscope/render endpoints; querier_pprof.c:
 * a pprof answer cut to max_nodes).  Nothing outside src/store/querier_*.c includes it.
 *
 * Errors follow err.h: qs_fail*() fill the reply, set err_last() and return the code.
 *
 * Ownership: profiles handed out in *out (qs_empty_prof, qs_merge, qs_pprof_truncate)
 * are the caller's (prof_free); qs_header's answer is borrowed from the request and lives
 * as long as it; qs_flamegraph fills a caller's flamebearer (flamebearer_release), whose
 * names may point into p, as flamebearer.h says.
 */
#ifndef SMOLDER_QUERIER_INT_H
#define SMOLDER_QUERIER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "profile/flamebearer.h"
#include "querier_server.h"

/*
 * Why DOT is refused (SelectMergeStacktraces' PROFILE_FORMAT_DOT, render's format=dot),
 * with the way to the same graph: upstream draws pprof's own -dot graph of the merge.
 */
#define QS_NO_DOT                                                                    \
	"the dot format is not supported: draw SelectMergeProfile's pprof with "   \
	"go tool pprof -dot -nodecount=N"

/* Refuses: status, Connect code (NULL: from the status) and a one-line reason. */
int qs_fail(struct querier_reply *out, int status, const char *code, int rc, const char *fmt,
	    ...) ERR_PRINTF(5, 6);
/* A backend's failure (err_last()) as the right status: "<what>: <message>". */
int qs_fail_last(struct querier_reply *out, const char *what);

/* The first header named `name` (case-insensitive), or NULL. */
const char *qs_header(const struct ingest_request *rq, const char *name);

/* A profile of type ptype with no samples (what an empty range merges to). */
int qs_empty_prof(const char *ptype, struct prof **out);
/*
 * merge_tree (tree) or merge of q; "no data" (ERR_NOTFOUND) is an empty profile, as
 * Pyroscope answers an empty range.
 */
int qs_merge(struct backend *b, const struct query *q, int64_t max_nodes, bool tree,
	     struct prof **out);
/*
 * Pyroscope's truncation of a pprof answer at max_nodes (querier_pprof.c says how): *out
 * is the truncated profile, or NULL when nothing goes (max_nodes < 1, or the call tree
 * has at most max_nodes nodes, or no node's total is positive).
 */
int qs_pprof_truncate(const struct prof *in, int64_t max_nodes, struct prof **out);
/* The flame graph of a merged profile (sample type 0). */
int qs_flamegraph(const struct prof *p, int64_t max_nodes, struct flamebearer *out);

/* The legacy endpoints (GET /pyroscope/render, render-diff, label-values). */
int querier_render(struct backend *b, const struct ingest_request *rq, struct querier_reply *out);

#endif
