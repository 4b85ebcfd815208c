/*
 * serve_conn.c — a request's bounds as libmicrohttpd reports them: the URI log callback
 * makes its struct req (the first thing libmicrohttpd tells of a request), and the
 * completion callback ends it — or the connection's close, when libmicrohttpd gave up on
 * it unreported: one log line, the metrics, the in-flight, query and answer counts given
 * back, the memory freed.  What happens in between is serve.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "serve_int.h"

/* A decoder's prepare_items() (serve.c) */
static void free_preps(struct store_prep **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		store_prep_free(v[i]);
	free(v);
}

/*
 * A connection's context (libmicrohttpd's socket context: made when it is accepted, freed
 * when it is closed): the request begun on it and not yet completed.  libmicrohttpd
 * (0.9.75) does not report complete a request it gives up on before calling the access
 * handler — a request line whose query arguments overflow its connection memory (600 of
 * them do), unauthenticated, on any route — which leaked its struct req and URI: it is
 * ended at the close instead, logged and counted.  Only the connection's HTTP thread
 * touches it.
 */
struct serve_conn {
	struct req *req;
};

void *serve_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct serve_conn *sc;
	struct req *r;

	/* no context (out of memory at the accept): nothing could free r, refused */
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (!ci || !(sc = ci->socket_context))
		return NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return NULL;
	r->srv = cls;
	r->sc = sc;
	r->t0 = serve_now_ms();
	r->uri = strdup(uri ? uri : "");
	ingest_result_init(&r->res);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	sc->req = r;
	return r;
}

/*
 * The end of r, completed (lost: closed before libmicrohttpd called the access handler,
 * which then never reports it complete): its log line, its metrics, what it held given
 * back, r freed.
 */
static void req_end(struct serve *s, struct MHD_Connection *conn, struct req *r,
		    enum MHD_RequestTerminationCode toe, bool lost)
{
	struct buf path = BUF_INIT, safe = BUF_INIT;
	const char *route = r && r->route ? r->route->metric : "other";
	const union MHD_ConnectionInfo *mhd;
	double ms;
	int status;
	bool decided;  /* the status is the server's, not 499 */

	ms = serve_now_ms() - r->t0;
	if (r->cut) {
		/* our refusal, not the client's going: logged and counted as what it was */
		size_t n = strlen(r->reason);

		snprintf(r->reason + n, sizeof(r->reason) - n, "; the body went on: closed unanswered");
	}
	decided = r->phase == PH_SENT || r->cut;
	status = decided ? r->status : 499;
	mhd = !decided ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS) : NULL;
	if (mhd && mhd->http_status >= 400 && mhd->http_status < 600) {
		/* libmicrohttpd answered itself: 431 for oversized headers, 400 for bad syntax */
		status = (int)mhd->http_status;
		snprintf(r->reason, sizeof(r->reason), "refused by the HTTP layer: %d %s", status,
			 MHD_get_reason_phrase_for(mhd->http_status));
		r->err_reason = "http_refused";
		decided = true;
	}
	if (!decided && lost) {
		/*
		 * libmicrohttpd gave up on it before the access handler (a client gone
		 * mid-headers is reported complete, as a 499): its connection memory could not
		 * hold the request line's arguments or the headers.  It meant a 431, which
		 * did not fit either: the client got nothing.
		 */
		status = 431;
		snprintf(r->reason, sizeof(r->reason), "the request line and headers overflow the "
			 "HTTP layer's connection memory: closed unanswered");
		r->err_reason = "http_refused";
		decided = true;
	}
	if (!decided && toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN) {
		/*
		 * The stop's grace ran out while the body was still arriving (or being dropped
		 * after a refusal, which keeps its status): the server cut it, not the client.
		 * Nothing could be sent: libmicrohttpd takes an answer only before a body or at
		 * its end.
		 */
		if (r->phase == PH_ANSWER) {
			size_t n = strlen(r->reason);

			status = r->status;
			snprintf(r->reason + n, sizeof(r->reason) - n, "; the server stopped first");
		} else {
			status = 503;
			snprintf(r->reason, sizeof(r->reason),
				 "the server stopped before the body arrived");
			r->err_reason = "shutting_down";
		}
		decided = true;
	}
	if (!decided && !r->err_reason)
		r->err_reason = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout" : "aborted";
	serve_metrics_request(&s->metrics, route, status, r->body_bytes, ms,
			      status >= 400 ? (r->err_reason ? r->err_reason : "other") : NULL);
	if (s->o.log_level <= SERVE_LOG_INFO) {
		size_t n = strcspn(r->uri, "?");

		text_safe(&path, r->uri, n > 200 ? 200 : n, true);
		if (status >= 400) {
			const char *why = decided ? r->reason :
					  toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ?
					  "timed out" : "client went away";

			/* reasons may quote the request: escaped like the path */
			text_safe(&safe, why, strlen(why), true);
			serve_log(s, SERVE_LOG_INFO, "%s %s %d %lluB %.1fms tenant=%s reason=\"%s\"",
				  r->method[0] ? r->method : "-", path.data ? path.data : "", status,
				  (unsigned long long)r->body_bytes, ms,
				  r->who.tenant[0] ? r->who.tenant : "-", safe.data ? safe.data : "");
		} else
			serve_log(s, SERVE_LOG_INFO, "%s %s %d %lluB %.1fms tenant=%s",
				  r->method, path.data ? path.data : "", status,
				  (unsigned long long)r->body_bytes, ms,
				  r->who.tenant[0] ? r->who.tenant : "-");
	}
	buf_release(&path);
	buf_release(&safe);
	if (r->admitted || r->query_held || r->reading || r->resumed) {
		pthread_mutex_lock(&s->mu);
		s->inflight -= r->admitted;
		s->query_bytes -= r->query_held;
		s->reading -= r->reading;
		s->answering -= r->resumed;
		if ((s->inflight == 0 && s->reading == 0) || s->answering == 0)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
	}
	free_preps(r->job.preps, r->res.n);
	ingest_result_release(&r->res);
	buf_release(&r->body);
	buf_release(&r->reply);
	free(r->uri);
	free(r->path);
	free(r->hdrs.v);
	free(r);
}

void serve_on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;

	if (!r)
		return;
	*req_cls = NULL;
	r->sc->req = NULL;
	req_end(cls, conn, r, toe, false);
}

void serve_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct serve_conn *sc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* NULL when out of memory: serve_on_uri() then refuses its requests */
		*socket_context = calloc(1, sizeof(*sc));
		return;
	}
	if (!sc)
		return;
	if (sc->req)
		req_end(cls, conn, sc->req, MHD_REQUEST_TERMINATED_WITH_ERROR, true);
	free(sc);
	*socket_context = NULL;
}
