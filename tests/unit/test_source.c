/*
 * test_source.c — src/source/: where a function's source comes from, end to end, through
 * HTTP (git repositories are test_source_git.c; the mapping rules alone,
 * test_source_rules.c; files of this machine without git or network,
 * test_source_local.c).
 *
 *  - Pyroscope's own FileFinder cases (../shared/spec/source-mapping.md: summary table,
 *    §2.3 path search, §2.8), table-driven.  Where we deliberately differ (source.h lists
 *    why) the case says so.
 *  - GitHub cannot be reached from here, so a stand-in server (libmicrohttpd, in this
 *    process) answers the contents API the way GitHub does (raw bodies, GitHub's 404
 *    JSON, rate-limit headers) and records every request, so the tests can see what was
 *    asked, in which order, and whether the token went anywhere it must not.  It also
 *    answers go.googlesource.com's ?format=TEXT the way gitiles does (base64, with and
 *    without line breaks; a body that is not base64; its 404).
 *  - Traversal attempts (.., symlinks out of a repository, escapes through root paths
 *    and mappings) are refused, in a git repository made here and before any request to
 *    the stand-in; binary and oversized files too.
 *  - A local Go installation serves the standard library when its version fits.
 *  - The run's memo: a clone that failed is not tried again (until its failure expires),
 *    a GitHub file is asked for once, a repository's .pyroscope.yaml is parsed once.
 */
#include "testutil.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "profile/labels.h"
#include "source/source.h"
#include "source/source_int.h"
#include "source_fixtures.h"
#include "source_testutil.h"

/*
 * libgit2 1.5 leaks the PCRE2 match data of every config regex that does not match
 * (git_regexp_search returns before pcre2_match_data_free), which creating a remote for a
 * clone does; fixed upstream after 1.5.  Nothing else in this test uses PCRE2.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}

/* ------------------------------------------------------------------ the GitHub stand-in */

struct gh_file {
	char owner[64], repo[64], ref[64], path[256];
	char *content;
};

struct gh_req {
	char url[512], ref[128], auth[128], accept[128], host[128];
};

static struct {
	struct MHD_Daemon *d;
	unsigned port;
	pthread_mutex_t mu;
	struct gh_file files[128];
	int nfiles;
	struct gh_req reqs[512];
	int nreqs;
	char api[64];
	char urls[8][128]; /* gh_url()'s, in turn */
	int nurl;
} gh = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void gh_reset(void)
{
	int i;

	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nfiles; i++)
		free(gh.files[i].content);
	gh.nfiles = 0;
	gh.nreqs = 0;
	pthread_mutex_unlock(&gh.mu);
}

static void gh_add(const char *owner, const char *repo, const char *ref, const char *path,
		   const char *content)
{
	struct gh_file *f;

	pthread_mutex_lock(&gh.mu);
	assert_true(gh.nfiles < 128);
	f = &gh.files[gh.nfiles++];
	snprintf(f->owner, sizeof(f->owner), "%s", owner);
	snprintf(f->repo, sizeof(f->repo), "%s", repo);
	snprintf(f->ref, sizeof(f->ref), "%s", ref);
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->content = strdup(content);
	pthread_mutex_unlock(&gh.mu);
}

static int gh_count(const char *url_part)
{
	int i, n = 0;

	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nreqs; i++)
		if (strstr(gh.reqs[i].url, url_part))
			n++;
	pthread_mutex_unlock(&gh.mu);
	return n;
}

/* GitHub's own 404 body for the contents API */
static const char gh_404[] =
	"{\"message\":\"Not Found\",\"documentation_url\":"
	"\"https://docs.github.com/rest/repos/contents#get-repository-content\",\"status\":\"404\"}";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
			     const char *body, size_t len, const char *location)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	/* GitHub's raw answer: text/plain, its format named in X-GitHub-Media-Type */
	if (strcmp(ctype, "raw") == 0) {
		ctype = "text/plain; charset=utf-8";
		MHD_add_response_header(r, "X-GitHub-Media-Type", "github.v3; param=raw");
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "X-GitHub-Api-Version-Selected", "2022-11-28");
	MHD_add_response_header(r, "X-RateLimit-Limit", "60");
	MHD_add_response_header(r, "X-RateLimit-Remaining", status == 403 ? "0" : "59");
	if (location)
		MHD_add_response_header(r, "Location", location);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * go.googlesource.com's files as gitiles sends them for ?format=TEXT: base64 in a
 * text/plain body.  wrapped.go's is broken into lines, bad.go's is not base64, and
 * anything else is gitiles' 404.
 */
#define GITILES_TEXT "package amazon\n\n// Endpoint is Amazon's OAuth 2.0 endpoint.\nvar Endpoint = 1\n"
#define GITILES_B64 "cGFja2FnZSBhbWF6b24KCi8vIEVuZHBvaW50IGlzIEFtYXpvbidzIE9BdXRoIDIuMCBlbmRw" \
		    "b2ludC4KdmFyIEVuZHBvaW50ID0gMQo="

static enum MHD_Result gitiles_reply(struct MHD_Connection *conn, const char *name)
{
	static const char wrapped[] =
		"cGFja2FnZSBhbWF6b24KCi8vIEVuZHBvaW50IGlzIEFtYXpvbidzIE9BdXRoIDIuMCBlbmRw\n"
		"b2ludC4KdmFyIEVuZHBvaW50ID0gMQo=\n";
	static const char bad[] = "this is <b>not</b> base64\n";

	if (strcmp(name, "amazon.go") == 0)
		return reply(conn, 200, "text/plain; charset=utf-8", GITILES_B64,
			     sizeof(GITILES_B64) - 1, NULL);
	if (strcmp(name, "wrapped.go") == 0)
		return reply(conn, 200, "text/plain; charset=utf-8", wrapped, sizeof(wrapped) - 1,
			     NULL);
	if (strcmp(name, "bad.go") == 0)
		return reply(conn, 200, "text/plain; charset=utf-8", bad, sizeof(bad) - 1, NULL);
	return reply(conn, 404, "text/plain; charset=utf-8", "NOT_FOUND", 9, NULL);
}

