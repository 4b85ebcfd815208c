/*
 * test_serve_stop.c — `smolder serve` stopping while pushes are still on their way
 * (serve.c: serve_stop), in process on 127.0.0.1 with a real store.  When the grace
 * period has run out, every push whose request the server has read still gets its
 * answer — 200 when its profile is committed while stopping — rather than a connection
 * closed without one (a client would then push a stored profile again).
 *
 * The pushes are held in the writer's queue by a write lock the test takes on the store
 * (SQLite's busy handler makes the writer wait for it), and released once the stop has
 * begun: the writer then commits them all at the very end of the stop.
 *
 * A push whose body is still arriving when the grace runs out is cut by the server: it is
 * logged as the 503 it could not be sent, not as a client that went away.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "ingest/serve.h"
#include "store/store.h"
#include "testutil.h"

#define NPUSH 60

struct client {
	pthread_t th;
	unsigned port;
	int id;
	atomic_bool *sent;
	char status[64];  /* the answer's status line, "" when none came */
};

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int connect_to(unsigned port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* Reads until the peer closes (or 30 s pass); out is NUL-terminated. */
static void read_all(int fd, char *out, size_t cap)
{
	struct timeval tv = { 30, 0 };
	size_t n = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		ssize_t k = recv(fd, out + n, cap - 1 - n, 0);

		if (k <= 0)
			break;
		n += (size_t)k;
		if (n + 1 >= cap)
			break;
	}
	out[n] = '\0';
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	char req[256], resp[4096];
	int fd = connect_to(c->port);
	int n;

	n = snprintf(req, sizeof(req),
		     "POST /ingest?name=stop%d.cpu HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n"
		     "Connection: close\r\n\r\nmain;work 1\n", c->id);
	send_all(fd, req, (size_t)n);
	atomic_store(c->sent, true);
	read_all(fd, resp, sizeof(resp));
	snprintf(c->status, sizeof(c->status), "%.*s", (int)strcspn(resp, "\r\n"), resp);
	close(fd);
	return NULL;
}

/* GET /metrics: the value of `name` (-1 when absent). */
static long metric(unsigned port, const char *name)
{
	static char page[65536];
	const char *req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int fd = connect_to(port);
	char want[128];
	const char *p;

	send_all(fd, req, strlen(req));
	read_all(fd, page, sizeof(page));
	close(fd);
	snprintf(want, sizeof(want), "\n%s ", name);
	p = strstr(page, want);
	return p ? strtol(p + strlen(want), NULL, 10) : -1;
}

/*
 * A server on 127.0.0.1 (a random port) over a new store, stop.db, in a new scratch
 * directory (tu_tmp_create), logging to serve.log there; the store's path in db.
 */
static struct serve *start_server(const char *dir, char *db, size_t cap, FILE **log)
{
	struct serve_opts o;
	struct serve *s = NULL;

	assert_int_equal(tu_tmp_create(dir), 0);
	snprintf(db, cap, "%s", tu_tmp_path("stop.db"));
	*log = fopen(tu_tmp_path("serve.log"), "w");
	assert_non_null(*log);
	serve_opts_default(&o);
	o.db = db;
	o.listen = "127.0.0.1:0";
	o.log = *log;
	o.maintenance_ns = 0;
	assert_int_equal(serve_start(&o, &s), 0);
	return s;
}

static void *stop_main(void *arg)
{
	serve_stop(arg, 0);
	return NULL;
}

