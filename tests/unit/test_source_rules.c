/*
 * test_source_rules.c — src/source/'s mapping rules, without files, git or HTTP:
 * Pyroscope's own test cases (../shared/spec/source-mapping.md), table-driven — path
 * cleaning, repository URLs, Go standard-library detection, module paths, versions →
 * refs, go.mod, vanity imports, Python, Java, JavaScript, `.pyroscope.yaml` parsing and
 * longest-prefix matching.  Where we deliberately differ (source.h lists why) the case
 * says so.  The end-to-end cases are test_source.c.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "source/source.h"
#include "source/source_int.h"
#include "source_fixtures.h"

/* ------------------------------------------------------------------ paths */

static void test_clean_join(void **state)
{
	static const char *const cases[][2] = {
		{ "", "." }, { "abc", "abc" }, { "abc/def", "abc/def" }, { "a/b/c", "a/b/c" },
		{ ".", "." }, { "..", ".." }, { "../..", "../.." }, { "../../abc", "../../abc" },
		{ "/abc", "/abc" }, { "/", "/" }, { "abc/", "abc" }, { "/abc/", "/abc" },
		{ "abc//def//ghi", "abc/def/ghi" }, { "//abc", "/abc" }, { "abc/./def", "abc/def" },
		{ "/./abc/def", "/abc/def" }, { "abc/.", "abc" }, { "abc/def/..", "abc" },
		{ "abc/def/../..", "." }, { "/abc/def/../..", "/" }, { "abc/def/../../..", ".." },
		{ "/abc/def/../../..", "/" }, { "abc/def/../../../ghi/jkl/../../../mno", "../../mno" },
		{ "abc/./../def", "def" }, { "abc//./../def", "def" }, { "abc/../../././../def", "../../def" },
	};
	const char *why;
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = path_clean(cases[i][0]);
		if (strcmp(s, cases[i][1]) != 0)
			fail_msg("Clean(%s) = %s, want %s", cases[i][0], s, cases[i][1]);
		free(s);
	}
	s = path_join("", "a", "", "b/../c", NULL);
	assert_string_equal(s, "a/c");
	free(s);
	s = path_join("", "", NULL);
	assert_string_equal(s, "");
	free(s);
	s = path_join("examples/python-app", "src", "module/main.py", NULL);
	assert_string_equal(s, "examples/python-app/src/module/main.py");
	free(s);
	/* containment */
	s = path_inside("/a/b/../c.go", &why);
	assert_string_equal(s, "a/c.go");
	free(s);
	assert_null(path_inside("../etc/passwd", &why));
	assert_non_null(strstr(why, "escapes"));
	assert_null(path_inside("a/../../etc/passwd", &why));
	assert_null(path_inside("/../../x", &why));
	assert_null(path_inside("..", &why));
	assert_null(path_inside("", &why));
	assert_null(path_inside("a/..", &why));
	assert_true(path_has_prefix_dir("/src/a.go", "/src"));
	assert_true(path_has_prefix_dir("/src/a.go", "/src/"));
	assert_false(path_has_prefix_dir("/src2/a.go", "/src"));
}

static void test_urls(void **state)
{
	char h[256], *o, *r, *s;

	(void)state;
	assert_true(url_is_remote("https://github.com/o/r"));
	assert_true(url_is_remote("file:///tmp/x"));
	assert_true(url_is_remote("git@github.com:o/r.git"));
	assert_false(url_is_remote("/tmp/x"));
	assert_false(url_is_remote("./dir@x:y/z"));
	url_host("https://user:pw@GitHub.com:443/o/r", h, sizeof(h));
	assert_string_equal(h, "github.com");
	url_host("git@github.com:o/r.git", h, sizeof(h));
	assert_string_equal(h, "github.com");
	url_origin("HTTPS://api.github.com:443/repos", h, sizeof(h));
	assert_string_equal(h, "https://api.github.com");
	url_origin("http://127.0.0.1:8080/x", h, sizeof(h));
	assert_string_equal(h, "http://127.0.0.1:8080");
	s = url_redact("https://user:secret@host/x");
	assert_string_equal(s, "https://host/x");
	free(s);
	assert_true(url_github_repo("https://github.com/grafana/pyroscope.git", "github.com", &o,
				    &r));
	assert_string_equal(o, "grafana");
	assert_string_equal(r, "pyroscope");
	free(o), free(r);
	assert_true(url_github_repo("git@github.com:grafana/pyroscope.git", "github.com", &o, &r));
	assert_string_equal(r, "pyroscope");
	free(o), free(r);
	assert_true(url_github_repo("https://ghe.corp/team/app", "ghe.corp", &o, &r));
	free(o), free(r);
	assert_false(url_github_repo("https://gitlab.com/o/r", "ghe.corp", &o, &r));
	/* with an Enterprise API, github.com is not its web host */
	assert_false(url_github_repo("https://github.com/o/r", "ghe.corp", &o, &r));
	assert_false(url_github_repo("https://github.com/../r", "github.com", &o, &r));
	assert_false(url_github_repo("https://github.com/onlyowner", "github.com", &o, &r));
	/* clone directory names: safe characters only, distinct for distinct URLs */
	s = url_cache_name("https://user:pw@github.com/a/../b");
	assert_null(strchr(s, '/'));
	assert_null(strstr(s, "pw"));
	r = url_cache_name("https://github.com/a_b");
	o = url_cache_name("https://github.com/a/b");
	assert_string_not_equal(r, o);
	free(s), free(r), free(o);
	/* named from the redacted URL, hashed from the whole one: no secret in the name, and
	   two credentials (or tokens) for one repository are two clones */
	s = url_cache_name("http://bob:p@ss-word@127.0.0.1:9/r.git");
	r = url_cache_name("http://bob:se/cret-word@127.0.0.1:9/r.git");
	o = url_cache_name("http://127.0.0.1:9/r.git?token=SECRET-word");
	assert_true(strncmp(s, "127.0.0.1_9_r.git-", 18) == 0);
	assert_true(strncmp(r, "127.0.0.1_9_r.git-", 18) == 0);
	assert_true(strncmp(o, "127.0.0.1_9_r.git-", 18) == 0);
	assert_int_equal(strlen(s), 26);
	assert_string_not_equal(s, r);
	assert_string_not_equal(s, o);
	assert_string_not_equal(r, o);
	free(s), free(r), free(o);
	/* GitHub owner and repository names */
	assert_true(gh_name_ok("grafana"));
	assert_true(gh_name_ok("protobuf-go"));
	assert_true(gh_name_ok("go.uber_org"));
	assert_false(gh_name_ok("grafana/pyroscope"));
	assert_false(gh_name_ok(".."));
	assert_false(gh_name_ok(""));
	assert_false(gh_name_ok("r?x"));
	assert_false(gh_name_ok("a b"));
	assert_true(ref_is_commit("a35e42d4b114cfada7ef6d53c4a63d6ba44a72d9"));
	assert_false(ref_is_commit("main"));
	assert_false(ref_is_commit("a35e42d4"));
}

