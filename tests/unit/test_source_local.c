/*
 * test_source_local.c — src/source/ on files of this machine, no git and no network:
 * pprof's plain paths (--source-path, --trim-path and its guess, absolute paths, file:
 * URLs), what they may not reach (symlinks out of a directory, .., special files), the Go
 * path search with only a directory to look in, and JVM frames without a mapping.
 */
#include "source_testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "source/source_int.h"

/* offline options and a fresh cache: nothing here may use the network */
static void opts_init(struct source_opts *o, const char *cache_name)
{
	memset(o, 0, sizeof(*o));
	o->github_api = "http://127.0.0.1:9";
	o->github_token = "";
	o->cache_dir = tmp(cache_name);
	o->goroot = "/nonexistent-goroot";
	o->cache_ttl = -1;
	o->offline = true;
}

static void test_plain_paths(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	char abs[1100];

	(void)state;
	write_file(tmp("src/my-project/foo/bar.c"), "int bar;\n");
	write_file(tmp("src/my-project/main.go"), "package main\n");
	write_file(tmp("secret.txt"), "secret\n");
	sh("ln -sf '%s' '%s'", tmp("secret.txt"), tmp("src/my-project/leak.go"));
	sh("rm -f '%s' && mkfifo '%s'", tmp("src/my-project/fifo.go"), tmp("src/my-project/fifo.go"));
	opts_init(&o, "cache-plain");
	o.offline = true;
	o.source_path = tmp("src/my-project");
	/* pprof's guess: the base name of the source path found in the profile's path */
	assert_int_equal(source_find(&o, NULL, NULL, "/some/remote/path/my-project/foo/bar.c", &f, &t), 0);
	assert_string_equal(f.data, "int bar;\n");
	assert_int_equal(f.origin, SOURCE_LOCAL_FILE);
	assert_non_null(f.local_path);
	assert_has_line(&t, "trimmed to 'foo/bar.c'");
	source_file_release(&f);
	source_trace_release(&t);
	/* --trim-path, with pprof's list syntax */
	o.trim_path = "/nowhere:/build/x";
	assert_int_equal(source_find(&o, NULL, NULL, "/build/x/main.go", &f, NULL), 0);
	assert_string_equal(f.data, "package main\n");
	source_file_release(&f);
	o.trim_path = NULL;
	assert_int_equal(source_find(&o, NULL, NULL, "/proc/self/cwd/main.go", &f, NULL), 0);
	source_file_release(&f);
	/* an absolute path that exists is read as it is */
	snprintf(abs, sizeof(abs), "%s", tmp("src/my-project/foo/bar.c"));
	o.source_path = NULL;
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), 0);
	assert_string_equal(f.local_path, abs);
	source_file_release(&f);
	/*
	 * Node.js names an ES module's file by its URL (file:///app/x.mjs, spaces as %20):
	 * the path it names is read as an absolute path
	 */
	write_file(tmp("esm/my app.mjs"), "export const a = 1;\n");
	snprintf(abs, sizeof(abs), "file://%s", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, &t), 0);
	assert_string_equal(f.local_path, tmp("esm/my app.mjs"));
	assert_string_equal(f.data, "export const a = 1;\n");
	assert_has_line(&t, "is the file");
	source_file_release(&f);
	source_trace_release(&t);
	snprintf(abs, sizeof(abs), "file://localhost%s", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), 0);
	source_file_release(&f);
	/* a URL's scheme and host are case-insensitive (RFC 3986 3.1, 3.2.2) */
	snprintf(abs, sizeof(abs), "FILE://%s", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), 0);
	assert_string_equal(f.local_path, tmp("esm/my app.mjs"));
	source_file_release(&f);
	snprintf(abs, sizeof(abs), "File://LocalHost%s", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), 0);
	source_file_release(&f);
	/* another host's file, a NUL or a slash escaped, a .. : not a path of this machine */
	snprintf(abs, sizeof(abs), "file://otherhost%s", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), ERR_NOTFOUND);
	snprintf(abs, sizeof(abs), "file://%s%%00", tmp("esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), ERR_NOTFOUND);
	snprintf(abs, sizeof(abs), "file://%s", tmp("esm%2Fmy%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), ERR_NOTFOUND);
	snprintf(abs, sizeof(abs), "file://%s", tmp("esm/%2E%2E/esm/my%20app.mjs"));
	assert_int_equal(source_find(&o, NULL, "fib", abs, &f, NULL), ERR_NOTFOUND);
	/* but not through a symlink out of its directory */
	snprintf(abs, sizeof(abs), "%s", tmp("src/my-project/leak.go"));
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "through a symlink");
	assert_no_text(&t, "secret\n");
	source_trace_release(&t);
	/* nor through a directory symlink on the way that leaves its directory */
	write_file(tmp("outside/conf.go"), "secret\n");
	sh("ln -sfn '%s' '%s'", tmp("outside"), tmp("src/my-project/conf"));
	snprintf(abs, sizeof(abs), "%s", tmp("src/my-project/conf/conf.go"));
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "through a symlink");
	assert_no_text(&t, "secret\n");
	source_trace_release(&t);
	/* a directory symlink that stays where it sits (like /lib -> usr/lib) is followed */
	sh("ln -sfn foo '%s'", tmp("src/my-project/foo2"));
	snprintf(abs, sizeof(abs), "%s", tmp("src/my-project/foo2/bar.c"));
	assert_int_equal(source_find(&o, NULL, NULL, abs, &f, NULL), 0);
	assert_string_equal(f.data, "int bar;\n");
	source_file_release(&f);
	/* relative without a source path: nowhere to look */
	assert_int_equal(source_find(&o, NULL, NULL, "foo/bar.c", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "no --source-path");
	assert_string_equal(err_last(), "no source for 'foo/bar.c': nowhere to look (give --repo or "
					"--source-path)");
	source_trace_release(&t);
	/* a symlink out of the source directory, .. and special files are refused */
	o.source_path = tmp("src/my-project");
	assert_int_equal(source_find(&o, NULL, NULL, "leak.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "through a symlink");
	assert_no_text(&t, "secret\n");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "../../secret.txt", &f, NULL), ERR_NOTFOUND);
	assert_int_equal(source_find(&o, NULL, NULL, "fifo.go", &f, NULL), ERR_NOTFOUND);
	/* --source-path stands in for the repository: the Go path search runs there */
	write_file(tmp("src/my-project/cmd/app/main.go"), "package main // app\n");
	assert_int_equal(source_find(&o, NULL, NULL, "/var/service1/cmd/app/main.go", &f, &t), 0);
	assert_string_equal(f.path, "cmd/app/main.go");
	source_file_release(&f);
	source_trace_release(&t);
	/*
	 * but without a repository it never takes a bare file name for a path with
	 * directories: every Go package has a main.go, so a listing run in the wrong
	 * directory showed another program's code
	 */
	assert_int_equal(source_find(&o, NULL, NULL, "/var/service1/src/main.go", &f, &t),
			 ERR_NOTFOUND);
	assert_has_line(&t, "not trying 'main.go' alone");
	/*
	 * the places counted are those the file was looked for in (the absolute path and
	 * three of the search), not .pyroscope.yaml or go.mod read on the way
	 */
	assert_non_null(strstr(err_last(), "not in any of the 4 places tried"));
	source_trace_release(&t);
	write_file(tmp("gosrc/heapwork/go.mod"), "module heapwork\n\ngo 1.19\n");
	write_file(tmp("gosrc/heapwork/main.go"), "package main // heapwork\n");
	write_file(tmp("gosrc/cpuwork/go.mod"), "module cpuwork\n\ngo 1.19\n");
	write_file(tmp("gosrc/cpuwork/main.go"), "package main // cpuwork\n");
	o.source_path = tmp("gosrc/heapwork");
	assert_int_equal(source_find(&o, NULL, "main.scoreRecords", "cpuwork/main.go", &f, &t),
			 ERR_NOTFOUND);
	source_trace_release(&t);
	/* the module's own directory: go.mod's module path is cut from the file's */
	o.source_path = tmp("gosrc/cpuwork");
	assert_int_equal(source_find(&o, NULL, "main.scoreRecords", "cpuwork/main.go", &f, &t), 0);
	assert_string_equal(f.data, "package main // cpuwork\n");
	assert_has_line(&t, "module 'cpuwork'");
	source_file_release(&f);
	source_trace_release(&t);
	/* and its parent: the path as it is */
	o.source_path = tmp("gosrc");
	assert_int_equal(source_find(&o, NULL, "main.scoreRecords", "cpuwork/main.go", &f, &t), 0);
	assert_string_equal(f.data, "package main // cpuwork\n");
	source_file_release(&f);
	source_trace_release(&t);
	/* a -trimpath path of the module at the root of a checkout named otherwise */
	write_file(tmp("checkout/go.mod"), "module example.com/me/app\n");
	write_file(tmp("checkout/main.go"), "package main // app root\n");
	write_file(tmp("checkout/sub/x.go"), "package sub\n");
	o.source_path = tmp("checkout");
	assert_int_equal(source_find(&o, NULL, NULL, "example.com/me/app/main.go", &f, &t), 0);
	assert_string_equal(f.data, "package main // app root\n");
	source_file_release(&f);
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "/build/example.com/me/app/sub/x.go", &f, &t), 0);
	assert_string_equal(f.path, "sub/x.go");
	source_file_release(&f);
	source_trace_release(&t);
	o.source_path = tmp("src/my-project");
	/* a plain directory as --repo (no ref): read as a directory */
	o.source_path = NULL;
	o.repo = tmp("src/my-project");
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, &t), 0);
	assert_has_line(&t, "not a git repository: read as a directory");
	source_file_release(&f);
	source_trace_release(&t);
	o.ref = "v1";
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, NULL), ERR_USAGE);
	tu_assert_message(err_last());
}