static enum MHD_Result gh_handler(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	const char *ref = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "ref");
	const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	char owner[64], repo[64], path[512], loc[256];
	int i, n = 0;

	(void)cls, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
	pthread_mutex_lock(&gh.mu);
	if (gh.nreqs < 512) {
		struct gh_req *q = &gh.reqs[gh.nreqs++];

		snprintf(q->url, sizeof(q->url), "%s", url);
		snprintf(q->ref, sizeof(q->ref), "%s", ref ? ref : "");
		snprintf(q->auth, sizeof(q->auth), "%s", auth ? auth : "");
		snprintf(q->accept, sizeof(q->accept), "%s", accept ? accept : "");
		snprintf(q->host, sizeof(q->host), "%s", host ? host : "");
	}
	pthread_mutex_unlock(&gh.mu);
	if (strncmp(url, "/elsewhere/", 11) == 0) /* where a redirect leads (another origin) */
		return reply(conn, 200, "raw", "moved content\n", 14, NULL);
	if (strncmp(url, "/gitiles/", 9) == 0)  /* go.googlesource.com's ?format=TEXT */
		return gitiles_reply(conn, url + 9);
	if (sscanf(url, "/repos/%63[^/]/%63[^/]/contents/%n", owner, repo, &n) != 2 || !n)
		return reply(conn, 404, "application/json", gh_404, sizeof(gh_404) - 1, NULL);
	snprintf(path, sizeof(path), "%s", url + n);
	if (strcmp(path, "ratelimited.go") == 0) {
		static const char msg[] = "{\"message\":\"API rate limit exceeded for 127.0.0.1.\"}";

		return reply(conn, 403, "application/json", msg, sizeof(msg) - 1, NULL);
	}
	if (strncmp(path, "portal", 6) == 0) { /* a captive portal's page, answered 200 */
		static const char page[] = "<html><body>Sign in to the guest network</body></html>\n";

		return reply(conn, 200, "text/html; charset=utf-8", page, sizeof(page) - 1, NULL);
	}
	if (strcmp(path, "moved.go") == 0) {
		snprintf(loc, sizeof(loc), "http://localhost:%u/elsewhere/moved.go", gh.port);
		return reply(conn, 302, "text/html", "", 0, loc);
	}
	if (strcmp(path, "adir") == 0) {
		static const char listing[] = "[{\"type\":\"file\",\"name\":\"x.go\"}]";

		return reply(conn, 200, "application/json; charset=utf-8", listing,
			     sizeof(listing) - 1, NULL);
	}
	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nfiles; i++) {
		struct gh_file *f = &gh.files[i];

		if (strcmp(f->owner, owner) == 0 && strcmp(f->repo, repo) == 0 &&
		    strcmp(f->ref, ref ? ref : "") == 0 && strcmp(f->path, path) == 0) {
			char *body = strdup(f->content);
			enum MHD_Result r;

			pthread_mutex_unlock(&gh.mu);
			r = reply(conn, 200, "raw", body, strlen(body), NULL);
			free(body);
			return r;
		}
	}
	pthread_mutex_unlock(&gh.mu);
	return reply(conn, 404, "application/json; charset=utf-8", gh_404, sizeof(gh_404) - 1, NULL);
}

static void gh_start(void)
{
	const union MHD_DaemonInfo *info;

	gh.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, gh_handler, NULL,
				MHD_OPTION_END);
	if (!gh.d)
		fail_msg("%s", "cannot start the GitHub stand-in");
	info = MHD_get_daemon_info(gh.d, MHD_DAEMON_INFO_BIND_PORT);
	gh.port = info->port;
	snprintf(gh.api, sizeof(gh.api), "http://127.0.0.1:%u", gh.port);
}

/*
 * The web URL of owner/repo on the stand-in: only the configured API's own web host is
 * read through the API (github.com is GitHub's, and the stand-in is not GitHub).
 */
static const char *gh_url(const char *owner_repo)
{
	char *u = gh.urls[gh.nurl++ % 8];

	snprintf(u, sizeof(gh.urls[0]), "%s/%s", gh.api, owner_repo);
	return u;
}

/* ------------------------------------------------------------------ end-to-end: Pyroscope's cases */

struct spec_case {
	const char *name;
	const char *repo, *ref, *root;   /* the service (labels) */
	const char *fn, *path;
	const char *want;                /* "owner/repo@ref:path", or NULL: not found */
};

static void service_labels(struct labelset *ls, const struct spec_case *k)
{
	char url[256];

	snprintf(url, sizeof(url), "%s", gh_url(k->repo));
	labelset_set(ls, "service_repository", url);
	if (k->ref)
		labelset_set(ls, "service_git_ref", k->ref);
	if (k->root)
		labelset_set(ls, "service_root_path", k->root);
}

/* "owner/repo@ref:path" of a GitHub result */
static void describe(const struct source_file *f, char *out, size_t n)
{
	const char *r = f->repo ? strstr(f->repo, "127.0.0.1") : NULL;

	r = r ? strchr(r, '/') : NULL;
	snprintf(out, n, "%s@%s:%s", r ? r + 1 : "?", f->ref ? f->ref : "", f->path);
}

static void run_spec_case(const struct spec_case *k, int i)
{
	struct source_opts o;
	struct labelset ls = LABELSET_INIT;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	char cache[32], got[512];
	int rc;

	snprintf(cache, sizeof(cache), "cache-spec-%d", i);
	st_opts_init(&o, cache, gh.api);
	o.offline = false;
	service_labels(&ls, k);
	rc = source_find(&o, &ls, k->fn, k->path, &f, &t);
	if (k->want) {
		if (rc) {
			dump_trace(&t);
			fail_msg("case %s: %s", k->name, err_last());
		}
		assert_int_equal(f.origin, SOURCE_GITHUB);
		describe(&f, got, sizeof(got));
		if (strcmp(got, k->want)) {
			dump_trace(&t);
			fail_msg("case %s: got %s, want %s", k->name, got, k->want);
		}
		if (!strstr(f.data, k->want))
			fail_msg("case %s: content '%s'", k->name, f.data);
	} else {
		if (rc != ERR_NOTFOUND) {
			dump_trace(&t);
			fail_msg("case %s: found %s but must not", k->name, rc ? err_last() : f.path);
		}
		tu_assert_message(err_last());
	}
	source_file_release(&f);
	source_trace_release(&t);
	labelset_free(&ls);
}

/* the stand-in serves "content of owner/repo@ref:path" for every file registered */
static void gh_put(const char *spec)
{
	char owner[64], repo[64], ref[64], path[256], content[512];

	if (sscanf(spec, "%63[^/]/%63[^@]@%63[^:]:%255[^\n]", owner, repo, ref, path) != 4)
		fail_msg("bad spec %s", spec);
	snprintf(content, sizeof(content), "content of %s\n", spec);
	gh_add(owner, repo, strcmp(ref, "-") == 0 ? "" : ref, path, content);
}