/* ------------------------------------------------------------------ Go rules */

static void test_go_stdlib(void **state)
{
	static const struct {
		const char *path, *rel, *version; /* rel NULL: not the standard library */
	} cases[] = {
		/* toolchain module (verified versions) */
		{ "/Users/x/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.6.darwin-arm64/src/net/http/server.go",
		  "net/http/server.go", "1.24.6" },
		{ "/root/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.25rc1.darwin-arm64/src/runtime/type.go",
		  "runtime/type.go", "1.25rc1" },
		{ "/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.22beta1.linux-amd64/src/fmt/print.go",
		  "fmt/print.go", "1.22beta1" },
		/* versioned GOROOT */
		{ "/usr/local/go/go1.24.10/src/fmt/print.go", "fmt/print.go", "1.24.10" },
		{ "/usr/local/Cellar/go/1.21.3/libexec/src/runtime/netpoll_kqueue.go",
		  "runtime/netpoll_kqueue.go", "1.21.3" },
		{ "/opt/hostedtoolcache/go/1.21.6/x64/src/runtime/mgc.go", "runtime/mgc.go", "1.21.6" },
		{ "/opt/go/1.22.1rc1/src/a/b.go", "a/b.go", "1.22.1" },
		/* no /go/ segment, no version: the unversioned rule decides */
		{ "/root/sdk/go1.22.0/src/fmt/print.go", NULL, NULL },
		{ "/usr/local/go/src/fmt/print.go", "fmt/print.go", "" },
		/* unversioned */
		{ "fmt/scan.go", "fmt/scan.go", "" },
		{ "$GOROOT/src/unicode/utf8/utf8.go", "unicode/utf8/utf8.go", "" },
		{ "$GOROOT/src/vendor/golang.org/x/crypto/cryptobyte/asn1.go",
		  "vendor/golang.org/x/crypto/cryptobyte/asn1.go", "" },
		{ "github.com/grafana/grafana/pkg/frontend/vcs.go", NULL, NULL },
		{ "main.go", NULL, NULL },
		{ "", NULL, NULL },
		{ "crypto/sha256/sha256block_amd64.s", "crypto/sha256/sha256block_amd64.s", "" },
		{ "regexp/backtrack.go", "regexp/backtrack.go", "" },
		/* deliberate differences: Pyroscope calls these the standard library at Go 1.2.3 */
		{ "/root/go/pkg/mod/github.com/foo/bar@v1.2.3/src/x.go", NULL, NULL },
		{ "/go/src/app/1.2.3/src/main.go", NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rel, *ver;
		bool ok = go_stdlib(cases[i].path, &rel, &ver);

		if (ok != (cases[i].rel != NULL))
			fail_msg("IsStandardLibraryPath(%s) = %d", cases[i].path, ok);
		if (!ok)
			continue;
		if (strcmp(rel, cases[i].rel) || strcmp(ver, cases[i].version))
			fail_msg("IsStandardLibraryPath(%s) = (%s, %s), want (%s, %s)", cases[i].path,
				 rel, ver, cases[i].rel, cases[i].version);
		free(rel);
		free(ver);
	}
	{
		/*
		 * v0.0.1-go1.23 has no trailing . or -: no toolchain version.  Pyroscope's next
		 * rule then takes 0.0.1 for a Go version; the toolchain is the standard library
		 * of an unknown version.
		 */
		char *rel, *ver;

		assert_true(go_stdlib("/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.23/src/x/y.go", &rel,
				      &ver));
		assert_string_equal(rel, "x/y.go");
		assert_string_equal(ver, "");
		free(rel);
		free(ver);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* the best of 3 runs of go_stdlib(path) repeated times, in seconds; its answer in *ok */
static double time_go_stdlib(const char *path, int times, bool *ok)
{
	double best = 1e9;
	int run, i;

	for (run = 0; run < 3; run++) {
		double t0 = now_s();

		for (i = 0; i < times; i++) {
			char *rel = NULL, *ver = NULL;

			*ok = go_stdlib(path, &rel, &ver);
			free(rel);
			free(ver);
		}
		if (now_s() - t0 < best)
			best = now_s() - t0;
	}
	return best;
}

/*
 * The file name comes from a profile: the standard-library rule once rescanned the path
 * for every /go/ and every position in it (cubic: an 18 KB name took 41 s).  Names longer
 * than PATH_MAX are not looked at; shorter ones are scanned once.  The bounds are loose
 * (a loaded machine): the cubic scan took seconds on each of these.
 */
static void test_go_stdlib_long_paths(void **state)
{
	static const struct {
		const char *what, *head, *unit;
		unsigned count;
		const char *tail;
		int times;                 /* lookups timed together */
		const char *rel, *version; /* rel NULL: not the standard library */
	} cases[] = {
		/* under the cap (0.4 s a lookup before) */
		{ "4 KB, a /src/ before 450 versions, none after", "/src/", "/go/1.1.1", 450,
		  "/x.go", 20, NULL, NULL },
		{ "4 KB, every /go/ but the last with a src segment before its version", "/go/src",
		  "/go/src/1.1.1", 280, "/go/1.2.3/src/fmt/print.go", 20, "fmt/print.go", "1.2.3" },
		/* over it: the review's 36 KB name (411 s before), with a /src/, a digit run */
		{ "36 KB of /go/1.1.1", "", "/go/1.1.1", 4000, "/x.go", 1, NULL, NULL },
		{ "36 KB of /go/1.1.1 and a /src/", "", "/go/1.1.1", 4000, "/src/x.go", 1, NULL,
		  NULL },
		{ "36 KB digit run", "/go/1.", "1", 36000, "/src/x.go", 1, NULL, NULL },
	};
	struct buf p = BUF_INIT;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rel, *ver;
		double t;
		bool ok;

		buf_reset(&p);
		buf_puts(&p, cases[i].head);
		for (k = 0; k < cases[i].count; k++)
			buf_puts(&p, cases[i].unit);
		buf_puts(&p, cases[i].tail);
		if (cases[i].times > 1)
			assert_true(p.len < 4096);
		ok = go_stdlib(p.data, &rel, &ver);
		if (ok != (cases[i].rel != NULL))
			fail_msg("%s: go_stdlib = %d", cases[i].what, ok);
		if (ok) {
			assert_string_equal(rel, cases[i].rel);
			assert_string_equal(ver, cases[i].version);
			free(rel);
			free(ver);
		}
		t = time_go_stdlib(p.data, cases[i].times, &ok);
		print_message("  %s, %d lookup(s): %.4f s\n", cases[i].what, cases[i].times, t);
		if (t >= 0.5)
			fail_msg("%s: %.2f s", cases[i].what, t);
	}
	buf_release(&p);
}

static void test_go_modules(void **state)
{
	static const struct {
		const char *in, *path, *version, *file;
	} cases[] = {
		{ "github.com/armon/go-metrics@v0.4.1/metrics.go", "github.com/armon/go-metrics",
		  "v0.4.1", "metrics.go" },
		{ "/go/pkg/mod/golang.org/x/net@v1.5.3/http2/hpack/tables.go", "golang.org/x/net",
		  "v1.5.3", "http2/hpack/tables.go" },
		{ "/Users/pyroscope/.golang/packages/pkg/mod/github.com/opentracing-contrib/go-stdlib@v1.0.0/nethttp/server.go",
		  "github.com/opentracing-contrib/go-stdlib", "v1.0.0", "nethttp/server.go" },
		{ "/x/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.6.darwin-arm64/src/net/http/server.go",
		  "golang.org/toolchain", "v0.0.1-go1.24.6.darwin-arm64", "src/net/http/server.go" },
		{ "github.com/grafana/dskit@v0.0.0-20231221015914-de83901bf4d6/services/basic_service.go",
		  "github.com/grafana/dskit", "v0.0.0-20231221015914-de83901bf4d6",
		  "services/basic_service.go" },
		/* the module cache's capitals (!x), undone in the path and the version */
		{ "/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0-!r!c1/decode.go",
		  "github.com/BurntSushi/toml", "v1.2.0-RC1", "decode.go" },
		{ "/go/pkg/mod/golang.org/x/net/http2/hpack/tables.go", NULL, NULL, NULL },
		{ "/go/pkg/mod/golang.org/x/net@v1.0tables.go", NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct go_module m;
		bool ok = go_module_parse(cases[i].in, &m);

		if (ok != (cases[i].path != NULL))
			fail_msg("ParseModuleFromPath(%s) = %d", cases[i].in, ok);
		if (!ok)
			continue;
		assert_string_equal(m.path, cases[i].path);
		assert_string_equal(m.version, cases[i].version);
		assert_string_equal(m.file, cases[i].file);
		go_module_release(&m);
	}
}

static void test_go_versions(void **state)
{
	static const char *const refs[][2] = {
		{ "v0.14.1-0.20230710114240-c316eb95ae5b", "c316eb95ae5b" },
		{ "v0.0.0-00010101000000-main", "main" },
		{ "v0.0.0-20231221015914-de83901bf4d6", "de83901bf4d6" },
		{ "v2.2.6+incompatible", "v2.2.6" },
		{ "v0.3.0-rc1", "v0.3.0-rc1" },
		{ "v1.2", "v1.2.0" },
		{ "v1", "v1.0.0" },
		{ "v0.25.0", "v0.25.0" },
		{ "release/x", "release/x" },
		{ "", "" },
	};
	static const char *const majors[][2] = {
		{ "github.com/go-yaml/yaml/v56", "github.com/go-yaml/yaml" },
		{ "github.com/kubernetes/klog/v2", "github.com/kubernetes/klog" },
		/* Pyroscope gives github.com/foo/barbaz and github.com/userjs (its bug) */
		{ "github.com/foo/bar/v2/baz", "github.com/foo/bar/baz" },
		{ "github.com/user/v8js", "github.com/user/v8js" },
		{ "github.com/owner/v8", "github.com/owner/v8" },
		{ "go.googlesource.com/oauth2/v2", "go.googlesource.com/oauth2" },
	};
	static const char *const stdrefs[][2] = {
		{ "", "master" }, { "1.21.3", "go1.21.3" }, { "1.21.0", "go1.21.0" },
		{ "1.20.0", "go1.20" }, { "1.19.0", "go1.19" }, { "1.20.3", "go1.20.3" },
		{ "1.25rc1", "go1.25rc1" },
	};
	static const char *const gopkg[][2] = {
		{ "gopkg.in/yaml.v3", "github.com/go-yaml/yaml" },
		{ "gopkg.in/kingpin.v2", "github.com/go-kingpin/kingpin" },
		{ "gopkg.in/src-d/go-git.v4", "github.com/src-d/go-git" },
		{ "gopkg.in/a/b/c.v1", NULL },
		{ "gopkg.in/yaml", NULL },
		{ "gopkg.in/.v1", NULL },
	};
	static const char *const gs[][4] = {
		{ "go.googlesource.com/oauth2", "", "amazon/amazon.go",
		  "https://go.googlesource.com/oauth2/+/master/amazon/amazon.go?format=TEXT" },
		{ "go.googlesource.com/oauth2/amazon", "v0.16.0", "amazon.go",
		  "https://go.googlesource.com/oauth2/+/v0.16.0/amazon/amazon.go?format=TEXT" },
		{ "go.googlesource.com/oauth2/amazon", "v0.16.0-0.20230710114240-c316eb95ae5b",
		  "amazon.go",
		  "https://go.googlesource.com/oauth2/+/c316eb95ae5b/amazon/amazon.go?format=TEXT" },
		{ "go.googlesource.com/", "", "x.go", NULL },
		{ "", "", "x.go", NULL },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		s = go_ref_from_version(refs[i][0]);
		if (strcmp(s, refs[i][1]))
			fail_msg("refFromVersion(%s) = %s, want %s", refs[i][0], s, refs[i][1]);
		free(s);
	}
	assert_true(go_is_pseudo("v0.14.1-0.20230710114240-c316eb95ae5b"));
	assert_true(go_is_pseudo("v1.2.4-pre.0.20230710114240-c316eb95ae5b"));
	assert_false(go_is_pseudo("v0.3.0-rc1"));
	assert_false(go_is_pseudo("v2.2.6+incompatible"));
	for (i = 0; i < sizeof(majors) / sizeof(majors[0]); i++) {
		s = go_strip_major(majors[i][0]);
		if (strcmp(s, majors[i][1]))
			fail_msg("strip /vN (%s) = %s, want %s", majors[i][0], s, majors[i][1]);
		free(s);
	}
	for (i = 0; i < sizeof(stdrefs) / sizeof(stdrefs[0]); i++) {
		s = go_stdlib_ref(stdrefs[i][0]);
		assert_string_equal(s, stdrefs[i][1]);
		free(s);
	}
	for (i = 0; i < sizeof(gopkg) / sizeof(gopkg[0]); i++) {
		int rc = go_gopkg_in(gopkg[i][0], &s);

		if (gopkg[i][1]) {
			assert_int_equal(rc, 0);
			assert_string_equal(s, gopkg[i][1]);
			free(s);
		} else {
			assert_int_equal(rc, ERR_PARSE);
			assert_non_null(strstr(err_last(), "invalid gopkg.in path"));
		}
	}
	assert_int_equal(go_gopkg_in("github.com/x/y", &s), ERR_NOTFOUND);
	for (i = 0; i < sizeof(gs) / sizeof(gs[0]); i++) {
		s = go_googlesource_url(gs[i][0], gs[i][1], gs[i][2]);
		if (gs[i][3]) {
			assert_non_null(s);
			assert_string_equal(s, gs[i][3]);
		} else {
			assert_null(s);
		}
		free(s);
	}
	s = go_unescape_case("github.com/!f!zambia/eagle/!burnt!sushi.go");
	assert_string_equal(s, "github.com/FZambia/eagle/BurntSushi.go");
	free(s);
}

static void test_go_meta(void **state)
{
	/*
	 * go-get pages as the hosts serve them (shape of golang.org/x, k8s.io,
	 * cloud.google.com, google.golang.org and go.uber.org; reconstructed, since they
	 * cannot be fetched from here).
	 */
	static const char oauth2[] =
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta name=\"go-import\" content=\"golang.org/x/oauth2 git https://go.googlesource.com/oauth2\">\n"
		"<meta name=\"go-source\" content=\"golang.org/x/oauth2 https://cs.opensource.google/go/x/oauth2 "
		"https://cs.opensource.google/go/x/oauth2/+/master:{dir} "
		"https://cs.opensource.google/go/x/oauth2/+/master:{dir}/{file};l={line}\">\n"
		"<meta http-equiv=\"refresh\" content=\"0; url=https://pkg.go.dev/golang.org/x/oauth2\">\n"
		"</head>";
	static const char k8s[] =
		"<html><head>\n"
		"<meta name=\"go-import\" content=\"k8s.io/utils git https://github.com/kubernetes/utils\">\n"
		"<meta name=\"go-source\" content=\"k8s.io/utils https://github.com/kubernetes/utils "
		"https://github.com/kubernetes/utils/tree/master{/dir} "
		"https://github.com/kubernetes/utils/blob/master{/dir}/{file}#L{line}\">\n</head></html>";
	static const char gcloud[] =
		"<meta name=\"go-import\" content=\"cloud.google.com/go git https://github.com/googleapis/google-cloud-go\">\n"
		"<meta name=\"go-source\" content=\"cloud.google.com/go https://github.com/googleapis/google-cloud-go "
		"https://github.com/googleapis/google-cloud-go/tree/main{/dir} "
		"https://github.com/googleapis/google-cloud-go/tree/main{/dir}/{file}#L{line}\">";
	static const char protobuf[] =
		"<meta name='go-import' content='google.golang.org/protobuf git https://go.googlesource.com/protobuf'>\n"
		"<meta name='go-source' content='google.golang.org/protobuf https://github.com/protocolbuffers/protobuf-go "
		"https://github.com/protocolbuffers/protobuf-go/tree/master{/dir} "
		"https://github.com/protocolbuffers/protobuf-go/tree/master{/dir}/{file}#L{line}'>";
	static const char uber[] =
		"<meta name=\"go-import\" content=\"go.uber.org/atomic git https://github.com/uber-go/atomic\">";
	static const char newline[] =
		"<meta name=\"go-source\" content=\"x.io/a https://github.com/o/a\nb\">";
	static const struct {
		const char *module, *html, *want;
	} cases[] = {
		{ "golang.org/x/oauth2", oauth2, "go.googlesource.com/oauth2" }, /* go-import */
		{ "k8s.io/utils", k8s, "github.com/kubernetes/utils" },          /* go-source */
		/* go-source with prefix cloud.google.com/go; the subpath is kept */
		{ "cloud.google.com/go/storage", gcloud, "github.com/googleapis/google-cloud-go/storage" },
		/* go-source preferred over go-import's googlesource */
		{ "google.golang.org/protobuf", protobuf, "github.com/protocolbuffers/protobuf-go" },
		{ "go.uber.org/atomic", uber, "github.com/uber-go/atomic" },
		/* newlines are removed, not turned into spaces (verified Pyroscope behaviour) */
		{ "x.io/a", newline, "github.com/o/ab" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = go_meta_resolve(cases[i].module, cases[i].html, strlen(cases[i].html));
		if (!s || strcmp(s, cases[i].want))
			fail_msg("go-get %s = %s, want %s", cases[i].module, s ? s : "NULL",
				 cases[i].want);
		free(s);
	}
	assert_null(go_meta_resolve("x.io/a", "<html>nothing</html>", 20));
}

static void test_gomod(void **state)
{
	static const char gomod[] =
		"module github.com/grafana/pyroscope\n\n"
		"go 1.21\n\n"
		"require (\n"
		"\tgithub.com/parquet-go/parquet-go v0.25.0 // indirect\n"
		"\tgithub.com/x/y v1.0.0\n"
		")\n"
		"require github.com/x/y v1.1.0\n"
		"retract (\n\tv1.0.0 // oops\n)\n"
		"replace github.com/old/mod => github.com/new/mod v2.0.0\n"
		"replace (\n"
		"\tgithub.com/grafana/pyroscope/api => ./api\n"
		"\t\"github.com/quoted/mod\" v1.0.0 => ../escape\n"
		")\n";
	struct go_mod_file f;
	struct go_module m;

	(void)state;
	assert_int_equal(go_mod_parse(gomod, strlen(gomod), &f), 0);
	assert_string_equal(f.module, "github.com/grafana/pyroscope");
	assert_int_equal(f.nreqs, 3);
	assert_int_equal(f.nreps, 3);
	assert_string_equal(f.reps[2].old, "github.com/quoted/mod");
	assert_string_equal(f.reps[2].new_path, "../escape");

	assert_true(go_module_parse("/go/pkg/mod/github.com/x/y@v0.9.0/z.go", &m));
	assert_int_equal(go_mod_apply(&f, "", &m), 0);
	assert_string_equal(m.version, "v1.1.0"); /* the last require wins */
	go_module_release(&m);

	assert_true(go_module_parse("/go/pkg/mod/github.com/old/mod@v1.0.0/z.go", &m));
	assert_int_equal(go_mod_apply(&f, "", &m), 0);
	assert_string_equal(m.path, "github.com/new/mod");
	assert_string_equal(m.version, "v2.0.0");
	assert_null(m.local_dir);
	go_module_release(&m);

	/* a directory replacement: the file is in the service repository, at its ref */
	assert_true(go_module_parse("/go/pkg/mod/github.com/grafana/pyroscope/api@v0.0.0/a.go", &m));
	assert_int_equal(go_mod_apply(&f, "svc", &m), 0);
	assert_string_equal(m.local_dir, "svc/api");
	go_module_release(&m);
	go_mod_release(&f);
}

/* ------------------------------------------------------------------ Python, Java, JS */

static void test_python(void **state)
{
	static const char *const cases[][3] = {
		{ "/Users/user/.local/share/uv/python/cpython-3.12.12-macos-aarch64-none/lib/python3.12/difflib.py",
		  "difflib.py", "3.12" },
		{ "/home/user/.pyenv/versions/3.11.4/lib/python3.11/json/decoder.py", "json/decoder.py",
		  "3.11" },
		{ "/usr/lib/python3.10/collections/__init__.py", "collections/__init__.py", "3.10" },
		{ "/usr/lib/python2.7/os.py", "os.py", "2.7" },
		{ "/lib/python3.99/test.py", "test.py", "3.99" },
		{ "/opt/python/lib/python3.9/email/mime/text.py", "email/mime/text.py", "3.9" },
		{ "C:/Python312/Lib/python3.12/asyncio/base_events.py", "asyncio/base_events.py", "3.12" },
		{ "/opt/python3.8/lib/python3.9/email/mime/text.py", "email/mime/text.py", "3.9" },
		{ "/app/myproject/main.py", NULL, NULL },
		{ "/usr/lib/site-packages/requests/api.py", NULL, NULL },
		{ "", NULL, NULL },
		{ "/lib/python3.12", NULL, NULL },
		{ "/lib/python3.12/", NULL, NULL },
		{ "/x/python3.123/a.py", NULL, NULL },
		{ "/usr/lib/python3/dist-packages/foo.py", NULL, NULL },
		/* deliberate difference: Pyroscope calls these the standard library */
		{ "/usr/local/lib/python3.12/site-packages/requests/api.py", NULL, NULL },
		{ "/app/.venv/lib/python3.11/site-packages/flask/app.py", NULL, NULL },
		{ "/usr/lib/python3.11/dist-packages/apt/x.py", NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rel, *ver;
		bool ok = py_stdlib(cases[i][0], &rel, &ver);

		if (ok != (cases[i][1] != NULL))
			fail_msg("python stdlib(%s) = %d", cases[i][0], ok);
		if (!ok)
			continue;
		assert_string_equal(rel, cases[i][1]);
		assert_string_equal(ver, cases[i][2]);
		free(rel);
		free(ver);
	}
}

static void test_java(void **state)
{
	static const char *const cases[][2] = {
		{ "com/example/MyClass", "com/example/MyClass.java" },
		{ "com/example/MyClass.myMethod", "com/example/MyClass.java" },
		{ "com/example/OuterClass$InnerClass", "com/example/OuterClass.java" },
		{ "com/example/OuterClass$InnerClass.method", "com/example/OuterClass.java" },
		{ "com/example/MyClass$1", "com/example/MyClass.java" },
		{ "com/example/Outer$Inner$DeepInner", "com/example/Outer.java" },
		{ "com/example/MyClass.method.withDots", "com/example/MyClass.java" },
		{ "MyClass.method", "MyClass.java" },
		{ "MyClass$Inner", "MyClass.java" },
		{ "MyClass", "MyClass.java" },
		{ "org/springframework/boot/Application$Config$Bean.initialize",
		  "org/springframework/boot/Application.java" },
		{ "com/example/Class.method$1", "com/example/Class.java" },
		{ "com/example/Class.method.subMethod", "com/example/Class.java" },
		{ "java/lang/Math.floorMod", "java/lang/Math.java" },
		/* deliberate differences (Pyroscope: org.java, and a split at the /0x) */
		{ "org.example.App.run", "org/example/App.java" },
		{ "org.example.App$Inner.run", "org/example/App.java" },
		{ "com/example/Outer$$Lambda$12/0x0000000800c01234.run", "com/example/Outer.java" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = java_path(cases[i][0]);
		if (!s || strcmp(s, cases[i][1]))
			fail_msg("java path(%s) = %s, want %s", cases[i][0], s ? s : "NULL",
				 cases[i][1]);
		free(s);
	}
	assert_null(java_path(""));
}

static void test_js(void **state)
{
	static const char *const yes[] = { "a.js", "a.mjs", "a.cjs", "a.ts", "a.jsx", "/x/a.tsx" };
	static const char *const no[] = { "a.json", "", "a.JS", "a.go", "js", "dir.js/x" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(js_ext(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (js_ext(no[i]))
			fail_msg("'%s' taken as JavaScript", no[i]);
	assert_string_equal(path_ext("a/b.c/d"), "");
	assert_string_equal(path_ext("a/b.tar.gz"), ".gz");
}

/* ------------------------------------------------------------------ .pyroscope.yaml */

static void test_config(void **state)
{
	static const char go_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path:\n        - prefix: GOROOT\n      language: go\n"
		"      source:\n        github:\n          owner: golang\n          repo: go\n"
		"          ref: go1.24.8\n          path: src\n";
	static const char java3_yaml[] =
		"source_code:\n  mappings:\n"
		"    - path: [{prefix: org/example/rideshare}]\n      language: java\n"
		"      source: {local: {path: src/main/java/org/example/rideshare}}\n"
		"    - path: [{prefix: java}]\n      language: java\n"
		"      source: {github: {owner: openjdk, repo: jdk, ref: jdk-17+0, path: src/java.base/share/classes/java}}\n"
		"    - path: [{prefix: org/springframework/http}]\n      language: java\n"
		"      source: {github: {owner: spring-projects, repo: spring-framework, ref: v5.3.20,"
		" path: spring-web/src/main/java/org/springframework/http}}\n";
	static const char js_yaml[] =
		"version: v1\nsource_code:\n  mappings:\n"
		"    - path:\n        - prefix: /usr/src/app\n      language: javascript\n"
		"      source:\n        local:\n          path: src/paymentservice\n";
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ "source_code:\n  mappings:\n    - path: [{prefix: a}]\n      source: {local: {path: x}}\n",
		  "language ''" },
		{ "source_code:\n  mappings:\n    - path: [{prefix: a}]\n      language: go\n",
		  "no source type supplied" },
		{ "source_code:\n  mappings:\n    - language: go\n      source: {local: {path: x}}\n",
		  "at least one path or a function_name match is required" },
		{ "source_code:\n  mappings:\n    - path: [{prefix: a}]\n      language: rust\n"
		  "      source: {local: {path: x}}\n",
		  "language 'rust' unsupported, valid languages are [go java python javascript]" },
		{ "source_code:\n  mappings:\n    - path: [{prefix: a}]\n      language: go\n"
		  "      source:\n        github: {owner: a, repo: b}\n        github: {owner: c, repo: d}\n",
		  "mapping key 'github' already defined" },
		{ "version: v1alpha1\n", "invalid version 'v1alpha1', supported versions are 'v1'" },
		{ "source_code:\n  mappings:\n    - path: [{prefix: a}]\n      language: go\n"
		  "      source: {local: {path: x}, github: {owner: a, repo: b}}\n",
		  "more than one source type supplied" },
		{ "source_code: [\n", "failed to parse pyroscope config: line" },
		{ "version: v1\nversion: v1\n", "already defined" },
		/* a NUL would cut the prefix short: "" matches every path */
		{ "source_code:\n  mappings:\n    - path: [{prefix: \"\\0/nomatch\"}]\n"
		  "      language: go\n      source: {local: {path: x}}\n",
		  "'prefix' holds a NUL character" },
	};
	struct src_config c;
	size_t i;

	(void)state;
	assert_int_equal(src_config_parse(go_yaml, strlen(go_yaml), &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].lang, LANG_GO);
	assert_true(c.v[0].github);
	assert_string_equal(c.v[0].ref, "go1.24.8");
	src_config_release(&c);
	assert_int_equal(src_config_parse(java3_yaml, strlen(java3_yaml), &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[2].gh_path, "spring-web/src/main/java/org/springframework/http");
	src_config_release(&c);
	assert_int_equal(src_config_parse(js_yaml, strlen(js_yaml), &c), 0);
	assert_true(c.v[0].local);
	assert_string_equal(c.v[0].local_path, "src/paymentservice");
	src_config_release(&c);
	assert_int_equal(src_config_parse(rideshare_yaml, strlen(rideshare_yaml), &c), 0);
	assert_int_equal(c.n, 4);
	src_config_release(&c);
	assert_int_equal(src_config_parse("", 0, &c), 0);
	assert_int_equal(c.n, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = src_config_parse(bad[i].yaml, strlen(bad[i].yaml), &c);

		if (rc == 0)
			fail_msg("config %zu parsed but must fail", i);
		tu_assert_message(err_last());
		if (!strstr(err_last(), bad[i].want))
			fail_msg("config %zu: '%s' lacks '%s'", i, err_last(), bad[i].want);
	}
	/* several problems of one mapping: all reported, on one line */
	{
		static const char two[] = "source_code:\n  mappings:\n    - language: x\n";

		assert_true(src_config_parse(two, strlen(two), &c) != 0);
	}
	assert_non_null(strstr(err_last(), "mapping[0]: at least one path"));
	assert_non_null(strstr(err_last(), "; mapping[0]: language 'x'"));
	tu_assert_message(err_last());
	/* version "" (quoted too) is v1, as Pyroscope reads it */
	assert_int_equal(src_config_parse("version: \"\"\n", 11, &c), 0);
	assert_int_equal(src_config_parse("version: ''\n", 12, &c), 0);
	/* YAML merge keys, as go-yaml decodes them */
	{
		static const char merge[] =
			"base: &b\n  language: go\n  source:\n    local:\n      path: src\n"
			"source_code:\n  mappings:\n    - <<: *b\n      path:\n        - prefix: /app\n";

		assert_int_equal(src_config_parse(merge, strlen(merge), &c), 0);
		assert_int_equal(c.n, 1);
		assert_int_equal(c.v[0].lang, LANG_GO);
		assert_string_equal(c.v[0].local_path, "src");
		src_config_release(&c);
	}
}

/*
 * Hostile configs are refused quickly and within bounds: aliases that repeat a large
 * anchor thousands of times (a billion-laughs file: 1 MiB asking for terabytes), and
 * nesting far deeper than the schema (libyaml's loader is quadratic in the depth).
 */
static void test_config_bounds(void **state)
{
	struct buf y = BUF_INIT;
	size_t i;

	(void)state;
	buf_puts(&y, "big: &s \"");
	for (i = 0; i < 200000; i++)
		buf_puts(&y, "x");
	buf_puts(&y, "\"\nsource_code:\n  mappings:\n");
	for (i = 0; i < 100; i++)
		buf_puts(&y, "    - path: [{prefix: *s}, {prefix: *s}, {prefix: *s}]\n"
			     "      language: go\n      source: {local: {path: x}}\n");
	assert_int_equal(src_config_parse(y.data, y.len, &(struct src_config){ 0 }), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "aliases repeat more than 4 MiB"));
	buf_reset(&y);
	buf_puts(&y, "source_code: ");
	for (i = 0; i < 100000; i++)
		buf_puts(&y, "[");
	assert_int_equal(src_config_parse(y.data, y.len, &(struct src_config){ 0 }), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "nested more than 64 deep"));
	/* merge keys 8 levels deep, 40 aliases each (1.8 KB): a missing key once walked
	   all 40^7 of them */
	buf_reset(&y);
	buf_puts(&y, "a0: &a0 {x: 1}\n");
	for (i = 1; i <= 8; i++) {
		size_t j;

		buf_printf(&y, "a%zu: &a%zu {<<: [", i, i);
		for (j = 0; j < 40; j++)
			buf_printf(&y, "%s*a%zu", j ? ", " : "", i - 1);
		buf_puts(&y, "]}\n");
	}
	buf_puts(&y, "source_code:\n  mappings:\n    - <<: *a8\n      path: [{prefix: x}]\n"
		     "      language: go\n      source: {local: {path: src}}\n");
	assert_int_equal(src_config_parse(y.data, y.len, &(struct src_config){ 0 }), ERR_TOOBIG);
	assert_non_null(strstr(err_last(), "merge keys (<<) reach more than"));
	tu_assert_message(err_last());
	/* a list of 1,000 empty prefixes ({} copies no text) used by 4,000 mappings: 8
	   million prefixes from 46 KB once took 12 s and 600 MB */
	buf_reset(&y);
	buf_puts(&y, "defs:\n  p: &p [");
	for (i = 0; i < 1000; i++)
		buf_puts(&y, i ? ", {}" : "{}");
	buf_puts(&y, "]\n  m: &m {path: *p, function_name: *p, language: go, "
		     "source: {local: {path: x}}}\nsource_code:\n  mappings:\n");
	for (i = 0; i < 4000; i++)
		buf_puts(&y, "    - *m\n");
	{
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(src_config_parse(y.data, y.len, &(struct src_config){ 0 }),
				 ERR_TOOBIG);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 2);
	}
	assert_non_null(strstr(err_last(), "more than 16384 prefixes in all"));
	tu_assert_message(err_last());
	buf_release(&y);
}

static double secs_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Ends the mapping x: &e opened in y, then a list of 1,024 aliases to it and 16 mappings
 * that each use the list: every alias makes the mapping's keys be read again.
 */
static void alias_bomb_tail(struct buf *y)
{
	size_t i;

	buf_puts(y, "}\npl: &pl [");
	for (i = 0; i < 1024; i++)
		buf_puts(y, i ? ", *e" : "*e");
	buf_puts(y, "]\nsource_code:\n  mappings:\n");
	for (i = 0; i < 16; i++)
		buf_puts(y, "  - {path: *pl, language: go, source: {local: {path: src}}}\n");
}

/*
 * A mapping of 256 keys aliased 16,384 times (7 KB of YAML) is checked for duplicate keys
 * once, not once per alias: pairwise, every use cost 32,640 key comparisons, 53 s under
 * ASan.  So are 256 keys of ~1,000 characters sharing their first 990 (262 KB, 78 s at
 * -O2).  Keys that are aliases of one long scalar, in many mappings, are refused past a
 * budget of key bytes.
 */
static void test_config_alias_keys(void **state)
{
	struct buf y = BUF_INIT;
	struct src_config c;
	struct timespec t0;
	size_t i;

	(void)state;
	buf_puts(&y, "version: v1\nx: &e {prefix: /nomatch");
	for (i = 0; i < 255; i++)
		buf_printf(&y, ", k%03zu: v", i);
	alias_bomb_tail(&y);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(src_config_parse(y.data, y.len, &c), 0);
	assert_true(secs_since(&t0) < 2.0);
	assert_int_equal(c.n, 16);
	assert_int_equal(c.v[15].npaths, 1024);
	assert_string_equal(c.v[15].paths[1023], "/nomatch");
	src_config_release(&c);

	/* long keys alike but for their end */
	buf_reset(&y);
	buf_puts(&y, "x: &e {prefix: /nomatch");
	for (i = 0; i < 255; i++) {
		size_t j;

		buf_puts(&y, ", ");
		for (j = 0; j < 990; j++)
			buf_puts(&y, "a");
		buf_printf(&y, "%03zu: v", i);
	}
	alias_bomb_tail(&y);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(src_config_parse(y.data, y.len, &c), 0);
	assert_true(secs_since(&t0) < 2.0);
	assert_int_equal(c.n, 16);
	src_config_release(&c);

	/* a duplicate is still found, and named with both lines */
	buf_reset(&y);
	buf_puts(&y, "x: &e {a: 1, b: 2, c: 3,\n  b: 4}\nsource_code:\n  mappings:\n"
		     "  - {path: [*e, *e], language: go, source: {local: {path: src}}}\n");
	assert_int_equal(src_config_parse(y.data, y.len, &c), ERR_PARSE);
	assert_non_null(strstr(err_last(), "line 2: mapping key 'b' already defined at line 1"));

	/* a 400 KB key, aliased as the key of 2,000 mappings: 800 MB to hash */
	buf_reset(&y);
	buf_puts(&y, "k: &k ");
	for (i = 0; i < 400000; i++)
		buf_puts(&y, "a");
	buf_puts(&y, "\nsource_code:\n  mappings:\n  - language: go\n"
		     "    source: {local: {path: src}}\n    path: [");
	for (i = 0; i < 2000; i++)
		buf_puts(&y, i ? ", {*k : 1}" : "{*k : 1}");
	buf_puts(&y, "]\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(src_config_parse(y.data, y.len, &c), ERR_TOOBIG);
	assert_true(secs_since(&t0) < 2.0);
	assert_non_null(strstr(err_last(), "mapping keys hold more than 64 MiB"));
	tu_assert_message(err_last());
	buf_release(&y);
}

static void test_find_mapping(void **state)
{
	static const char yaml[] =
		"source_code:\n  mappings:\n"
		"    - path: [{prefix: org/example/rideshare}]\n      language: java\n"
		"      source: {local: {path: a}}\n"
		"    - path: [{prefix: java}]\n      language: java\n"
		"      source: {github: {owner: openjdk, repo: jdk}}\n"
		"    - path: [{prefix: org/springframework/http}]\n      language: java\n"
		"      source: {github: {owner: spring-projects, repo: spring-framework}}\n"
		"    - path: [{prefix: /app/src}]\n      language: python\n"
		"      source: {local: {path: b}}\n";
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "org/example/rideshare", 0 },
		{ "org/example/rideshare/App.java", 0 },
		{ "java", 1 },
		{ "java/util/ArrayList.java", 1 },
		{ "org/springframework/http", 2 },
		{ "org/springframework/http/HttpStatus.java", 2 },
		{ "org/springframework/http/converter/HttpMessageConverter.java", 2 },
		{ "com/google/common/collect/Lists.java", -1 },
		{ "organization/test/File.java", -1 },
		/* deliberate differences: Pyroscope matches these byte-wise */
		{ "javax/servlet/Filter.java", -1 },
		{ "javafoo", -1 },
		{ "/app/src2/x.py", -1 },
		{ "/app/src/x.py", 3 },
	};
	struct src_config c;
	size_t i;
	int pos;

	(void)state;
	assert_int_equal(src_config_parse(yaml, strlen(yaml), &c), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = src_config_find(&c, cases[i].path, "", &pos);

		if (got != cases[i].want)
			fail_msg("FindMapping(%s) = %d, want %d", cases[i].path, got, cases[i].want);
	}
	src_config_release(&c);
	/* rideshare: function names, longest prefix wins; '.' ends a function segment */
	assert_int_equal(src_config_parse(rideshare_yaml, strlen(rideshare_yaml), &c), 0);
	assert_int_equal(src_config_find(&c, "", "org/springframework/web/servlet/DispatcherServlet.doService", &pos), 3);
	assert_int_equal(pos, -1);
	assert_int_equal(src_config_find(&c, "", "org/springframework/web/client/RestTemplate.doExecute", &pos), 2);
	assert_int_equal(src_config_find(&c, "", "java/lang/Math.floorMod", &pos), 1);
	assert_int_equal(src_config_find(&c, "", "javax/net/ssl/SSLSocket.read", &pos), -1);
	src_config_release(&c);
	/* an empty prefix matches everything with score 0; a tie goes to the first */
	{
		static const char empty[] = "source_code:\n  mappings:\n"
					    "    - path: [{prefix: ''}]\n      language: go\n"
					    "      source: {local: {path: a}}\n"
					    "    - path: [{prefix: ''}]\n      language: go\n"
					    "      source: {local: {path: b}}\n";

		assert_int_equal(src_config_parse(empty, strlen(empty), &c), 0);
	}
	assert_int_equal(src_config_find(&c, "anything.go", "", &pos), 0);
	assert_int_equal(pos, 0);
	src_config_release(&c);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_join),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_go_stdlib),
		cmocka_unit_test(test_go_stdlib_long_paths),
		cmocka_unit_test(test_go_modules),
		cmocka_unit_test(test_go_versions),
		cmocka_unit_test(test_go_meta),
		cmocka_unit_test(test_gomod),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_java),
		cmocka_unit_test(test_js),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_bounds),
		cmocka_unit_test(test_config_alias_keys),
		cmocka_unit_test(test_find_mapping),
	};

	tu_init(argc, argv);
	return cmocka_run_group_tests_name("source rules", tests, NULL, NULL) ? 1 : 0;
}