/*
 * --source-path is pprof's -source_path: a list split on ':', each directory searched in
 * order (a missing one skipped), its trimming guess made with each directory's base name
 * (as `go tool pprof -list -source_path "nonexist:one:two/proj"` does).
 */
static void test_source_path_list(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	char list[3400];
	int rc;

	(void)state;
	write_file(tmp("sp/one/only-one.go"), "package one\n");
	write_file(tmp("sp/one/both.go"), "package main // one\n");
	write_file(tmp("sp/two/proj/pkg/x.go"), "package pkg // two\n");
	write_file(tmp("sp/two/proj/both.go"), "package main // two\n");
	write_file(tmp("sp/two/proj/y.go"), "package main // y\n");
	write_file(tmp("sp/secret/s.go"), "secret\n");
	sh("ln -sfn '%s' '%s'", tmp("sp/secret/s.go"), tmp("sp/two/proj/leak.go"));
	opts_init(&o, "cache-splist");
	snprintf(list, sizeof(list), "%s:%s:%s", tmp("sp/nonexist"), tmp("sp/one"),
		 tmp("sp/two/proj"));
	o.source_path = list;
	/* a relative path: the first directory that has it */
	rc = source_find(&o, NULL, NULL, "y.go", &f, &t);
	if (rc) {
		dump_trace(&t);
		fail_msg("y.go in the third directory: %s", err_last());
	}
	assert_string_equal(f.data, "package main // y\n");
	assert_string_equal(f.local_path, tmp("sp/two/proj/y.go"));
	source_file_release(&f);
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, NULL, "both.go", &f, NULL), 0);
	assert_string_equal(f.data, "package main // one\n");
	source_file_release(&f);
	assert_int_equal(source_find(&o, NULL, NULL, "only-one.go", &f, NULL), 0);
	assert_string_equal(f.data, "package one\n");
	source_file_release(&f);
	/* the trimming guess with the base name of each directory (proj, the third) */
	rc = source_find(&o, NULL, NULL, "/build/proj/pkg/x.go", &f, &t);
	if (rc) {
		dump_trace(&t);
		fail_msg("/build/proj/pkg/x.go: %s", err_last());
	}
	assert_string_equal(f.data, "package pkg // two\n");
	assert_has_line(&t, "trimmed to 'pkg/x.go'");
	source_file_release(&f);
	source_trace_release(&t);
	/* an absolute path through a symlink into any listed directory: allowed */
	sh("mkdir -p '%s'", tmp("sp/elsewhere"));
	sh("ln -sfn '%s' '%s'", tmp("sp/two/proj/y.go"), tmp("sp/elsewhere/link-y.go"));
	assert_int_equal(source_find(&o, NULL, NULL, tmp("sp/elsewhere/link-y.go"), &f, NULL), 0);
	assert_string_equal(f.data, "package main // y\n");
	source_file_release(&f);
	/* each directory keeps its own walls: a symlink out of the third is refused */
	assert_int_equal(source_find(&o, NULL, NULL, "leak.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "through a symlink");
	assert_no_text(&t, "secret\n");
	source_trace_release(&t);
	/* not in any: every directory was tried, one line */
	assert_int_equal(source_find(&o, NULL, NULL, "none.go", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, tmp("sp/one"));
	assert_has_line(&t, tmp("sp/two/proj"));
	tu_assert_message(err_last());
	source_trace_release(&t);
	/* empty entries are skipped; one directory still works as before */
	snprintf(list, sizeof(list), "::%s:", tmp("sp/two/proj"));
	assert_int_equal(source_find(&o, NULL, NULL, "y.go", &f, NULL), 0);
	source_file_release(&f);
	o.source_path = tmp("sp/one");
	assert_int_equal(source_find(&o, NULL, NULL, "both.go", &f, NULL), 0);
	assert_string_equal(f.data, "package main // one\n");
	source_file_release(&f);
}

/*
 * A JVM frame with no mapping: Pyroscope finds Java code only through a .pyroscope.yaml
 * mapping (without one it asks for the empty file name), so async-profiler and JFR
 * profiles listed with --source-path or --repo had no code.  The class's file is tried
 * where Maven and Gradle keep it.
 */
static void test_java_without_mapping(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;

	(void)state;
	write_file(tmp("jproj/src/main/java/org/example/App.java"), "class App {} // maven\n");
	write_file(tmp("jproj/lib/com/acme/Util.java"), "class Util {}\n");
	opts_init(&o, "cache-java");
	o.offline = true;
	o.source_path = tmp("jproj");
	assert_int_equal(source_find(&o, NULL, "org/example/App.run", "", &f, &t), 0);
	assert_string_equal(f.data, "class App {} // maven\n");
	assert_string_equal(f.path, "src/main/java/org/example/App.java");
	assert_has_line(&t, "java: no mapping");
	source_file_release(&f);
	source_trace_release(&t);
	/* the file name JFR gives (App.java) is no help; inner classes and lambdas too */
	assert_int_equal(source_find(&o, NULL, "org/example/App$Inner.lambda$run$0", "App.java",
				     &f, NULL), 0);
	assert_string_equal(f.path, "src/main/java/org/example/App.java");
	source_file_release(&f);
	/* --root is where the source tree starts */
	o.root = "lib";
	assert_int_equal(source_find(&o, NULL, "com/acme/Util.run", "", &f, NULL), 0);
	assert_string_equal(f.path, "lib/com/acme/Util.java");
	source_file_release(&f);
	o.root = NULL;
	/* not a class: a Go function without a file, a missing class */
	assert_int_equal(source_find(&o, NULL, "encoding/json.Marshal", "", &f, &t), ERR_NOTFOUND);
	assert_no_text(&t, "java:");
	/* nothing was looked for: said so, not "any of the 0 places tried" */
	assert_string_equal(err_last(),
			    "no source for 'encoding/json.Marshal': the profile names no file for it");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, "org/example/Gone.run", "", &f, &t), ERR_NOTFOUND);
	assert_has_line(&t, "java: no mapping");
	assert_non_null(strstr(err_last(), "not in any of the 2 places tried"));
	source_trace_release(&t);
}

