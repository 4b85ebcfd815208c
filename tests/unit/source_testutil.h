/*
 * source_testutil.h — what the tests of src/source/ share: a temporary directory per run
 * (tmp_root, tmp()), files and shell commands made there, and checks on a source_trace.
 * Included by test_source.c, test_source_git.c and test_source_local.c only; everything
 * is static (inline, so a file that does not use a helper does not warn).  tmp() returns
 * one of 8 rotating buffers: use its result before the ninth call.
 */
#ifndef SMOLDER_SOURCE_TESTUTIL_H
#define SMOLDER_SOURCE_TESTUTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "source/source.h"
#include "testutil.h"

static char tmp_root[256];

ERR_PRINTF(1, 2)
static inline void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

static inline const char *tmp(const char *rel)
{
	static char bufs[8][1024];
	static int k;
	char *b = bufs[k++ % 8];

	snprintf(b, 1024, "%s/%s", tmp_root, rel);
	return b;
}

static inline void write_file(const char *path, const char *content)
{
	FILE *f;
	char dir[1024], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		sh("mkdir -p '%s'", dir);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static inline void assert_has_line(const struct source_trace *t, const char *needle)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strstr(t->lines[i], needle))
			return;
	for (i = 0; i < t->n; i++)
		print_message("  trace: %s\n", t->lines[i]);
	fail_msg("no trace line contains '%s'", needle);
}

/*
 * Options for a lookup: GitHub's API at github_api (the stand-in, or where nothing
 * listens), a fresh cache `cache_name` under tmp_root whose entries are always stale
 * (cache_ttl -1), no local Go installation, no token; online (offline is the caller's).
 */
static inline void st_opts_init(struct source_opts *o, const char *cache_name,
				const char *github_api)
{
	memset(o, 0, sizeof(*o));
	o->github_api = github_api;
	o->github_token = "";
	o->cache_dir = tmp(cache_name);
	o->goroot = "/nonexistent-goroot";
	o->cache_ttl = -1;
}

/*
 * A git repository at dir (made again): tags v1 and v2 (annotated) on main, a branch
 * feature one commit past v2, and uncommitted work on main.go.
 */
static inline void st_make_repo(const char *dir)
{
	sh("rm -rf '%s' && git init -q -b main '%s'", dir, dir);
	sh("cd '%s' && mkdir -p pkg && printf 'package main // v1\\n' > main.go && "
	   "printf 'v1 helper\\n' > pkg/helper.go && git add -A && git commit -qm one && git tag v1",
	   dir);
	sh("cd '%s' && printf 'package main // v2\\n' > main.go && git commit -qam two && "
	   "git tag -a v2 -m 'release 2' && git checkout -q -b feature && "
	   "printf 'package main // feature\\n' > main.go && git commit -qam three && "
	   "git checkout -q main",
	   dir);
	/* uncommitted work: never what a profile ran */
	sh("cd '%s' && printf 'package main // dirty\\n' > main.go", dir);
}

static inline void assert_no_text(const struct source_trace *t, const char *needle)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strstr(t->lines[i], needle))
			fail_msg("trace line %zu contains '%s': %s", i, needle, t->lines[i]);
	if (strstr(err_last(), needle))
		fail_msg("the error message contains '%s'", needle);
}

static inline void dump_trace(const struct source_trace *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		print_message("  trace: %s\n", t->lines[i]);
}

/*
 * The run's temporary directory (/tmp/smolder-test-NAME-XXXXXX) and an environment where
 * git made by the tests has no user or system configuration and a fixed identity, no
 * GITHUB_TOKEN, and the cache under tmp_root.  0, or -1 (printed) when mkdtemp fails.
 */
static inline int st_setup(const char *name)
{
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/smolder-test-%s-XXXXXX", name);
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return -1;
	}
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_AUTHOR_NAME", "smolder test", 1);
	setenv("GIT_AUTHOR_EMAIL", "test@smolder.invalid", 1);
	setenv("GIT_COMMITTER_NAME", "smolder test", 1);
	setenv("GIT_COMMITTER_EMAIL", "test@smolder.invalid", 1);
	unsetenv("GITHUB_TOKEN");
	setenv("XDG_CACHE_HOME", tmp_root, 1);
	return 0;
}

#endif
