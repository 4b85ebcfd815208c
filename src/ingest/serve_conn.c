/*
 * serve_conn.c — a request's bounds as libmicrohttpd reports them: the URI log callback
 * makes its struct req (the first thing libmicrohttpd tells of a request), and the
 * completion callback ends it — or the connection's close, when libmicrohttpd gave up on
 * it unreported: one log line, the metrics, the in-flight, query and answer counts given
 * back, the memory freed.  What happens in between is serve.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

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
 * when it is closed), for two things libmicrohttpd (0.9.75) does not do:
 *   - it does not report complete a request it gives up on before calling the access
 *     handler — a request line whose query arguments overflow its connection memory,
 *     unauthenticated, on any route — which leaked its struct req and URI: the request
 *     begun and not completed is ended at the close instead, logged and counted;
 *   - its only timeout is the idle one, which every byte resets: clients sending a header
 *     byte now and then held every connection (--max-connections) for good, before any
 *     authentication.  A request's headers are due --request-timeout after the accept; a
 *     watchdog thread shuts down the socket of a connection past it (libmicrohttpd then
 *     closes it) and its request is logged as a 408.  After an answer, the connection
 *     may wait for the client's next request as long as the idle timeout allows: the
 *     next headers are due after the longer of the two (--request-timeout when there
 *     is no idle timeout), and a connection cut with no request line begun since is
 *     closed idle, not a 408 (a pusher keeping its connection between pushes 15 s
 *     apart, with --request-timeout 10s, was a 408 every push).
 * req, line_in and answered are only touched by the connection's HTTP thread; the rest under
 * s->conns_mu.
 */
struct serve_conn {
	struct req *req;
	bool line_in;     /* a request line came since its headers were due (a request began) */
	bool answered;    /* a request completed on it: it waits for the next one kept alive */
	struct serve_conn *prev, *next;  /* s->conns */
	int fd;
	double since_ms;  /* when its headers began to be due */
	double due_ms;    /* when they are due; 0: not due (they are in, or no timeout) */
	double wait_ms;   /* due_ms - since_ms: the timeout that applies, for the 408's reason */
	bool idle_wait;   /* that timeout is the idle one (longer, after an answer) */
	atomic_bool cut;  /* shut down by the watchdog: they were not in in time */
};

/* How often the watchdog looks for headers past due. */
#define WATCH_MS 250

/*
 * Headers are due from now on (true), or are in (false): --request-timeout after the
 * accept, and after an answer the longer of it and the idle timeout (none: it).
 */
static void conn_due(struct serve *s, struct serve_conn *sc, bool due)
{
	double wait_ms = s->o.request_timeout_ms;
	bool idle = false;

	if (sc->answered && (double)s->o.idle_timeout_s * 1000 > wait_ms) {
		wait_ms = (double)s->o.idle_timeout_s * 1000;
		idle = true;
	}
	pthread_mutex_lock(&s->conns_mu);
	sc->since_ms = serve_now_ms();
	sc->due_ms = due && s->o.request_timeout_ms ? sc->since_ms + wait_ms : 0;
	if (due) {
		sc->wait_ms = wait_ms;
		sc->idle_wait = idle;
	}
	pthread_mutex_unlock(&s->conns_mu);
}

void serve_conn_headers_in(struct req *r)
{
	conn_due(r->srv, r->sc, false);
}

static void *conns_watch(void *arg)
{
	struct serve *s = arg;
	struct serve_conn *sc;
	struct timespec until;
	double now;

	pthread_mutex_lock(&s->conns_mu);
	while (!s->conns_stop) {
		now = serve_now_ms();
		for (sc = s->conns; sc; sc = sc->next) {
			/*
			 * Under conns_mu, which the close's notification takes to unlink sc
			 * before libmicrohttpd closes the socket: sc->fd is still this
			 * connection's, not a number reused by another.
			 */
			if (sc->due_ms > 0 && now > sc->due_ms && !atomic_load(&sc->cut)) {
				atomic_store(&sc->cut, true);
				shutdown(sc->fd, SHUT_RDWR);
			}
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->conns_cv, &s->conns_mu, &until);
	}
	pthread_mutex_unlock(&s->conns_mu);
	return NULL;
}

int serve_conns_start(struct serve *s)
{
	pthread_mutex_init(&s->conns_mu, NULL);
	pthread_cond_init(&s->conns_cv, NULL);
	s->conns_on = true;
	if (!s->o.request_timeout_ms)
		return 0;
	if (pthread_create(&s->conns_wd, NULL, conns_watch, s))
		return err_set(ERR_NOMEM, "cannot start the header watchdog thread");
	s->conns_wd_on = true;
	return 0;
}