static void test_spec_cases(void **state)
{
	static const char goroot_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path: [{prefix: $GOROOT/src}]\n      language: go\n"
		"      source: {github: {owner: golang, repo: go, ref: go1.24.8, path: src}}\n";
	static const char py_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path: [{prefix: /app/myproject}]\n      language: python\n"
		"      source: {local: {path: src}}\n";
	static const char js_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path: [{prefix: /usr/src/app}]\n      language: javascript\n"
		"      source: {local: {path: src/paymentservice}}\n";
	static const char bazel_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path: [{prefix: external/gazelle++go_deps+com_github_stretchr_testify}]\n"
		"      language: go\n"
		"      source: {github: {owner: stretchr, repo: testify, ref: v1.10.0}}\n";
	static const char java_missing_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - function_name: [{prefix: org/example}]\n      language: java\n"
		"      source: {local: {path: src/main/java}}\n";
	static const char *const files[] = {
		"golang/go@master:src/bufio/bufio.go",
		"golang/go@go1.24.8:src/bufio/bufio.go",
		"golang/go@go1.21.3:src/runtime/netpoll_kqueue.go",
		"golang/go@go1.25rc1:src/runtime/type.go",
		"parquet-go/parquet-go@v0.25.0:buffer.go",
		"parquet-go/parquet-go@v0.23.0:buffer.go",
		"grafana/enterprise-logs@main:vendor/github.com/grafana/loki/v3/pkg/iter/v2/iter.go",
		"grafana/pyroscope@main:pkg/compactionworker/worker.go",
		"go-yaml/yaml@v3.0.1:decode.go",
		"openjdk/jdk@jdk-17+0:src/java.base/share/classes/java/lang/Math.java",
		"grafana/pyroscope@main:examples/language-sdk-instrumentation/java/rideshare/src/main/java/org/example/rideshare/RideShareController.java",
		"python/cpython@3.12:Lib/difflib.py",
		"grafana/pyroscope@main:examples/python-app/src/module/main.py",
		"grafana/pyroscope@main:examples/python-app/recommendation_server.py",
		"grafana/pyroscope@a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9:src/paymentservice/index.js",
		"grafana/pyroscope@main:src/paymentservice/handler.ts",
		"grafana/pyroscope@main:examples/nodejs-app/server.js",
		"stretchr/testify@v1.10.0:require/require.go",
		"grafana/pyroscope@main:scripts/example.unknown_extension",
		"grafana/other@main:main.go",
		"grafana/withroot@main:service/example/main.go",
		"gorilla/mux@v1.8.1:mux.go",
		"googleapis/google-cloud-go@storage/v1.30.0:storage/bucket.go",
	};
	const char *parquet = "/root/go/pkg/mod/github.com/parquet-go/parquet-go@v0.23.0/buffer.go";
	const struct spec_case cases[] = {
		{ "go/stdlib-no-config", "grafana/pyroscope", "main", NULL, NULL,
		  "/usr/local/go/src/bufio/bufio.go", "golang/go@master:src/bufio/bufio.go" },
		{ "go/stdlib-goroot-mapping", "grafana/goroot", "main", NULL, NULL,
		  "/usr/local/go/src/bufio/bufio.go", "golang/go@go1.24.8:src/bufio/bufio.go" },
		{ "go/stdlib-versioned", "grafana/pyroscope", "main", NULL, NULL,
		  "/usr/local/Cellar/go/1.21.3/libexec/src/runtime/netpoll_kqueue.go",
		  "golang/go@go1.21.3:src/runtime/netpoll_kqueue.go" },
		{ "go/stdlib-toolchain", "grafana/pyroscope", "main", NULL, NULL,
		  "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.25rc1.darwin-arm64/src/runtime/type.go",
		  "golang/go@go1.25rc1:src/runtime/type.go" },
		{ "go/dependency-gomod", "grafana/gomod", "main", NULL, NULL, parquet,
		  "parquet-go/parquet-go@v0.25.0:buffer.go" },
		{ "go/dependency-no-gomod", "grafana/pyroscope", "main", NULL, NULL, parquet,
		  "parquet-go/parquet-go@v0.23.0:buffer.go" },
		{ "go/vendor", "grafana/enterprise-logs", "main", NULL, NULL,
		  "/src/enterprise-logs/vendor/github.com/grafana/loki/v3/pkg/iter/v2/iter.go",
		  "grafana/enterprise-logs@main:vendor/github.com/grafana/loki/v3/pkg/iter/v2/iter.go" },
		{ "go/local-absolute", "grafana/pyroscope", "main", NULL, NULL,
		  "/Users/christian/git/github.com/grafana/pyroscope/pkg/compactionworker/worker.go",
		  "grafana/pyroscope@main:pkg/compactionworker/worker.go" },
		{ "go/gopkg.in", "grafana/pyroscope", "main", NULL, NULL,
		  "/root/go/pkg/mod/gopkg.in/yaml.v3@v3.0.1/decode.go", "go-yaml/yaml@v3.0.1:decode.go" },
		{ "go/major-suffix", "grafana/pyroscope", "main", NULL, NULL,
		  "/root/go/pkg/mod/github.com/gorilla/mux/v2@v1.8.1/mux.go", "gorilla/mux@v1.8.1:mux.go" },
		{ "go/sub-module-tag", "grafana/pyroscope", "main", NULL, NULL,
		  "/root/go/pkg/mod/github.com/googleapis/google-cloud-go/storage@v1.30.0/bucket.go",
		  "googleapis/google-cloud-go@storage/v1.30.0:storage/bucket.go" },
		{ "java/jdk", "grafana/pyroscope", "main",
		  "examples/language-sdk-instrumentation/java/rideshare", "java/lang/Math.floorMod", "",
		  "openjdk/jdk@jdk-17+0:src/java.base/share/classes/java/lang/Math.java" },
		{ "java/local", "grafana/pyroscope", "main",
		  "examples/language-sdk-instrumentation/java/rideshare",
		  "org/example/rideshare/RideShareController.orderCar", "",
		  "grafana/pyroscope@main:examples/language-sdk-instrumentation/java/rideshare/src/main/java/org/example/rideshare/RideShareController.java" },
		{ "python/stdlib", "grafana/pyroscope", "main", NULL,
		  "difflib.SequenceMatcher.find_longest_match", "/usr/lib/python3.12/difflib.py",
		  "python/cpython@3.12:Lib/difflib.py" },
		{ "python/mapping", "grafana/pyroscope", "main", "examples/python-app", "myproject.main.run",
		  "/app/myproject/module/main.py",
		  "grafana/pyroscope@main:examples/python-app/src/module/main.py" },
		{ "python/relative", "grafana/pyroscope", "main", "examples/python-app",
		  "ListRecommendations", "recommendation_server.py",
		  "grafana/pyroscope@main:examples/python-app/recommendation_server.py" },
		{ "javascript/mapping-sha", "grafana/pyroscope", "a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9",
		  NULL, NULL, "/usr/src/app/index.js",
		  "grafana/pyroscope@a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9:src/paymentservice/index.js" },
		{ "javascript/mapping-ts", "grafana/pyroscope", "main", NULL, NULL, "/usr/src/app/handler.ts",
		  "grafana/pyroscope@main:src/paymentservice/handler.ts" },
		{ "javascript/relative", "grafana/pyroscope", "main", "examples/nodejs-app", NULL,
		  "server.js", "grafana/pyroscope@main:examples/nodejs-app/server.js" },
		{ "go/bazel-mapping", "bazel-contrib/rules_go", "v0.59.0", "examples/basic_gazelle", NULL,
		  "external/gazelle++go_deps+com_github_stretchr_testify/require/require.go",
		  "stretchr/testify@v1.10.0:require/require.go" },
		{ "fallback/unknown-extension", "grafana/pyroscope", "main", NULL, NULL,
		  "scripts/example.unknown_extension",
		  "grafana/pyroscope@main:scripts/example.unknown_extension" },
		{ "go/path-search", "grafana/other", "main", NULL, NULL, "/var/service1/src/main.go",
		  "grafana/other@main:main.go" },
		{ "go/path-search-root", "grafana/withroot", "main", "service/example", NULL,
		  "/src/main.go", "grafana/withroot@main:service/example/main.go" },
		/* §2.8: every one of these is not found */
		{ "fallback/file-not-found", "grafana/empty", "main", NULL, NULL, "nonexistent/file.txt", NULL },
		{ "go/local-file-not-found", "grafana/empty", "main", NULL, NULL,
		  "/Users/christian/git/github.com/grafana/pyroscope/pkg/foo/bar.go", NULL },
		{ "go/stdlib-not-found", "grafana/empty", "main", NULL, NULL, "/usr/local/go/src/bufio/nope.go", NULL },
		{ "python/stdlib-not-found", "grafana/empty", "main", NULL, NULL, "/usr/lib/python3.12/nope.py", NULL },
		{ "python/no-stdlib-no-mappings", "grafana/empty", "main", NULL, NULL, "/app/myapp/module.py", NULL },
		{ "python/mappings-file-not-found", "grafana/pymiss", "main", NULL, NULL,
		  "/app/myproject/module/missing.py", NULL },
		{ "java/no-mappings", "grafana/javamiss", "main", NULL, "org/example/MyClass.myMethod", "", NULL },
		{ "go/dependency-not-found", "grafana/empty", "main", NULL, NULL,
		  "/root/go/pkg/mod/github.com/parquet-go/parquet-go@v0.99.0/buffer.go", NULL },
		{ "javascript/no-mappings", "grafana/empty", "main", NULL, NULL, "/usr/src/app/app.js", NULL },
		{ "javascript/mappings-file-not-found", "grafana/pyroscope", "main", NULL, NULL,
		  "/usr/src/app/missing.js", NULL },
	};
	size_t i;

	(void)state;
	gh_reset();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		gh_put(files[i]);
	gh_add("grafana", "goroot", "main", ".pyroscope.yaml", goroot_yaml);
	gh_add("grafana", "gomod", "main", "go.mod",
	       "module github.com/grafana/pyroscope\n\nrequire github.com/parquet-go/parquet-go v0.25.0\n");
	gh_add("grafana", "pyroscope", "main",
	       "examples/language-sdk-instrumentation/java/rideshare/.pyroscope.yaml", rideshare_yaml);
	gh_add("grafana", "pyroscope", "main", "examples/python-app/.pyroscope.yaml", py_yaml);
	gh_add("grafana", "pymiss", "main", ".pyroscope.yaml", py_yaml);
	gh_add("grafana", "pyroscope", "main", ".pyroscope.yaml", js_yaml);
	gh_add("grafana", "pyroscope", "a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9", ".pyroscope.yaml",
	       js_yaml);
	gh_add("bazel-contrib", "rules_go", "v0.59.0", "examples/basic_gazelle/.pyroscope.yaml",
	       bazel_yaml);
	gh_add("grafana", "javamiss", "main", ".pyroscope.yaml", java_missing_yaml);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_spec_case(&cases[i], (int)i);
}

