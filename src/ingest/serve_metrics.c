/*
 * serve_metrics.c — the counters of `smolder serve` and GET /metrics in Prometheus's
 * text format (version 0.0.4).  Every label value comes from a fixed set (routes, status
 * codes, error reasons are static strings chosen by the server, never client text), so
 * the page stays small whatever clients send.
 */
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

/* Latency buckets, in seconds. */
static const double lat_le[SERVE_LAT_BUCKETS] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
						  0.1,   0.25,   0.5,   1,    2.5,   5,
						  10 };

int serve_metrics_init(struct serve_metrics *m)
{
	memset(m, 0, sizeof(*m));
	if (pthread_mutex_init(&m->mu, NULL))
		return err_set(ERR_NOMEM, "cannot create a mutex");
	return 0;
}

void serve_metrics_release(struct serve_metrics *m)
{
	pthread_mutex_destroy(&m->mu);
}

void serve_metrics_request(struct serve_metrics *m, const char *route, int status,
			   uint64_t bytes, double ms, const char *err_reason)
{
	size_t i, k;

	pthread_mutex_lock(&m->mu);
	m->bytes_in += bytes;
	for (i = 0; i < m->nreq; i++)
		if (m->req[i].route == route && m->req[i].status == status)
			break;
	if (i == m->nreq && m->nreq < SERVE_MAX_STATUS_ROWS) {
		m->req[i].route = route;
		m->req[i].status = status;
		m->nreq++;
	}
	if (i < m->nreq)
		m->req[i].n++;
	for (i = 0; i < m->nlat; i++)
		if (m->lat[i].route == route)
			break;
	if (i == m->nlat && m->nlat < sizeof(m->lat) / sizeof(m->lat[0]))
		m->lat[m->nlat++].route = route;
	if (i < m->nlat) {
		for (k = 0; k < SERVE_LAT_BUCKETS && ms / 1000.0 > lat_le[k]; k++)
			;
		m->lat[i].bucket[k]++;
		m->lat[i].sum += ms / 1000.0;
		m->lat[i].count++;
	}
	if (err_reason) {
		for (i = 0; i < m->nerr; i++)
			if (strcmp(m->err[i].reason, err_reason) == 0)
				break;
		if (i == m->nerr && m->nerr < SERVE_MAX_ERROR_ROWS)
			m->err[m->nerr++].reason = err_reason;
		if (i < m->nerr)
			m->err[i].n++;
	}
	pthread_mutex_unlock(&m->mu);
}

void serve_metrics_decode(struct serve_metrics *m, double ms)
{
	pthread_mutex_lock(&m->mu);
	m->decodes++;
	m->decode_s += ms / 1000.0;
	pthread_mutex_unlock(&m->mu);
}

void serve_metrics_commit(struct serve_metrics *m, uint64_t stored, double write_ms,
			  double commit_ms)
{
	pthread_mutex_lock(&m->mu);
	m->commits++;
	m->commit_items += stored;
	m->profiles_stored += stored;
	m->write_s += write_ms / 1000.0;
	m->commit_s += commit_ms / 1000.0;
	pthread_mutex_unlock(&m->mu);
}

void serve_metrics_fsync(struct serve_metrics *m, double ms)
{
	pthread_mutex_lock(&m->mu);
	m->fsyncs++;
	m->fsync_s += ms / 1000.0;
	pthread_mutex_unlock(&m->mu);
}

void serve_metrics_maint(struct serve_metrics *m, uint64_t expired, uint64_t merged,
			 uint64_t evicted)
{
	pthread_mutex_lock(&m->mu);
	m->maintenance_runs++;
	m->expired += expired;
	m->downsampled += merged;
	m->evicted += evicted;
	pthread_mutex_unlock(&m->mu);
}

void serve_metrics_auth_check(struct serve_metrics *m)
{
	pthread_mutex_lock(&m->mu);
	m->auth_checks++;
	pthread_mutex_unlock(&m->mu);
}