/* One server, NPUSH pushes held in its writer, a stop without grace. */
static void stop_round(int round)
{
	struct serve *s;
	struct client c[NPUSH];
	atomic_bool sent[NPUSH];
	pthread_t stopper;
	sqlite3 *lock;
	char db[512];
	unsigned port;
	int i, answered = 0, ok = 0, tries;
	FILE *log;

	s = start_server("serve-stop", db, sizeof(db), &log);
	port = serve_port(s);
	/* the store's write lock, held: the writer waits in its busy handler */
	assert_int_equal(sqlite3_open(db, &lock), SQLITE_OK);
	assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	for (i = 0; i < NPUSH; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		atomic_init(&sent[i], false);
		c[i].port = port;
		c[i].id = i;
		c[i].sent = &sent[i];
		assert_int_equal(pthread_create(&c[i].th, NULL, client_main, &c[i]), 0);
	}
	/* every push decoded: one batch taken by the writer, the others queued behind it */
	for (tries = 0; tries < 1000; tries++) {
		if (metric(port, "smolder_decodes_total") == NPUSH &&
		    metric(port, "smolder_inflight_requests") == NPUSH)
			break;
		nap_ms(10);
	}
	assert_int_equal(metric(port, "smolder_decodes_total"), NPUSH);
	assert_int_equal(metric(port, "smolder_inflight_requests"), NPUSH);
	/* stop with no grace left, then let the writer go */
	assert_int_equal(pthread_create(&stopper, NULL, stop_main, s), 0);
	nap_ms(300);
	assert_int_equal(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(lock);
	pthread_join(stopper, NULL);
	for (i = 0; i < NPUSH; i++) {
		pthread_join(c[i].th, NULL);
		if (c[i].status[0])
			answered++;
		if (strstr(c[i].status, " 200 "))
			ok++;
	}
	fclose(log);
	if (answered != NPUSH || ok != NPUSH)
		fail_msg("round %d: of %d pushes committed while stopping, %d got an answer, "
			 "%d got 200", round, NPUSH, answered, ok);
	/* and they are in the store */
	{
		struct store *st;
		struct store_stats ss;

		assert_int_equal(store_open(db, STORE_READONLY, &st), 0);
		assert_int_equal(store_stats(st, &ss), 0);
		tu_assert_i64((int64_t)ss.pushed, NPUSH);
		store_close(st);
	}
	tu_tmp_remove();
}

/*
 * A push that sent its headers and 5 of its 100 bytes, then nothing: a stop without grace
 * closes its connection mid-body.  It was logged "499 ... client went away" (and counted
 * aborted), though the server cut it.
 */
static void test_stop_cuts_a_body_still_arriving(void **state)
{
	static const char req[] = "POST /ingest?name=late.cpu HTTP/1.1\r\nHost: x\r\n"
				  "Content-Length: 100\r\n\r\nmain;";
	struct serve *s;
	struct buf text = BUF_INIT;
	char db[512], resp[4096];
	unsigned port;
	int fd, tries;
	FILE *log;

	(void)state;
	s = start_server("serve-cut", db, sizeof(db), &log);
	port = serve_port(s);
	fd = connect_to(port);
	send_all(fd, req, sizeof(req) - 1);
	/* admitted at its headers: one push in flight, its body unfinished */
	for (tries = 0; tries < 500 && metric(port, "smolder_inflight_requests") != 1; tries++)
		nap_ms(10);
	assert_int_equal(metric(port, "smolder_inflight_requests"), 1);
	serve_stop(s, 0);
	/* libmicrohttpd takes no answer mid-body: the connection is closed without one */
	read_all(fd, resp, sizeof(resp));
	close(fd);
	fclose(log);
	assert_int_equal(buf_read_file(&text, tu_tmp_path("serve.log"), 1 << 20), 0);
	assert_non_null(text.data);
	if (!strstr(text.data, "POST /ingest 503 ") ||
	    !strstr(text.data, "reason=\"the server stopped before the body arrived\"") ||
	    strstr(text.data, " 499 "))
		fail_msg("a body cut by the stop is not logged as 503:\n%s", text.data);
	if (resp[0] && !strstr(resp, " 503 "))
		fail_msg("a body cut by the stop got an answer other than 503: %s", resp);
	buf_release(&text);
	tu_tmp_remove();
}

/*
 * Whether the daemon closes a connection before its answer goes out is a race: a few
 * rounds make an unanswered push all but certain when the stop does not wait.
 */
static void test_stop_answers_every_push(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 5; round++)
		stop_round(round);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_answers_every_push),
		cmocka_unit_test(test_stop_cuts_a_body_still_arriving),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("serve_stop", tests, NULL, NULL) ? 1 : 0;
}