/* §2.3 path search: the requests made, in order, and the attempt limit */
static void test_path_search(void **state)
{
	struct source_opts o;
	struct source_trace t = SOURCE_TRACE_INIT;
	struct source_file f = SOURCE_FILE_INIT;
	struct src_ctx c;
	const char *want[] = { "var/service1/src/main.go", "service1/src/main.go", "src/main.go",
			       "main.go" };
	int i, n = 0, first = -1;

	(void)state;
	gh_reset();
	gh_put("grafana/pyroscope@main:main.go");
	st_opts_init(&o, "cache-search", gh.api);
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.trace = &t;
	c.out = &f;
	c.repo = gh_url("grafana/pyroscope");
	c.ref = "main";
	c.service = (struct src_place){ c.repo, NULL, "main" };
	c.have_service = true;
	c.ttl = -1;
	snprintf(c.github_api, sizeof(c.github_api), "%s", gh.api);
	snprintf(c.github_web, sizeof(c.github_web), "%s", gh.api);
	snprintf(c.github_host, sizeof(c.github_host), "127.0.0.1");
	snprintf(c.cache_dir, sizeof(c.cache_dir), "%s", o.cache_dir);
	assert_int_equal(src_go_path_search(&c, "/var/service1/src/main.go", 5), 0);
	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nreqs; i++) {
		if (strncmp(gh.reqs[i].url, "/repos/grafana/pyroscope/contents/", 34) != 0)
			continue;
		if (first < 0)
			first = i;
		assert_true(n < 4);
		assert_string_equal(gh.reqs[i].url + 34, want[n]);
		assert_string_equal(gh.reqs[i].ref, "main");
		n++;
	}
	pthread_mutex_unlock(&gh.mu);
	assert_int_equal(n, 4);
	source_file_release(&f);

	/* three attempts are not enough */
	gh_reset();
	gh_put("grafana/pyroscope@main:main.go");
	assert_int_equal(src_go_path_search(&c, "/var/service1/src/main.go", 3), ERR_NOTFOUND);
	assert_int_equal(gh_count("/contents/"), 3);
	assert_null(f.data);

	/* the repository's own github.com/owner/repo/ is cut first: one request */
	gh_reset();
	gh_put("grafana/pyroscope@main:main.go");
	assert_int_equal(src_go_path_search(&c, "/Users/pyroscope/git/github.com/grafana/pyroscope/main.go", 5), 0);
	assert_int_equal(gh_count("/contents/"), 1);
	source_file_release(&f);
	src_git_close_all(&c);
	source_trace_release(&t);
}

/*
 * A github source names one repository: an owner or repository that is not a GitHub name
 * (a slash, '?', '..') is refused, not turned into a URL that reads another repository
 * (owner grafana, repo grafana/pyroscope read grafana/grafana) or clones another path.
 */