static void head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(struct buf *out, const char *name, const char *help, uint64_t v)
{
	head(out, name, "counter", help);
	buf_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(struct buf *out, const char *name, const char *help, uint64_t v)
{
	head(out, name, "gauge", help);
	buf_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

static void seconds(struct buf *out, const char *name, const char *help, double v)
{
	head(out, name, "counter", help);
	buf_printf(out, "%s %.6f\n", name, v);
}

int serve_metrics_render(struct serve_metrics *m, const struct serve_gauges *g, struct buf *out)
{
	struct serve_metrics c;
	size_t i, k;

	pthread_mutex_lock(&m->mu);
	memcpy(&c, m, sizeof(c));
	pthread_mutex_unlock(&m->mu);

	head(out, "smolder_http_requests_total", "counter", "HTTP requests answered, by route and status.");
	for (i = 0; i < c.nreq; i++)
		buf_printf(out, "smolder_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
			   c.req[i].route, c.req[i].status, (unsigned long long)c.req[i].n);
	head(out, "smolder_http_request_duration_seconds", "histogram",
	     "Time from a request's headers to its answer (pushes include the commit).");
	for (i = 0; i < c.nlat; i++) {
		uint64_t cum = 0;

		for (k = 0; k <= SERVE_LAT_BUCKETS; k++) {
			cum += c.lat[i].bucket[k];
			if (k < SERVE_LAT_BUCKETS)
				buf_printf(out, "smolder_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					   c.lat[i].route, lat_le[k], (unsigned long long)cum);
			else
				buf_printf(out, "smolder_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
					   c.lat[i].route, (unsigned long long)cum);
		}
		buf_printf(out, "smolder_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
			   c.lat[i].route, c.lat[i].sum);
		buf_printf(out, "smolder_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			   c.lat[i].route, (unsigned long long)c.lat[i].count);
	}
	counter(out, "smolder_http_request_bytes_total", "Request body bytes received.", c.bytes_in);
	head(out, "smolder_ingest_errors_total", "counter", "Refused or failed requests, by reason.");
	for (i = 0; i < c.nerr; i++)
		buf_printf(out, "smolder_ingest_errors_total{reason=\"%s\"} %llu\n", c.err[i].reason,
			   (unsigned long long)c.err[i].n);
	counter(out, "smolder_profiles_stored_total", "Profiles committed to the store.",
		c.profiles_stored);
	counter(out, "smolder_store_commits_total",
		"Write transactions committed (an fsync may cover several).", c.commits);
	counter(out, "smolder_decodes_total", "Request bodies decoded.", c.decodes);
	seconds(out, "smolder_decode_seconds_total", "Time spent decoding request bodies and preparing their store writes.",
		c.decode_s);
	seconds(out, "smolder_store_write_seconds_total",
		"Time the writer spent writing profiles into transactions.", c.write_s);
	seconds(out, "smolder_store_commit_seconds_total",
		"Time the writer spent committing transactions (without the sync).", c.commit_s);
	counter(out, "smolder_store_fsyncs_total",
		"fsync calls making commits durable (one covers every batch committed before it).",
		c.fsyncs);
	seconds(out, "smolder_store_fsync_seconds_total", "Time spent in those fsync calls.",
		c.fsync_s);
	counter(out, "smolder_maintenance_runs_total", "Retention/downsampling/eviction passes.",
		c.maintenance_runs);
	counter(out, "smolder_retention_deleted_profiles_total", "Profiles deleted by --retention.",
		c.expired);
	counter(out, "smolder_downsampled_profiles_total", "Profiles merged into rollups.",
		c.downsampled);
	counter(out, "smolder_evicted_profiles_total", "Profiles evicted by --max-store-size.",
		c.evicted);
	gauge(out, "smolder_store_size_bytes", "The store's files on disk (database and WAL).",
	      g->store_bytes);
	gauge(out, "smolder_inflight_requests", "Pushes between their headers and their answer.",
	      g->inflight);
	gauge(out, "smolder_write_queue_profiles", "Profiles waiting for the writer.", g->queued);
	gauge(out, "smolder_decode_waiting_requests", "Pushes waiting for a decoder thread.",
	      g->decode_waiting);
	gauge(out, "smolder_decoders_busy", "Decoder threads decoding a push.", g->decode_busy);
	gauge(out, "smolder_read_waiting_requests", "Queries waiting for a reader thread.",
	      g->read_waiting);
	gauge(out, "smolder_readers_busy", "Reader threads answering a query.", g->read_busy);
	gauge(out, "smolder_auth_check_waiting_requests",
	      "Requests waiting for a checker thread to verify their credential.", g->check_waiting);
	gauge(out, "smolder_auth_checkers_busy", "Checker threads verifying a credential.",
	      g->check_busy);
	counter(out, "smolder_auth_checks_total",
		"Credentials verified on a checker thread (with crypt(3)): those not remembered, wrong ones included.",
		c.auth_checks);
	return out->data ? 0 : err_set(ERR_NOMEM, "out of memory");
}