/*
 * A file: URL (Node.js names an ES module file:///usr/src/app/index.mjs) is the path it
 * names for .pyroscope.yaml's prefixes and the language rules too, not only for the plain
 * paths: a mapping of /usr/src/app never matched the URL.
 */
static void test_file_url_rules(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;

	(void)state;
	write_file(tmp("esmsvc/.pyroscope.yaml"),
		   "version: v1\nsource_code:\n  mappings:\n"
		   "    - path: [{prefix: /nonexistent-smolder/app}]\n      language: javascript\n"
		   "      source: {local: {path: src/app}}\n");
	write_file(tmp("esmsvc/src/app/lib/index.mjs"), "export const svc = 1;\n");
	opts_init(&o, "cache-fileurl");
	o.source_path = tmp("esmsvc");
	assert_int_equal(source_find(&o, NULL, "handler",
				     "file:///nonexistent-smolder/app/lib/index.mjs", &f, &t), 0);
	assert_string_equal(f.data, "export const svc = 1;\n");
	assert_string_equal(f.path, "src/app/lib/index.mjs");
	assert_has_line(&t, "config: mapping[0] matches (language javascript, path prefix)");
	source_file_release(&f);
	source_trace_release(&t);
	/* escapes undone before the mapping sees the path; the error names the URL */
	write_file(tmp("esmsvc/src/app/my app.mjs"), "export const b = 2;\n");
	assert_int_equal(source_find(&o, NULL, "handler", "file:///nonexistent-smolder/app/my%20app.mjs",
				     &f, NULL), 0);
	assert_string_equal(f.path, "src/app/my app.mjs");
	source_file_release(&f);
	assert_int_equal(source_find(&o, NULL, "handler", "file:///nonexistent-smolder/app/gone.mjs",
				     &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "no source for 'file:///nonexistent-smolder/app/gone.mjs'"));
	/* another host's file is still no file of this machine: no rule reads it either */
	assert_int_equal(source_find(&o, NULL, "handler",
				     "file://otherhost/nonexistent-smolder/app/lib/index.mjs", &f, &t),
			 ERR_NOTFOUND);
	assert_no_text(&t, "export const");
	source_trace_release(&t);
	/* nor does the Go path search, which found its suffix otherhost/... → app/x.go */
	write_file(tmp("esmsvc/app/x.go"), "package app // this host's\n");
	assert_int_equal(source_find(&o, NULL, "app.F", "file://otherhost/app/x.go", &f, &t),
			 ERR_NOTFOUND);
	assert_null(f.data);
	assert_no_text(&t, "this host's");
	assert_has_line(&t, "no rule reads it");
	assert_non_null(strstr(err_last(), "not a file of this machine"));
	source_trace_release(&t);
	/* whatever the scheme's case: FILE: and File: are file: URLs (RFC 3986 3.1) */
	assert_int_equal(source_find(&o, NULL, "app.F", "FILE://otherhost/app/x.go", &f, &t),
			 ERR_NOTFOUND);
	assert_null(f.data);
	assert_no_text(&t, "this host's");
	assert_has_line(&t, "no rule reads it");
	source_trace_release(&t);
	assert_int_equal(source_find(&o, NULL, "handler",
				     "File://otherhost/nonexistent-smolder/app/lib/index.mjs", &f, &t),
			 ERR_NOTFOUND);
	assert_no_text(&t, "export const");
	source_trace_release(&t);
}