static void test_github_names(void **state)
{
	static const char yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path: [{prefix: /build/a}]\n      language: go\n"
		"      source: {github: {owner: grafana, repo: grafana/pyroscope, ref: main}}\n"
		"    - path: [{prefix: /build/b}]\n      language: go\n"
		"      source: {github: {owner: ../../x, repo: y, ref: main}}\n"
		"    - path: [{prefix: /build/c}]\n      language: go\n"
		"      source: {github: {owner: grafana, repo: pyroscope, ref: main}}\n";
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;

	(void)state;
	gh_reset();
	gh_add("svc", "names", "main", ".pyroscope.yaml", yaml);
	gh_put("grafana/grafana@main:x.go");
	gh_put("grafana/pyroscope@main:x.go");
	gh_put("o/r@v1.0.0:f.go");
	st_opts_init(&o, "cache-names", gh.api);
	o.repo = gh_url("svc/names");
	o.ref = "main";
	assert_int_equal(source_find(&o, NULL, NULL, "/build/a/x.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "'grafana/pyroscope' is not a GitHub repository name");
	assert_int_equal(gh_count("/repos/grafana/grafana/"), 0);
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "/build/b/x.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "'../../x' is not a GitHub owner name");
	assert_int_equal(gh_count("/x/y"), 0);
	source_trace_release(&t);
	/* a good one still reads */
	assert_int_equal(source_find(&o, NULL, NULL, "/build/c/x.go", &f, &t), 0);
	assert_string_equal(f.data, "content of grafana/pyroscope@main:x.go\n");
	source_file_release(&f);
	source_trace_release(&t);
	/* a module path from a profile is no more a URL: r?x is not the repository r */
	assert_int_equal(source_find(&o, NULL, NULL, "/go/pkg/mod/github.com/o/r?x@v1.0.0/f.go",
				     &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "'r?x' is not a GitHub repository name");
	assert_int_equal(gh_count("/repos/o/r/"), 0);
	source_trace_release(&t);
}

/* ------------------------------------------------------------------ GitHub behaviour */

static void test_github_api(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	int i, rc;
	bool saw_api = false, saw_other = false;

	(void)state;
	gh_reset();
	gh_put("o/r@v1:pkg/a b.go");
	gh_put("o/r@a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9:x.py");
	gh_put("o/r@main:y.py");
	st_opts_init(&o, "cache-gh", gh.api);
	o.repo = gh_url("o/r");
	o.ref = "v1";
	o.github_token = "s3cret-token-value";
	rc = source_find(&o, NULL, NULL, "pkg/a b.go", &f, &t);
	if (rc) {
		dump_trace(&t);
		fail_msg("%s", err_last());
	}
	assert_int_equal(f.origin, SOURCE_GITHUB);
	assert_string_equal(f.data, "content of o/r@v1:pkg/a b.go\n");
	assert_non_null(strstr(f.url, "/o/r/blob/v1/pkg/a b.go"));
	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nreqs; i++) {
		assert_string_equal(gh.reqs[i].accept, "application/vnd.github.raw");
		assert_string_equal(gh.reqs[i].auth, "Bearer s3cret-token-value");
	}
	pthread_mutex_unlock(&gh.mu);
	assert_no_text(&t, "s3cret");
	source_file_release(&f);
	source_trace_release(&t);

	/* a redirect to another origin is followed without the token */
	gh_reset();
	o.ref = "main";
	rc = source_find(&o, NULL, NULL, "moved.go", &f, &t);
	assert_int_equal(rc, 0);
	assert_string_equal(f.data, "moved content\n");
	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < gh.nreqs; i++) {
		if (strncmp(gh.reqs[i].url, "/elsewhere/", 11) == 0) {
			saw_other = true;
			assert_non_null(strstr(gh.reqs[i].host, "localhost"));
			assert_string_equal(gh.reqs[i].auth, "");
		} else if (strstr(gh.reqs[i].url, "moved.go")) {
			saw_api = true;
			assert_string_equal(gh.reqs[i].auth, "Bearer s3cret-token-value");
		}
	}
	pthread_mutex_unlock(&gh.mu);
	assert_true(saw_api && saw_other);
	source_file_release(&f);
	source_trace_release(&t);

	/* rate limiting: a message that says so, on one line, without the token */
	rc = source_find(&o, NULL, NULL, "ratelimited.go", &f, &t);
	assert_int_equal(rc, ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "rate limit"));
	tu_assert_message(err_last());
	assert_no_text(&t, "s3cret");
	source_trace_release(&t);

	/* a directory is not a file */
	rc = source_find(&o, NULL, NULL, "adir", &f, &t);
	assert_int_equal(rc, ERR_NOTFOUND);
	source_trace_release(&t);

	/* content at a commit id is cached for good: the second read asks nobody */
	o.ref = "a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9";
	gh_reset();
	gh_put("o/r@a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9:x.py");
	assert_int_equal(source_find(&o, NULL, NULL, "x.py", &f, NULL), 0);
	assert_false(f.cached);
	source_file_release(&f);
	i = gh_count("/contents/x.py");
	assert_int_equal(i, 1);
	gh_reset(); /* the server forgets the file: only the cache can answer now */
	assert_int_equal(source_find(&o, NULL, NULL, "x.py", &f, &t), 0);
	assert_true(f.cached);
	assert_string_equal(f.commit, "a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9");
	assert_int_equal(gh_count("/contents/x.py"), 0);
	assert_has_line(&t, "disk cache");
	source_file_release(&f);
	source_trace_release(&t);

	/* at a branch: cached for the TTL, not at all with a negative TTL */
	o.ref = "main";
	gh_put("o/r@main:y.py");
	o.cache_ttl = 3600;
	assert_int_equal(source_find(&o, NULL, NULL, "y.py", &f, NULL), 0);
	source_file_release(&f);
	assert_int_equal(source_find(&o, NULL, NULL, "y.py", &f, NULL), 0);
	assert_true(f.cached);
	source_file_release(&f);
	assert_int_equal(gh_count("/contents/y.py"), 1);
	o.cache_ttl = -1;
	assert_int_equal(source_find(&o, NULL, NULL, "y.py", &f, NULL), 0);
	assert_false(f.cached);
	source_file_release(&f);
	assert_int_equal(gh_count("/contents/y.py"), 2);

	/* a 200 that is not GitHub's raw file (a captive portal): refused, never cached */
	o.ref = "a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9";
	gh_reset();
	rc = source_find(&o, NULL, NULL, "portal.go", &f, &t);
	assert_int_equal(rc, ERR_NOTFOUND);
	assert_null(f.data);
	assert_non_null(strstr(err_last(), "not GitHub's raw file (Content-Type 'text/html"));
	tu_assert_message(err_last());
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "portal.go", &f, &t), ERR_NOTFOUND);
	assert_no_text(&t, "disk cache");
	assert_int_equal(gh_count("/contents/portal.go"), 2);
	source_trace_release(&t);

	/* a github.com repository is not GitHub Enterprise's: with --github-api naming
	   another server it is cloned (offline here: not at all), never read through it */
	gh_reset();
	gh_put("o/r@main:z.py");
	o.ref = "main";
	o.repo = "https://github.com/o/r";
	o.offline = true;
	assert_int_equal(source_find(&o, NULL, NULL, "z.py", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "is on github.com and --github-api names 127.0.0.1: cloned, not read "
			    "through that API");
	assert_int_equal(gh_count("/"), 0);
	source_trace_release(&t);
	o.repo = gh_url("o/r");

	/* offline: no request at all */
	gh_reset();
	o.offline = true;
	assert_int_equal(source_find(&o, NULL, NULL, "z.py", &f, NULL), ERR_NOTFOUND);
	assert_int_equal(gh_count("/"), 0);
}

/* ------------------------------------------------------------------ go.googlesource.com */

/* go.googlesource.com files: base64 decoded (with or without line breaks), cached, refused */
static void test_googlesource(void **state)
{
	static const char *names[] = { "amazon.go", "wrapped.go" };
	struct source_opts o;
	struct source_trace t = SOURCE_TRACE_INIT;
	struct source_file f = SOURCE_FILE_INIT;
	struct src_ctx c;
	char url[256];
	size_t i;

	(void)state;
	gh_reset();
	st_opts_init(&o, "cache-gitiles", gh.api);
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.trace = &t;
	c.out = &f;
	c.ttl = 3600;  /* a tag: cached for an hour */
	snprintf(c.cache_dir, sizeof(c.cache_dir), "%s", o.cache_dir);
	for (i = 0; i < 2; i++) {
		char ref[16];

		snprintf(url, sizeof(url), "%s/gitiles/%s", gh.api, names[i]);
		snprintf(ref, sizeof(ref), "v0.16.%zu", i);
		assert_int_equal(src_try_googlesource(&c, "https://go.googlesource.com/oauth2", ref,
						      "amazon/amazon.go", url, "test"), 0);
		assert_int_equal(f.len, strlen(GITILES_TEXT));
		assert_string_equal(f.data, GITILES_TEXT);
		assert_int_equal(f.origin, SOURCE_HTTP);
		assert_false(f.cached);
		assert_string_equal(f.url, url);
		assert_string_equal(f.ref, ref);
		source_file_release(&f);
		/* the second time it comes from the cache */
		assert_int_equal(src_try_googlesource(&c, "https://go.googlesource.com/oauth2", ref,
						      "amazon/amazon.go", url, "test"), 0);
		assert_true(f.cached);
		assert_string_equal(f.data, GITILES_TEXT);
		source_file_release(&f);
	}
	assert_int_equal(gh_count("/gitiles/"), 2);

	snprintf(url, sizeof(url), "%s/gitiles/bad.go", gh.api);
	assert_int_equal(src_try_googlesource(&c, "https://go.googlesource.com/oauth2", "v1",
					      "bad.go", url, "test"), ERR_PARSE);
	assert_non_null(strstr(err_last(), "not base64"));
	assert_null(f.data);
	snprintf(url, sizeof(url), "%s/gitiles/gone.go", gh.api);
	assert_int_equal(src_try_googlesource(&c, "https://go.googlesource.com/oauth2", "v1",
					      "gone.go", url, "test"), ERR_NOTFOUND);
	assert_null(f.data);
	source_trace_release(&t);
}

/* ------------------------------------------------------------------ traversal and unsafe files */