void serve_conns_stop(struct serve *s)
{
	if (s->conns_wd_on) {
		pthread_mutex_lock(&s->conns_mu);
		s->conns_stop = true;
		pthread_cond_signal(&s->conns_cv);
		pthread_mutex_unlock(&s->conns_mu);
		pthread_join(s->conns_wd, NULL);
		s->conns_wd_on = false;
	}
	if (s->conns_on) {
		pthread_cond_destroy(&s->conns_cv);
		pthread_mutex_destroy(&s->conns_mu);
		s->conns_on = false;
	}
}

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
	r->line_uri = uri;
	r->line_uri_end = uri ? uri + strlen(uri) : NULL;
	ingest_result_init(&r->res);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	sc->req = r;
	sc->line_in = true;
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
	if (!decided && atomic_load(&r->sc->cut)) {
		snprintf(r->reason, sizeof(r->reason), "request headers not received within %.3g s%s",
			 r->sc->wait_ms / 1000.0,
			 r->sc->idle_wait ? " (the idle timeout, after the previous answer)" : "");
		status = 408;
		r->err_reason = "timeout";
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
	if (!decided && toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) {
		/*
		 * libmicrohttpd's own timeout (--idle-timeout: no byte for that long) closed
		 * it: the server gave up waiting, as the watchdog's 408s, not a client that
		 * went away (499).  It may come before the watchdog's cut for the same wait.
		 */
		if (r->phase == PH_ANSWER) {
			/* refused already (a body too large, being dropped): that is the answer */
			size_t n = strlen(r->reason);

			status = r->status;
			snprintf(r->reason + n, sizeof(r->reason) - n, "; then no byte for %u s (the "
				 "idle timeout): closed unanswered", s->o.idle_timeout_s);
		} else {
			status = 408;
			snprintf(r->reason, sizeof(r->reason), "no byte received within %u s (the "
				 "idle timeout)", s->o.idle_timeout_s);
			r->err_reason = "timeout";
		}
		decided = true;
	}
	if (!decided && !r->err_reason)
		r->err_reason = "aborted";
	serve_metrics_request(&s->metrics, route, status, r->body_bytes, ms,
			      status >= 400 ? (r->err_reason ? r->err_reason : "other") : NULL);
	if (s->o.log_level <= SERVE_LOG_INFO) {
		size_t n = strcspn(r->uri, "?");

		text_safe(&path, r->uri, n > 200 ? 200 : n, true);
		if (status >= 400) {
			const char *why = decided ? r->reason : "client went away";

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
	struct serve_conn *sc;

	if (!r)
		return;
	sc = r->sc;
	*req_cls = NULL;
	sc->req = NULL;
	req_end(cls, conn, r, toe, false);
	/* the headers of the connection's next request are due */
	if (!atomic_load(&sc->cut)) {
		sc->line_in = false;
		sc->answered = true;
		conn_due(cls, sc, true);
	}
}

void serve_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct serve *s = cls;
	struct serve_conn *sc = *socket_context;
	const union MHD_ConnectionInfo *ci;
	double ms;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* NULL when out of memory: serve_on_uri() then refuses its requests */
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(sc = calloc(1, sizeof(*sc))))
			return;
		sc->fd = ci->connect_fd;
		atomic_init(&sc->cut, false);
		conn_due(s, sc, true);
		pthread_mutex_lock(&s->conns_mu);
		sc->next = s->conns;
		if (s->conns)
			s->conns->prev = sc;
		s->conns = sc;
		pthread_mutex_unlock(&s->conns_mu);
		*socket_context = sc;
		return;
	}
	if (!sc)
		return;
	pthread_mutex_lock(&s->conns_mu);
	if (sc->prev)
		sc->prev->next = sc->next;
	else
		s->conns = sc->next;
	if (sc->next)
		sc->next->prev = sc->prev;
	ms = serve_now_ms() - sc->since_ms;
	pthread_mutex_unlock(&s->conns_mu);
	if (sc->req) {
		req_end(s, conn, sc->req, MHD_REQUEST_TERMINATED_WITH_ERROR, true);
	} else if (atomic_load(&sc->cut) && !sc->line_in && sc->answered) {
		/* kept alive after an answer, and no request came: an idle close */
		serve_log(s, SERVE_LOG_DEBUG, "a kept-alive connection closed after %.1fms idle", ms);
	} else if (atomic_load(&sc->cut) && !sc->line_in) {
		/* cut before its request line was in: no request to log but this */
		serve_metrics_request(&s->metrics, "other", 408, 0, ms, "timeout");
		serve_log(s, SERVE_LOG_INFO, "- - 408 0B %.1fms tenant=- reason=\"request line "
			  "not received within %.3g s\"", ms, s->o.request_timeout_ms / 1000.0);
	}
	free(sc);
	*socket_context = NULL;
}