/* sets or unsets the variable name to value (NULL: unset) */
static void env_put(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/*
 * A cache directory longer than the context's buffer (1,023 bytes) was cut short without
 * a word, so clones landed in one of its parents.  It is no usage error for lookups that
 * never use the cache (b1bf6a2 refused them all, --offline --source-path ones and the
 * explorer's source pane included): only a step that needs a clone fails, and its message
 * names where the directory came from (--cache-dir, $XDG_CACHE_HOME or $HOME).
 */
static void test_cache_dir_too_long(void **state)
{
	struct source_opts o;
	struct source_file f;
	struct source_trace t = SOURCE_TRACE_INIT;
	char longdir[1300];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *saved_xdg = xdg ? strdup(xdg) : NULL, *saved_home = home ? strdup(home) : NULL;
	size_t n;

	(void)state;
	write_file(tmp("cachelen/main.go"), "package main\n");
	n = (size_t)snprintf(longdir, sizeof(longdir), "%s/", tmp("cachelen-cache"));
	while (n + 101 < sizeof(longdir)) {
		memset(longdir + n, 'd', 99);
		longdir[n + 99] = '/';
		n += 100;
		longdir[n] = '\0';
	}
	opts_init(&o, "unused");
	o.source_path = tmp("cachelen");
	o.cache_dir = longdir;
	/* plain files need no cache: found, the trace says nothing is cached */
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, &t), 0);
	assert_string_equal(f.data, "package main\n");
	assert_has_line(&t, "nothing is cached");
	source_file_release(&f);
	source_trace_release(&t);
	/* a clone does: it fails saying why, and nothing lands in a parent directory */
	o.repo = "https://git.example.invalid/svc.git";
	o.source_path = NULL;
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "the cache directory (--cache-dir) is"));
	assert_non_null(strstr(err_last(), "give a shorter --cache-dir"));
	tu_assert_message(err_last());
	/* $XDG_CACHE_HOME/smolder: the same, and the message names the variable */
	o.cache_dir = NULL;
	setenv("XDG_CACHE_HOME", longdir, 1);
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "($XDG_CACHE_HOME/smolder)"));
	assert_non_null(strstr(err_last(), "set a shorter XDG_CACHE_HOME"));
	o.repo = NULL;
	o.source_path = tmp("cachelen");
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, NULL), 0);
	source_file_release(&f);
	/* $HOME/.cache/smolder */
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", longdir, 1);
	o.repo = "https://git.example.invalid/svc.git";
	o.source_path = NULL;
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, NULL), ERR_NOTFOUND);
	assert_non_null(strstr(err_last(), "($HOME/.cache/smolder)"));
	env_put("XDG_CACHE_HOME", saved_xdg);
	env_put("HOME", saved_home);
	free(saved_xdg);
	free(saved_home);
	/* one that fits is taken */
	o.repo = NULL;
	o.source_path = tmp("cachelen");
	o.cache_dir = tmp("cachelen-cache/short");
	assert_int_equal(source_find(&o, NULL, NULL, "main.go", &f, &t), 0);
	assert_no_text(&t, "nothing is cached");
	source_file_release(&f);
	source_trace_release(&t);
}

static int teardown_all(void **state)
{
	(void)state;
	sh("rm -rf '%s'", tmp_root);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_paths),
		cmocka_unit_test(test_source_path_list),
		cmocka_unit_test(test_java_without_mapping),
		cmocka_unit_test(test_file_url_rules),
		cmocka_unit_test(test_cache_dir_too_long),
	};

	tu_init(argc, argv);
	if (st_setup("source-local"))
		return 1;
	return cmocka_run_group_tests_name("source, local files", tests, NULL, teardown_all) ? 1 : 0;
}