static void test_git_safety(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	const char *repo = tmp("unsafe");
	static const char *const escapes[] = { "../../../../etc/passwd", "a/../../etc/passwd",
					       "/../../etc/passwd", "..", "pkg/../../x" };
	size_t i;
	int rc;

	(void)state;
	st_make_repo(repo);
	sh("cd '%s' && ln -s /etc/passwd abs.go && ln -s ../../../../../etc/passwd rel.go && "
	   "ln -s pkg/helper.go inside.go && ln -s pkg lib && ln -s ../.. pkg/up && "
	   "printf 'a\\000b' > bin.go && head -c 5000000 /dev/zero | tr '\\0' 'x' > big.go && "
	   "git add -A && git commit -qm links && git tag links",
	   repo);
	st_opts_init(&o, "cache-unsafe", gh.api);
	o.repo = repo;
	o.ref = "links";
	o.offline = true;
	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		rc = source_find(&o, NULL, NULL, escapes[i], &f, &t);
		if (rc == 0)
			fail_msg("'%s' was read: %.40s", escapes[i], f.data);
		assert_no_text(&t, "root:x:0:0");
		source_trace_release(&t);
	}
	/* symlinks out of the tree are refused; inside it they are followed */
	assert_int_equal(source_find(&o, NULL, NULL, "abs.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "refused");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "rel.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "refused");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "pkg/up/etc/passwd", &f, NULL), ERR_NOTFOUND);
	/* nor through the same link on disk: the plain paths after the repository */
	{
		char abs_link[1100];

		snprintf(abs_link, sizeof(abs_link), "%s/abs.go", repo);
		rc = source_find(&o, NULL, NULL, abs_link, &f, &t);
		if (rc == 0)
			fail_msg("'%s' was read: %.40s", abs_link, f.data);
		assert_no_text(&t, "root:x:0:0");
		assert_has_line(&t, "refused");
		assert_non_null(strstr(err_last(), "refused"));
		tu_assert_message(err_last());
		source_trace_release(&t);
	}
	assert_int_equal(source_find(&o, NULL, NULL, "inside.go", &f, NULL), 0);
	assert_string_equal(f.data, "v1 helper\n");
	source_file_release(&f);
	assert_int_equal(source_find(&o, NULL, NULL, "lib/helper.go", &f, NULL), 0);
	assert_string_equal(f.data, "v1 helper\n");
	source_file_release(&f);
	/* binary and oversized files: refused with a message, the search ends there */
	rc = source_find(&o, NULL, NULL, "bin.go", &f, &t);
	assert_int_equal(rc, ERR_UNSUPPORTED);
	assert_non_null(strstr(err_last(), "binary"));
	tu_assert_message(err_last());
	source_trace_release(&t);
	rc = source_find(&o, NULL, NULL, "big.go", &f, NULL);
	assert_int_equal(rc, ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "4 MiB"));
	tu_assert_message(err_last());
	/* a root path or a mapping cannot lead out either */
	o.root = "../..";
	assert_int_equal(source_find(&o, NULL, NULL, "etc/passwd", &f, NULL), ERR_NOTFOUND);
	o.root = NULL;
	sh("cd '%s' && printf 'source_code:\\n  mappings:\\n    - path: [{prefix: /app}]\\n"
	   "      language: python\\n      source: {local: {path: ../../../..}}\\n' > .pyroscope.yaml && "
	   "git add -A && git commit -qm cfg && git tag cfg",
	   repo);
	o.ref = "cfg";
	assert_int_equal(source_find(&o, NULL, NULL, "/app/etc/passwd", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "config: 1 mapping");
	assert_has_line(&t, "refused: the path escapes through '..'");
	source_trace_release(&t);
	/* a Java function name cannot climb out through the mapping's path */
	sh("cd '%s' && printf 'source_code:\\n  mappings:\\n    - function_name: [{prefix: ..}]\\n"
	   "      language: java\\n      source: {local: {path: x}}\\n' > .pyroscope.yaml && "
	   "git add -A && git commit -qm cfg2 && git tag cfg2",
	   repo);
	o.ref = "cfg2";
	assert_int_equal(source_find(&o, NULL, "../../../../../etc/passwd", "", &f, NULL),
			 ERR_NOTFOUND);
	/* the GitHub stand-in never sees a path with .. */
	gh_reset();
	st_opts_init(&o, "cache-unsafe-gh", gh.api);
	o.repo = gh_url("o/r");
	assert_int_equal(source_find(&o, NULL, NULL, "../../x.go", &f, NULL), ERR_NOTFOUND);
	pthread_mutex_lock(&gh.mu);
	for (i = 0; i < (size_t)gh.nreqs; i++)
		assert_null(strstr(gh.reqs[i].url, ".."));
	pthread_mutex_unlock(&gh.mu);
}

/*
 * With a ref (--ref or a version's service_git_ref), a file the repository lacks at that
 * ref is not read from its work tree by the plain paths: an untracked file, or another
 * version's checkout, was shown under the ref's numbers.  Files outside the repository
 * (a system header) are still read, and so is the work tree when no ref is set.
 */
static void test_ref_not_work_tree(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	struct labelset ls = LABELSET_INIT;
	char repo[1024], abs[1100], gitdir[1100], url[1100], linked[1024];

	(void)state;
	snprintf(repo, sizeof(repo), "%s", tmp("refwt")); /* tmp()'s buffers are reused */
	st_make_repo(repo);
	write_file(tmp("refwt/pkg/new.go"), "package pkg // untracked\n");
	write_file(tmp("refwt-outside/sys.h"), "int sys; // no version\n");
	snprintf(abs, sizeof(abs), "%s/pkg/new.go", repo);
	st_opts_init(&o, "cache-refwt", gh.api);
	o.offline = true;
	o.repo = repo;
	o.ref = "v1";
	assert_int_equal(source_find(&o, NULL, "pkg.B", abs, &f, &t), ERR_NOTFOUND);
	assert_null(f.data);
	assert_no_text(&t, "untracked");
	assert_has_line(&t, "not at v1");
	assert_non_null(strstr(err_last(), "not at v1 (the work tree of"));
	tu_assert_message(err_last());
	source_trace_release(&t);
	/* the work tree's copy of a file the ref has is not read either (main.go is dirty) */
	snprintf(abs, sizeof(abs), "%s/main.go", repo);
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), 0);
	assert_string_equal(f.data, "package main // v1\n");
	source_file_release(&f);
	/* a version's label is a ref too */
	o.ref = NULL;
	labelset_set(&ls, "service_git_ref", "v2");
	snprintf(abs, sizeof(abs), "%s/pkg/new.go", repo);
	assert_int_equal(source_find(&o, &ls, NULL, abs, &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "not at v2"));
	/* through --source-path at the work tree, and with --repo naming the .git directory */
	o.ref = "v1";
	o.source_path = repo;
	assert_int_equal(source_find(&o, NULL, NULL, "pkg/new.go", &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "not at v1"));
	o.source_path = NULL;
	snprintf(gitdir, sizeof(gitdir), "%s/.git", repo);
	o.repo = gitdir;
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "not at v1"));
	/* a file: URL of it: cloned like a remote one, but its directory is a work tree all
	   the same (the untracked file was shown) */
	snprintf(url, sizeof(url), "file://%s", repo);
	o.repo = url;
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), ERR_NOTFOUND);
	assert_null(f.data);
	assert_non_null(strstr(err_last(), "not at v1 (the work tree of"));
	o.repo = repo;
	/* a tree `git worktree add` linked to it is a work tree too (checked out at v2) */
	snprintf(linked, sizeof(linked), "%s", tmp("refwt-linked"));
	sh("rm -rf '%s' && cd '%s' && git worktree add -q --detach '%s' v2 && "
	   "printf 'package pkg // linked\\n' > '%s/pkg/linked.go'", linked, repo, linked, linked);
	snprintf(abs, sizeof(abs), "%s/pkg/linked.go", linked);
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), ERR_NOTFOUND);
	assert_null(f.data);
	assert_non_null(strstr(err_last(), "not at v1 (the work tree of"));
	/* a file outside the repository belongs to no version of it: read */
	assert_int_equal(source_find(&o, NULL, NULL, tmp("refwt-outside/sys.h"), &f, NULL), 0);
	assert_string_equal(f.data, "int sys; // no version\n");
	source_file_release(&f);
	/* no ref (HEAD): the work tree is the user's, read as before */
	o.ref = NULL;
	snprintf(abs, sizeof(abs), "%s/pkg/new.go", repo);
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), 0);
	assert_string_equal(f.data, "package pkg // untracked\n");
	source_file_release(&f);
	labelset_free(&ls);
}

/* ------------------------------------------------------------------ a local Go installation */

/* a local Go installation serves the standard library when its version fits */
static void test_goroot(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;

	(void)state;
	write_file(tmp("goroot/VERSION"), "go1.21.3\ntime 2023-10-09T17:04:35Z\n");
	write_file(tmp("goroot/src/fmt/print.go"), "package fmt // local\n");
	gh_reset();
	gh_put("golang/go@go1.22.0:src/fmt/print.go");
	st_opts_init(&o, "cache-goroot", gh.api);
	o.goroot = tmp("goroot");
	o.repo = gh_url("o/svc");
	assert_int_equal(source_find(&o, NULL, NULL, "/usr/local/go/go1.21.3/src/fmt/print.go", &f, &t), 0);
	assert_string_equal(f.data, "package fmt // local\n");
	assert_has_line(&t, "local Go installation (go1.21.3)");
	source_file_release(&f);
	source_trace_release(&t);
	assert_int_equal(gh_count("golang/go"), 0);
	/* another version: GitHub */
	assert_int_equal(source_find(&o, NULL, NULL, "/opt/hostedtoolcache/go/1.22.0/x64/src/fmt/print.go", &f, &t), 0);
	assert_int_equal(f.origin, SOURCE_GITHUB);
	assert_has_line(&t, "is go1.21.3, not go1.22.0");
	source_file_release(&f);
	source_trace_release(&t);
	/* no version in the path ($GOROOT/src from -trimpath): the local one, said so */
	assert_int_equal(source_find(&o, NULL, NULL, "fmt/print.go", &f, &t), 0);
	assert_string_equal(f.data, "package fmt // local\n");
	assert_has_line(&t, "the profile names no version");
	source_file_release(&f);
	source_trace_release(&t);
}

/*
 * A module-cache path writes capitals as !x (github.com/!burnt!sushi/toml@v1.2.0): the
 * service's go.mod names github.com/BurntSushi/toml, and its require and replace apply to
 * that path (they were compared with the escaped one, so never matched).
 */
static void test_go_module_case(void **state)
{
	static const char *const path =
		"/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go";
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	const char *repo = tmp("gocase");

	(void)state;
	sh("rm -rf '%s' && git init -q -b main '%s'", repo, repo);
	write_file(tmp("gocase/go.mod"), "module github.com/acme/svc\n\ngo 1.21\n\n"
					 "require github.com/BurntSushi/toml v1.3.0\n");
	write_file(tmp("gocase/forks/toml/decode.go"), "package toml // our fork\n");
	sh("cd '%s' && git add -A && git commit -qm one && git tag req", repo);
	write_file(tmp("gocase/go.mod"), "module github.com/acme/svc\n\ngo 1.21\n\n"
					 "require github.com/BurntSushi/toml v1.2.0\n\n"
					 "replace github.com/BurntSushi/toml => ./forks/toml\n");
	sh("cd '%s' && git commit -qam two && git tag rep", repo);
	gh_reset();
	gh_put("BurntSushi/toml@v1.3.0:decode.go");
	st_opts_init(&o, "cache-gocase", gh.api);
	o.repo = repo;
	/* require: the version go.mod names, asked of BurntSushi/toml */
	o.ref = "req";
	assert_int_equal(source_find(&o, NULL, NULL, path, &f, &t), 0);
	assert_string_equal(f.data, "content of BurntSushi/toml@v1.3.0:decode.go\n");
	assert_has_line(&t, "go.mod: 'github.com/BurntSushi/toml' v1.2.0 → 'github.com/BurntSushi/toml' v1.3.0");
	source_file_release(&f);
	source_trace_release(&t);
	/* replace by a directory of the repository: the fork, nothing asked of GitHub */
	gh_reset();
	o.ref = "rep";
	assert_int_equal(source_find(&o, NULL, NULL, path, &f, &t), 0);
	assert_string_equal(f.data, "package toml // our fork\n");
	assert_string_equal(f.path, "forks/toml/decode.go");
	assert_has_line(&t, "replaced by a directory of the repository");
	source_file_release(&f);
	source_trace_release(&t);
	assert_int_equal(gh_count("toml"), 0);
}

static size_t trace_count(const struct source_trace *t, const char *needle)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		n += strstr(t->lines[i], needle) != NULL;
	return n;
}

/*
 * A run's memo (opts.memo): a clone that failed is not tried again, in one call or in
 * the run; a GitHub file is asked for once in the run; a local repository's
 * .pyroscope.yaml is parsed once.
 */
static void test_memo(void **state)
{
	struct source_memo *m;
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	const char *dir = tmp("memo-repo");
	int n;

	(void)state;
	assert_int_equal(source_memo_new(&m), 0);
	st_opts_init(&o, "cache-memo", gh.api);
	o.repo = "http://localhost:1/nobody/x.git"; /* nothing listens there */
	o.ref = "main";
	/* without a memo: the config, go.mod and path steps all need the clone; one try */
	assert_int_equal(source_find(&o, NULL, "main.f", "pkg/main.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 1);
	source_trace_release(&t);
	o.memo = m;
	assert_int_equal(source_find(&o, NULL, "main.f", "pkg/main.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 1);
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, "main.g", "pkg/other.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 0);
	assert_has_line(&t, "the clone failed earlier in this run");
	source_trace_release(&t);

	/* GitHub: the run's second lookup of a file asks nobody (no disk cache here) */
	gh_reset();
	gh_put("o/r@main:y.py");
	o.repo = gh_url("o/r");
	assert_int_equal(source_find(&o, NULL, NULL, "y.py", &f, NULL), 0);
	source_file_release(&f);
	n = gh_count("/");
	assert_int_equal(gh_count("/contents/y.py"), 1);
	assert_int_equal(source_find(&o, NULL, NULL, "y.py", &f, &t), 0);
	assert_string_equal(f.data, "content of o/r@main:y.py\n");
	assert_int_equal(gh_count("/"), n);
	assert_has_line(&t, "as earlier in this run");
	source_file_release(&f);
	source_trace_release(&t);

	/* a local repository's .pyroscope.yaml: parsed by the first lookup only */
	sh("rm -rf '%s' && git init -q -b main '%s' && cd '%s' && mkdir -p src && "
	   "printf 'package main\\n' > src/main.go && printf 'source_code:\\n  mappings:\\n"
	   "    - path: [{prefix: app}]\\n      language: go\\n"
	   "      source: {local: {path: src}}\\n' > .pyroscope.yaml && git add -A && "
	   "git commit -qm one",
	   dir, dir, dir);
	o.repo = dir;
	o.ref = NULL;
	assert_int_equal(source_find(&o, NULL, "main.f", "app/main.go", &f, &t), 0);
	assert_has_line(&t, "config: 1 mapping");
	assert_no_text(&t, "earlier in this run");
	source_file_release(&f);
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, "main.f", "app/main.go", &f, &t), 0);
	assert_has_line(&t, "config: 1 mapping (read earlier in this run)");
	assert_int_equal(trace_count(&t, ".pyroscope.yaml"), 0);
	source_file_release(&f);
	source_trace_release(&t);
	source_memo_free(m);
}

/*
 * Failures expire (the clock is the caller's): an origin that could not be reached, a
 * clone that failed and a read that failed with ERR_NET are forgotten
 * SRC_MEMO_FAIL_TTL_MS after they were put, and the next put replaces them; a file's
 * absence and a file are kept for the run.
 */
static void test_memo_expiry(void **state)
{
	const uint64_t t0 = 1000, ttl = SRC_MEMO_FAIL_TTL_MS;
	struct src_memo_read r = { 0 }, got;
	struct source_memo *m;
	char msg[64];

	(void)state;
	assert_int_equal(source_memo_new(&m), 0);
	src_memo_fail(m, SRC_MEMO_ORIGIN, "http://a", t0, "connection refused");
	assert_true(src_memo_failed(m, SRC_MEMO_ORIGIN, "http://a", t0 + ttl - 1, msg,
				    sizeof(msg)));
	assert_string_equal(msg, "connection refused");
	assert_false(src_memo_failed(m, SRC_MEMO_CLONE, "http://a", t0, msg, sizeof(msg)));
	assert_false(src_memo_failed(m, SRC_MEMO_ORIGIN, "http://a", t0 + ttl, msg, sizeof(msg)));
	/* it failed again after it expired: remembered again, with the new message */
	src_memo_fail(m, SRC_MEMO_ORIGIN, "http://a", t0 + ttl, "timed out");
	assert_true(src_memo_failed(m, SRC_MEMO_ORIGIN, "http://a", t0 + 2 * ttl - 1, msg,
				    sizeof(msg)));
	assert_string_equal(msg, "timed out");
	src_memo_fail(m, SRC_MEMO_CLONE, "https://h/r.git", t0, "failed to connect");
	assert_true(src_memo_failed(m, SRC_MEMO_CLONE, "https://h/r.git", t0, msg, sizeof(msg)));
	assert_false(src_memo_failed(m, SRC_MEMO_CLONE, "https://h/r.git", t0 + ttl, msg,
				     sizeof(msg)));

	/* a read that failed on the network: asked again after the TTL, then kept */
	r.rc = ERR_NET;
	r.msg = (char *)"Empty reply from server";
	r.f = (struct source_file)SOURCE_FILE_INIT;
	src_memo_read_put(m, "http://a/o/r", "main", "x.py", t0, &r);
	assert_true(src_memo_read_get(m, "http://a/o/r", "main", "x.py", t0 + ttl - 1, &got));
	assert_int_equal(got.rc, ERR_NET);
	assert_string_equal(got.msg, "Empty reply from server");
	assert_false(src_memo_read_get(m, "http://a/o/r", "main", "x.py", t0 + ttl, &got));
	r.rc = 0;
	r.msg = (char *)"";
	r.f.data = (char *)"print(1)\n";
	r.f.len = 9;
	src_memo_read_put(m, "http://a/o/r", "main", "x.py", t0 + ttl, &r);
	assert_true(src_memo_read_get(m, "http://a/o/r", "main", "x.py", UINT64_MAX / 2, &got));
	assert_int_equal(got.rc, 0);
	assert_string_equal(got.f.data, "print(1)\n");
	source_file_release(&got.f);
	/* not found: kept for the run */
	r.rc = ERR_NOTFOUND;
	r.msg = (char *)"not found (HTTP 404)";
	r.f = (struct source_file)SOURCE_FILE_INIT;
	src_memo_read_put(m, "http://a/o/r", "main", "y.py", t0, &r);
	assert_true(src_memo_read_get(m, "http://a/o/r", "main", "y.py", UINT64_MAX / 2, &got));
	assert_int_equal(got.rc, ERR_NOTFOUND);
	source_memo_free(m);
}

/* accepts connections and closes them unanswered until its socket is shut down */
static void *close_each(void *arg)
{
	int s = *(int *)arg, c;

	while ((c = accept(s, NULL, NULL)) >= 0)
		close(c);
	return NULL;
}

/*
 * A clone whose connection was closed without an answer is remembered like any failed
 * clone: neither the lookup's other steps nor the run's other lookups try again until
 * SRC_MEMO_FAIL_TTL_MS have passed (a `list` cloned once per routine before); after
 * that, or in a new run, it is tried again.
 */
static void test_memo_clone_dropped(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct source_trace t = SOURCE_TRACE_INIT;
	struct source_memo *m;
	struct source_opts o;
	struct source_file f;
	pthread_t th;
	char url[64], msg[512];
	uint64_t t0;
	int s;

	(void)state;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	assert_int_equal(pthread_create(&th, NULL, close_each, &s), 0);
	snprintf(url, sizeof(url), "http://localhost:%u/nobody/x.git", ntohs(a.sin_port));
	assert_int_equal(source_memo_new(&m), 0);
	st_opts_init(&o, "cache-memo-drop", gh.api);
	o.repo = url;
	o.ref = "main";
	o.memo = m;
	t0 = src_now_ms();
	assert_int_equal(source_find(&o, NULL, "main.f", "pkg/main.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 1);
	assert_has_line(&t, "not cloned: the clone failed earlier in this run");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, "main.g", "pkg/other.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 0);
	assert_has_line(&t, "not cloned: the clone failed earlier in this run");
	source_trace_release(&t);
	/* the run forgets it SRC_MEMO_FAIL_TTL_MS after the failure, and clones again */
	assert_true(src_memo_failed(m, SRC_MEMO_CLONE, url, t0 + SRC_MEMO_FAIL_TTL_MS - 1, msg,
				    sizeof(msg)));
	assert_false(src_memo_failed(m, SRC_MEMO_CLONE, url,
				     src_now_ms() + SRC_MEMO_FAIL_TTL_MS, msg, sizeof(msg)));
	source_memo_free(m);
	assert_int_equal(source_memo_new(&m), 0);
	o.memo = m;
	assert_int_equal(source_find(&o, NULL, "main.g", "pkg/other.go", &f, &t), ERR_NOTFOUND);
	assert_int_equal(trace_count(&t, "git: cloning"), 1);
	source_trace_release(&t);
	shutdown(s, SHUT_RDWR);
	close(s);
	pthread_join(th, NULL);
	source_memo_free(m);
}

static int setup_all(void **state)
{
	(void)state;
	gh_start();
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	if (gh.d)
		MHD_stop_daemon(gh.d);
	gh_reset();
	sh("rm -rf '%s'", tmp_root);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_cases),
		cmocka_unit_test(test_path_search),
		cmocka_unit_test(test_github_api),
		cmocka_unit_test(test_github_names),
		cmocka_unit_test(test_googlesource),
		cmocka_unit_test(test_git_safety),
		cmocka_unit_test(test_ref_not_work_tree),
		cmocka_unit_test(test_goroot),
		cmocka_unit_test(test_go_module_case),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_memo_expiry),
		cmocka_unit_test(test_memo_clone_dropped),
	};

	tu_init(argc, argv);
	if (st_setup("source"))
		return 1;
	return cmocka_run_group_tests_name("source", tests, setup_all, teardown_all) ? 1 : 0;
}
