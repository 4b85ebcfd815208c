/*
 * source.c — source_find(): which repository, ref and root to use, the plain paths of
 * pprof, and the one primitive every rule is built on — read a path from a place (a
 * directory, a git repository at a ref, GitHub) with containment and content checks —
 * plus the trace `smolder resolve` prints.  The rules themselves are in find.c.
 *
 * The one piece of process-wide state of the module is `once` below (libgit2 and
 * libcurl initialisation, owner validation off; see source.h).
 */
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/vec.h"
#include "profile/labels.h"
#include "source_int.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	src_git_global_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *source_origin_name(enum source_origin origin)
{
	switch (origin) {
	case SOURCE_LOCAL_FILE: return "local file";
	case SOURCE_GIT: return "git clone";
	case SOURCE_GITHUB: return "GitHub";
	case SOURCE_HTTP: return "web";
	}
	return "?";
}

bool source_label_repo_ok(const char *value)
{
	return value && url_is_http(value);
}

void source_file_release(struct source_file *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->repo);
	free(f->ref);
	free(f->commit);
	free(f->url);
	free(f->local_path);
	free(f->data);
	*f = (struct source_file)SOURCE_FILE_INIT;
}

void source_trace_release(struct source_trace *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->lines[i]);
	free(t->lines);
	*t = (struct source_trace)SOURCE_TRACE_INIT;
}

void src_trace(struct src_ctx *c, const char *fmt, ...)
{
	struct source_trace *t = c->trace;
	char *line;
	va_list ap;
	int n;

	if (!t)
		return;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (vec_reserve(&t->lines, &t->cap, t->n + 1)) {
		free(line);
		return;
	}
	t->lines[t->n++] = line;
}

int src_check_content(struct src_ctx *c, const char *name, const char *data, size_t len)
{
	if (len > SOURCE_MAX_BYTES) {
		c->refused = true;
		return err_set(ERR_TOOBIG, "'%s': larger than %u MiB, not shown", name,
			       SOURCE_MAX_BYTES >> 20);
	}
	if (memchr(data, '\0', len < SOURCE_BINARY_PROBE ? len : SOURCE_BINARY_PROBE)) {
		c->refused = true;
		return err_set(ERR_UNSUPPORTED, "'%s': a binary file, not shown", name);
	}
	return 0;
}

/* ---------------------------------------------------------------- files on disk */

/* reads a regular file (resolved path rp) into f->data; bounded, checked */
static int read_disk(struct src_ctx *c, const char *rp, const char *name, struct source_file *f)
{
	struct stat st;
	struct buf b = BUF_INIT;
	int fd, rc = 0;
	ssize_t n;

	fd = open(rp, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "'%s': %s", name,
			       strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(ERR_NOTFOUND, "'%s': not a regular file", name);
	}
	if ((size_t)st.st_size > SOURCE_MAX_BYTES) {
		close(fd);
		c->refused = true;
		return err_set(ERR_TOOBIG, "'%s': larger than %u MiB, not shown", name,
			       SOURCE_MAX_BYTES >> 20);
	}
	for (;;) {
		if ((rc = buf_grow(&b, 65536)))
			break;
		n = read(fd, b.data + b.len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(ERR_IO, "'%s': %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		if (b.len > SOURCE_MAX_BYTES)
			break;
	}
	close(fd);
	if (!rc && !b.data && (rc = buf_grow(&b, 1)) == 0)
		b.data[0] = '\0';
	if (!rc)
		rc = src_check_content(c, name, b.data, b.len);
	if (rc) {
		buf_release(&b);
		return rc;
	}
	f->data = b.data;
	f->len = b.len;
	return 0;
}

/* rel (already contained) under dir; symlinks may not lead out of dir */
static int read_in_dir(struct src_ctx *c, const char *dir, const char *rel, struct source_file *f)
{
	char rdir[PATH_MAX], rfile[PATH_MAX];
	char *full = NULL;
	int rc;

	if (!realpath(dir, rdir))
		return err_set(ERR_NOTFOUND, "'%s': %s", dir, strerror(errno));
	if (asprintf(&full, "%s/%s", rdir, rel) < 0)
		return err_set(ERR_NOMEM, "out of memory");
	if (!realpath(full, rfile)) {
		rc = errno == ENOENT || errno == ENOTDIR
			     ? err_set(ERR_NOTFOUND, "not found")
			     : err_set(ERR_NOTFOUND, "'%s': %s", rel, strerror(errno));
		free(full);
		return rc;
	}
	free(full);
	if (!path_has_prefix_dir(rfile, rdir) || strcmp(rfile, rdir) == 0) {
		c->refused = true;
		return err_set(ERR_NOTFOUND, "refused: '%s' leads out of '%s' through a symlink", rel,
			       dir);
	}
	if ((rc = read_disk(c, rfile, rel, f)))
		return rc;
	f->origin = SOURCE_LOCAL_FILE;
	f->path = strdup(rel);
	f->local_path = strdup(rfile);
	if (!f->path || !f->local_path)
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------- places */

static char *place_desc(const struct src_place *pl)
{
	char *s = NULL, *r;

	if (pl->dir) {
		if (asprintf(&s, "directory '%s'", pl->dir) < 0)
			return NULL;
		return s;
	}
	r = url_redact(pl->repo);
	if (!r)
		return NULL;
	if (asprintf(&s, "%s '%s' at %s", url_is_remote(r) ? "repository" : "git", r,
		     pl->ref && *pl->ref ? pl->ref : "HEAD") < 0)
		s = NULL;
	free(r);
	return s;
}

char *src_github_url(struct src_ctx *c, const char *owner, const char *repo)
{
	char *s;

	if (asprintf(&s, "%s/%s/%s", c->github_web, owner, repo) < 0)
		return NULL;
	return s;
}

static int read_github(struct src_ctx *c, const struct src_place *pl, const char *owner,
		       const char *name, const char *rel, struct source_file *f, char *note,
		       size_t notelen)
{
	struct buf b = BUF_INIT;
	const char *ref = pl->ref && *pl->ref ? pl->ref : "";
	char *web = src_github_url(c, owner, name);
	int rc;

	if (!web)
		return err_set(ERR_NOMEM, "out of memory");
	rc = src_cache_get(c, web, ref, rel, &b);
	if (rc == 0) {
		f->cached = true;
		snprintf(note, notelen, " (disk cache)");
		rc = src_check_content(c, rel, b.data ? b.data : "", b.len);
	} else {
		rc = src_github_get(c, owner, name, ref, rel, &b, note, notelen);
		if (rc == 0)
			rc = src_check_content(c, rel, b.data ? b.data : "", b.len);
		if (rc == 0)
			src_cache_put(c, web, ref, rel, b.data ? b.data : "", b.len);
	}
	if (rc) {
		free(web);
		buf_release(&b);
		return rc;
	}
	if (!b.data && buf_grow(&b, 1) == 0)
		b.data[0] = '\0';
	f->origin = SOURCE_GITHUB;
	f->data = b.data;
	f->len = b.len;
	f->path = strdup(rel);
	f->repo = web;
	f->ref = *ref ? strdup(ref) : NULL;
	f->commit = ref_is_commit(ref) ? strdup(ref) : NULL;
	if (asprintf(&f->url, "%s/blob/%s/%s", web, *ref ? ref : "HEAD", rel) < 0)
		f->url = NULL;
	return 0;
}

/*
 * The cache directory into out (n bytes): --cache-dir, else $XDG_CACHE_HOME/smolder, else
 * $HOME/.cache/smolder; *from names the one taken and *fix how to shorten it.  Returns
 * its length (>= n: it does not fit, out is cut), or -1 when none is set.
 */
static int cache_dir_pick(const struct source_opts *o, char *out, size_t n, const char **from,
			  const char **fix)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (o->cache_dir && *o->cache_dir) {
		*from = "--cache-dir";
		*fix = "give a shorter --cache-dir";
		return snprintf(out, n, "%s", o->cache_dir);
	}
	if (x && x[0] == '/') {
		*from = "$XDG_CACHE_HOME/smolder";
		*fix = "give --cache-dir, or set a shorter XDG_CACHE_HOME";
		return snprintf(out, n, "%s/smolder", x);
	}
	if (home && home[0] == '/') {
		*from = "$HOME/.cache/smolder";
		*fix = "give --cache-dir, or set a shorter XDG_CACHE_HOME";
		return snprintf(out, n, "%s/.cache/smolder", home);
	}
	return -1;
}

/*
 * Whether the cache directory is too long for c->cache_dir: cut short, it would name one
 * of its parents, and clones would land there.  So setup_paths() leaves it empty (nothing
 * is cached: plain files, local repositories and GitHub's API still work) and a step that
 * needs a clone fails with this message (ERR_USAGE), naming where the directory came from.
 */
static bool cache_dir_too_long(struct src_ctx *c)
{
	char probe[sizeof(c->cache_dir)];
	const char *from, *fix;
	int n = cache_dir_pick(c->o, probe, sizeof(probe), &from, &fix);

	if (n < (int)sizeof(probe))
		return false;
	err_set(ERR_USAGE, "the cache directory (%s) is %d bytes long, more than the %zu it may "
			   "have, so nothing can be cloned: %s", from, n, sizeof(probe) - 1, fix);
	return true;
}

/*
 * Keeps the current message, why a path was refused before any place was asked (it
 * escapes through "..", is no file of this machine), for a search that then asks nowhere:
 * its last line says so, not "nowhere to look (give --repo ...)".  It waits in hard_msg
 * with hard_code 0, which nothing else leaves there (note_hard and c->stop set a code
 * with their message, and win); the first refusal stays, the profile's own path's.
 */
static void note_refusal(struct src_ctx *c)
{
	if (!c->hard_code && !c->stop && !c->hard_msg[0])
		snprintf(c->hard_msg, sizeof(c->hard_msg), "%s", err_last());
}

int src_read(struct src_ctx *c, const struct src_place *pl, const char *path, const char *why,
	     struct source_file *f)
{
	char note[160] = "";
	const char *bad = NULL;
	char *rel, *desc, *owner = NULL, *name = NULL;
	struct src_memo_read seen;
	bool remote, memo = false;
	int rc;

	*f = (struct source_file)SOURCE_FILE_INIT;
	c->refused = false;
	c->no_ref = false;
	c->clone_refused = false;
	if (c->o->cancel && *c->o->cancel)
		return c->stop = err_set(ERR_CANCELLED, "cancelled");
	desc = place_desc(pl);
	rel = path_inside(path ? path : "", &bad);
	if (!rel) {
		src_trace(c, "%s: %s '%s': %s", why, desc ? desc : "?", path ? path : "", bad);
		free(desc);
		/* the path the profile names, or one a rule made of it: say which */
		if (path && strcmp(path, c->path) == 0)
			err_set(ERR_NOTFOUND, "%s", bad);
		else
			err_set(ERR_NOTFOUND, "'%s': %s", path ? path : "", bad);
		note_refusal(c);
		return ERR_NOTFOUND;
	}
	c->tries++;
	remote = !pl->dir && url_is_remote(pl->repo);
	if (remote && src_memo_read_get(c->memo, pl->repo, pl->ref, rel, src_now_ms(), &seen)) {
		/* asked earlier in this run: the same answer, without asking again */
		c->refused = seen.refused;
		c->no_ref = seen.no_ref;
		c->clone_refused = seen.clone_refused;
		snprintf(note, sizeof(note), "%.120s (as earlier in this run)", seen.note);
		rc = seen.rc;
		if (rc)
			err_set(rc, "%s", seen.msg);
		else
			*f = seen.f;
	} else if (pl->dir) {
		rc = read_in_dir(c, pl->dir, rel, f);
	} else if (remote && url_github_repo(pl->repo, c->github_host, &owner, &name) &&
		   !c->o->clone_github && !src_git_clone_exists(c, pl->repo)) {
		rc = read_github(c, pl, owner, name, rel, f, note, sizeof(note));
		memo = true;
	} else {
		char host[256];

		if (remote)
			url_host(pl->repo, host, sizeof(host));
		if (remote && strcmp(host, "github.com") == 0 &&
		    strcmp(c->github_host, "github.com") != 0 && !c->o->clone_github)
			/* --github-api names another server: its token and its answers are not
			   github.com's, so the repository is cloned like any other */
			src_trace(c, "%s: %s is on github.com and --github-api names %s: cloned, "
				     "not read through that API", why, desc ? desc : "?",
				  c->github_host);
		if (remote && !c->cache_dir[0] && cache_dir_too_long(c)) {
			rc = ERR_USAGE; /* the options', not the place's: not remembered */
		} else {
			rc = src_git_read(c, pl->repo, url_is_remote(pl->repo), pl->ref, rel, f,
					  note, sizeof(note));
			memo = remote;
		}
	}
	if (memo && rc != ERR_CANCELLED && rc != ERR_NOMEM) {
		struct src_memo_read r = { rc, (char *)(rc ? err_last() : ""), c->refused,
					   c->no_ref, c->clone_refused, "", *f };

		snprintf(r.note, sizeof(r.note), "%s", note);
		src_memo_read_put(c->memo, pl->repo, pl->ref, rel, src_now_ms(), &r);
	}
	free(owner);
	free(name);
	/* a clone or fetch refused for its size: no other path may download it again */
	if (rc && c->clone_refused) {
		c->stop = rc;
		snprintf(c->hard_msg, sizeof(c->hard_msg), "%s", err_last());
	}
	/* the service's own ref is missing: no other path can be read there either */
	if (rc == ERR_NOTFOUND && c->no_ref && pl->repo && c->service.repo &&
	    strcmp(pl->repo, c->service.repo) == 0 &&
	    strcmp(pl->ref ? pl->ref : "", c->service.ref ? c->service.ref : "") == 0) {
		c->stop = rc;
		snprintf(c->hard_msg, sizeof(c->hard_msg), "%s", err_last());
	}
	if (rc == 0)
		src_trace(c, "%s: %s '%s': found%s", why, desc ? desc : "?", rel, note);
	else
		src_trace(c, "%s: %s '%s': %s%s", why, desc ? desc : "?", rel, err_last(), note);
	if (rc)
		source_file_release(f);
	free(rel);
	free(desc);
	return rc;
}

static void note_hard(struct src_ctx *c, int rc)
{
	if (rc == 0 || (rc == ERR_NOTFOUND && !c->refused))
		return;
	c->hard_code = rc;
	snprintf(c->hard_msg, sizeof(c->hard_msg), "%s", err_last());
}

int src_try(struct src_ctx *c, const struct src_place *pl, const char *path, const char *why)
{
	struct source_file f;
	int rc;

	if (c->stop)
		return c->stop;
	rc = src_read(c, pl, path, why, &f);
	if (rc == 0) {
		*c->out = f;
		return 0;
	}
	if (c->refused || rc == ERR_CANCELLED || rc == ERR_NOMEM)
		c->stop = rc;
	note_hard(c, rc);
	return rc;
}

int src_try_repo_file(struct src_ctx *c, const char *path, const char *why)
{
	char *p;
	int rc;

	if (!c->have_service) {
		src_trace(c, "%s: no repository or --source-path to look in", why);
		return ERR_NOTFOUND;
	}
	p = path_join(c->root ? c->root : "", path, NULL);
	if (!p)
		return err_set(ERR_NOMEM, "out of memory");
	rc = src_try(c, &c->service, p, why);
	free(p);
	return rc;
}

/* ---------------------------------------------------------------- plain paths (pprof) */

/*
 * The next directory of a --source-path list into out (n bytes): pprof splits its
 * -source_path on ':' and searches each directory in order.  Empty entries, and entries
 * too long to be a path, are skipped.  false at the end of the list.
 */
static bool next_source_dir(const char **list, char *out, size_t n)
{
	while (*list && **list) {
		const char *d = *list;
		size_t len = strcspn(d, ":");

		*list += len;
		if (**list == ':')
			(*list)++;
		if (len == 0 || len >= n)
			continue;
		memcpy(out, d, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

/* whether the resolved path rp is dir or under it (dir resolved here; NULL, "": no) */
static bool resolves_under(const char *rp, const char *dir)
{
	char rdir[PATH_MAX];

	return dir && *dir && realpath(dir, rdir) && path_has_prefix_dir(rp, rdir);
}

/* the directory part of the absolute path p ("/" for "/x"), in a new string */
static char *parent_of(const char *p)
{
	char *parent = strdup(p), *slash;

	if (!parent)
		return NULL;
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return parent;
}

/*
 * Whether every symlink on the way to the clean absolute path p stays under the
 * directory it sits in: /lib -> usr/lib does (it sits in /), proj/dir -> /etc does not.
 */
static bool links_stay_home(const char *p)
{
	char prefix[PATH_MAX], rp[PATH_MAX];
	size_t n = strlen(p), i;

	if (n >= sizeof(prefix))
		return false;
	for (i = 1; i <= n; i++) {
		struct stat st;
		char *parent;
		bool ok;

		if (i < n && p[i] != '/')
			continue;
		memcpy(prefix, p, i);
		prefix[i] = '\0';
		if (lstat(prefix, &st) != 0)
			return false;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (!realpath(prefix, rp) || !(parent = parent_of(prefix)))
			return false;
		ok = resolves_under(rp, parent);
		free(parent);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * An existing absolute path may lead through symlinks only to a place the user named:
 * --source-path or the local repository, or else only through links that each stay in
 * the directory they sit in.  A link that leaves its directory for anywhere else
 * (svc/abs.go -> /etc/passwd, or a directory svc/conf -> /etc on the way to
 * svc/conf/passwd) is refused, as it is in git trees and under --source-path.
 */
static bool plain_allowed(struct src_ctx *c, const char *p, const char *rp)
{
	const char *list = c->o->source_path;
	char dir[PATH_MAX];

	while (next_source_dir(&list, dir, sizeof(dir)))
		if (resolves_under(rp, dir))
			return true;
	return
	       (c->repo && !url_is_remote(c->repo) && resolves_under(rp, c->repo)) ||
	       links_stay_home(p);
}

/*
 * pprof's trimPath: returns a pointer into path.  Without --trim-path, the guess is the
 * base name of each --source-path directory in turn (resolved: "." is the current
 * directory's name), cut at its first occurrence as a whole segment.
 */
static const char *pprof_trim(struct src_ctx *c, const char *path)
{
	const char *tp = c->o->trim_path, *list = c->o->source_path;
	static const char *const builtin[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };
	char dir[PATH_MAX], rdir[PATH_MAX], want[PATH_MAX + 2];
	size_t i;

	while ((!tp || !*tp) && next_source_dir(&list, dir, sizeof(dir))) {
		const char *base, *hit;

		if (!realpath(dir, rdir))
			continue;
		base = strrchr(rdir, '/');
		base = base ? base + 1 : rdir;
		if (!*base)
			continue;
		snprintf(want, sizeof(want), "/%s/", base);
		if ((hit = strstr(path, want)) != NULL)
			return hit + strlen(want);
	}
	while (tp && *tp) {
		size_t n = strcspn(tp, ":");

		if (n && strncmp(path, tp, n) == 0) {
			if (tp[n - 1] == '/')
				return path + n;
			if (path[n] == '/')
				return path + n + 1;
		}
		tp += n;
		if (*tp == ':')
			tp++;
	}
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strncmp(path, builtin[i], strlen(builtin[i])) == 0)
			return path + strlen(builtin[i]);
	return path;
}

/*
 * The absolute path a file: URL names (Node.js calls an ES module's file
 * file:///app/x.mjs), percent escapes undone, in out (n bytes): false when url is not a
 * file: URL of this machine (no host or localhost) or would need an escaped NUL or '/'.
 */
static bool file_url_path(const char *url, char *out, size_t n)
{
	const char *s;
	size_t k = 0;

	/* scheme and host are case-insensitive (RFC 3986 3.1, 3.2.2): FILE:///x is /x */
	if (strncasecmp(url, "file://", 7) != 0)
		return false;
	s = url + 7;
	if (strncasecmp(s, "localhost/", 10) == 0)
		s += 9;
	if (*s != '/')
		return false;
	for (; *s; s++) {
		int ch = (unsigned char)*s;

		if (ch == '%') {
			int hi = text_hexval(s[1]), lo = hi < 0 ? -1 : text_hexval(s[2]);

			if (lo < 0)
				return false;
			ch = hi * 16 + lo;
			if (ch == 0 || ch == '/')
				return false;
			s += 2;
		}
		if (k + 1 >= n)
			return false;
		out[k++] = (char)ch;
	}
	out[k] = '\0';
	return true;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

#define LINKED_TREES_MAX 256 /* `git worktree add` trees looked at; a repository has a few */

/*
 * Whether p or rp is in a linked work tree of the repository whose git directory is
 * gitdir (`git worktree add`): it is as much no version as the main one.  git keeps each
 * one's .git file as the first line of <gitdir>/worktrees/NAME/gitdir.  (--repo naming a
 * linked tree itself: its own tree is the work tree above; the main one and the others
 * are not looked for.)
 */
static bool in_linked_tree(const char *gitdir, const char *p, const char *rp)
{
	char dir[PATH_MAX], file[PATH_MAX], line[PATH_MAX], top[PATH_MAX];
	struct dirent *e;
	bool in = false;
	unsigned n = 0;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/worktrees", gitdir) >= (int)sizeof(dir) ||
	    !(d = opendir(dir)))
		return false;
	while (!in && n++ < LINKED_TREES_MAX && (e = readdir(d)) != NULL) {
		FILE *fp;
		char *slash;

		if (e->d_name[0] == '.' ||
		    snprintf(file, sizeof(file), "%s/%s/gitdir", dir, e->d_name) >=
			    (int)sizeof(file) ||
		    !(fp = fopen(file, "re")))
			continue;
		if (fgets(line, sizeof(line), fp)) {
			line[strcspn(line, "\r\n")] = '\0';
			slash = strrchr(line, '/');
			if (slash && slash != line && strcmp(slash, "/.git") == 0)
				*slash = '\0';
			in = slash && realpath(line, top) &&
			     (path_has_prefix_dir(rp, top) || path_has_prefix_dir(p, top));
		}
		fclose(fp);
	}
	closedir(d);
	return in;
}

/*
 * Whether the plain paths must leave a file alone because a ref is set and the file is
 * in the local repository's work tree (p as written, or rp, where it resolves to) — the
 * directory of --repo PATH or of a file: URL, or a tree `git worktree add` linked to
 * it: the work tree is no version (uncommitted files, or a checkout of another version), so
 * shown under the ref's numbers it would be taken for the ref's code.  Files elsewhere,
 * the Go installation's or /usr/include's, are no version of the repository and are read
 * as before; so are all files when no ref is set (HEAD: the work tree is the user's).
 */
static bool in_work_tree(struct src_ctx *c, const char *p, const char *rp)
{
	char top[PATH_MAX], named[PATH_MAX];
	const char *repo = c->service.repo;
	char *base;

	if (!c->ref || !*c->ref || !repo)
		return false;
	/* a file: URL is cloned like a remote one, but the directory it names is a work
	   tree on this disk all the same */
	if (strncasecmp(repo, "file:", 5) == 0 && file_url_path(repo, named, sizeof(named)))
		repo = named;
	else if (url_is_remote(repo))
		return false;
	if (!realpath(repo, top))
		return false;
	/* --repo naming the .git directory: the work tree is its parent */
	base = strrchr(top, '/');
	if (base && base != top && strcmp(base, "/.git") == 0) {
		snprintf(named, sizeof(named), "%s", top);
		*base = '\0';
	} else if (snprintf(named, sizeof(named), "%s/.git", top) >= (int)sizeof(named) ||
		   !is_dir(named)) {
		snprintf(named, sizeof(named), "%s", top); /* bare: the git directory itself */
	}
	return path_has_prefix_dir(rp, top) || path_has_prefix_dir(p, top) ||
	       in_linked_tree(named, p, rp);
}

/* in_work_tree() said no to path: the reason, for the trace and the search's last line */
static int refuse_work_tree(struct src_ctx *c, const char *path)
{
	int rc = err_set(ERR_NOTFOUND, "not at %s (the work tree of '%s' has it, but plain "
				       "files are not a version)", c->ref, c->service.repo);

	src_trace(c, "plain: '%s': %s", path, err_last());
	c->hard_code = rc;
	snprintf(c->hard_msg, sizeof(c->hard_msg), "%s", err_last());
	return rc;
}

static int find_plain(struct src_ctx *c)
{
	const char *sp = c->o->source_path;
	char dir[PATH_MAX], rp[PATH_MAX];
	const char *p;
	struct source_file f = SOURCE_FILE_INIT;
	int rc;

	if (!c->path || !*c->path) {
		src_trace(c, "plain: no file path in the profile");
		return ERR_NOTFOUND;
	}
	p = c->path;
	if (strncasecmp(p, "file:", 5) == 0) {
		/* source_find() made a file: URL of this machine its path: this one names none */
		err_set(ERR_NOTFOUND, "not a file of this machine");
		note_refusal(c);
		src_trace(c, "plain: '%s' is %s", p, err_last());
		return ERR_NOTFOUND;
	}
	p = pprof_trim(c, p);
	if (p != c->path)
		src_trace(c, "plain: '%s' trimmed to '%s'", c->path, p);
	if (p[0] == '/') {
		char *clean = path_clean(p);
		bool dotted = !clean || strcmp(clean, p) != 0;

		free(clean);
		if (dotted) { /* /../../etc/passwd is not a path a compiler wrote */
			err_set(ERR_NOTFOUND, "refused: '%s' is not a clean path", p);
			note_refusal(c);
			src_trace(c, "plain: absolute path '%s': %s", p, err_last());
			return ERR_NOTFOUND;
		}
		if (c->o->cancel && *c->o->cancel)
			return c->stop = err_set(ERR_CANCELLED, "cancelled");
		c->tries++;
		if (!realpath(p, rp)) {
			src_trace(c, "plain: absolute path '%s': %s", p, strerror(errno));
			return ERR_NOTFOUND;
		}
		if (in_work_tree(c, p, rp))
			return refuse_work_tree(c, p);
		if (!plain_allowed(c, p, rp)) {
			c->refused = true;
			rc = err_set(ERR_NOTFOUND, "refused: '%s' leads out of its directory through a "
						   "symlink",
				     p);
			src_trace(c, "plain: absolute path '%s': %s", p, err_last());
			note_hard(c, rc);
			return c->stop = rc;
		}
		c->refused = false;
		rc = read_disk(c, rp, p, &f);
		if (rc) {
			src_trace(c, "plain: absolute path '%s': %s", p, err_last());
			if (c->refused)
				c->stop = rc;
			note_hard(c, rc);
			return rc;
		}
		f.origin = SOURCE_LOCAL_FILE;
		f.path = strdup(p);
		f.local_path = strdup(rp);
		if (!f.path || !f.local_path) {
			source_file_release(&f);
			return c->stop = err_set(ERR_NOMEM, "out of memory");
		}
		src_trace(c, "plain: absolute path '%s': found", p);
		*c->out = f;
		return 0;
	}
	if (!next_source_dir(&sp, dir, sizeof(dir))) {
		src_trace(c, "plain: '%s' is relative and there is no --source-path", p);
		return ERR_NOTFOUND;
	}
	/* each directory of the list in order, as pprof (a refusal ends the search) */
	do {
		struct src_place pl = { NULL, dir, NULL };

		rc = src_try(c, &pl, p, "plain: --source-path");
		if (rc == 0 && in_work_tree(c, c->out->local_path, c->out->local_path)) {
			rc = refuse_work_tree(c, c->out->local_path);
			source_file_release(c->out);
			continue;
		}
		if (rc == 0 || c->stop)
			return rc;
	} while (next_source_dir(&sp, dir, sizeof(dir)));
	return rc;
}

/* ---------------------------------------------------------------- setup */

static const char *pick(struct src_ctx *c, const char *flag, const struct labelset *ls,
			const char *label, const char *what, bool url_only)
{
	const char *v = ls ? labelset_get(ls, label) : NULL;
	char *r;

	if (flag && *flag) {
		/* a repository URL may carry credentials: never in the trace */
		r = url_only ? url_redact(flag) : NULL;
		src_trace(c, "%s '%s' from the options%s", what, url_only ? (r ? r : "?") : flag,
			  v && *v && strcmp(v, flag) ? " (overrides the series label)" : "");
		free(r);
		return flag;
	}
	if (v && *v) {
		bool ok = !url_only || source_label_repo_ok(v);

		r = url_only ? url_redact(v) : NULL;
		if (!ok)
			src_trace(c, "%s: label %s='%s' ignored: labels may only name http(s) URLs",
				  what, label, r ? r : "?");
		else
			src_trace(c, "%s '%s' from the label %s", what, url_only ? (r ? r : "?") : v,
				  label);
		free(r);
		return ok ? v : NULL;
	}
	return NULL;
}

/*
 * The --source-path directory that stands in for the repository in Pyroscope's rules
 * (.pyroscope.yaml, go.mod, the Go path search): the first of the list that is a
 * directory, else the first named.  false when the list names none.
 */
static bool pick_source_dir(struct src_ctx *c)
{
	const char *list = c->o->source_path;
	char dir[PATH_MAX];
	struct stat st;
	bool several;

	if (!next_source_dir(&list, c->source_dir, sizeof(c->source_dir)))
		return false;
	several = next_source_dir(&list, dir, sizeof(dir));
	list = c->o->source_path;
	while (next_source_dir(&list, dir, sizeof(dir))) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			memcpy(c->source_dir, dir, sizeof(dir));
			break;
		}
	}
	if (several)
		src_trace(c, "the rules read the directory '%s' of the --source-path list",
			  c->source_dir);
	return true;
}

static void setup_github(struct src_ctx *c)
{
	const char *api = c->o->github_api && *c->o->github_api ? c->o->github_api
								 : "https://api.github.com";
	size_t n;
	char origin[512];

	snprintf(c->github_api, sizeof(c->github_api), "%s", api);
	n = strlen(c->github_api);
	while (n && c->github_api[n - 1] == '/')
		c->github_api[--n] = '\0';
	url_origin(c->github_api, origin, sizeof(origin));
	if (strcmp(origin, "https://api.github.com") == 0)
		snprintf(c->github_web, sizeof(c->github_web), "https://github.com");
	else
		snprintf(c->github_web, sizeof(c->github_web), "%s", origin);
	url_host(c->github_web, c->github_host, sizeof(c->github_host));
	c->token = c->o->github_token ? c->o->github_token : getenv("GITHUB_TOKEN");
	if (c->token && !*c->token)
		c->token = NULL;
}

/* The cache directory (empty: none, or too long), the Go installation and the TTL. */
static void setup_paths(struct src_ctx *c)
{
	static const char *const goroots[] = { "/usr/local/go", "/usr/lib/go" };
	const char *x, *from, *fix;
	struct stat st;
	char probe[PATH_MAX];
	size_t i;
	int n = cache_dir_pick(c->o, c->cache_dir, sizeof(c->cache_dir), &from, &fix);

	if (n < 0 || n >= (int)sizeof(c->cache_dir)) {
		c->cache_dir[0] = '\0';
		if (n > 0 && cache_dir_too_long(c))
			src_trace(c, "nothing is cached: %s", err_last());
		err_clear();
	}
	c->ttl = c->o->cache_ttl ? c->o->cache_ttl : SOURCE_DEFAULT_TTL;
	c->goroot = c->o->goroot;
	if (!c->goroot && (x = getenv("GOROOT")) != NULL && *x)
		c->goroot = x;
	for (i = 0; !c->goroot && i < sizeof(goroots) / sizeof(goroots[0]); i++) {
		snprintf(probe, sizeof(probe), "%s/src", goroots[i]);
		if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode))
			c->goroot = goroots[i];
	}
}

/*
 * The bytes a clone or fetch may download: opts->clone_max_bytes, else
 * $SMOLDER_CLONE_MAX (bytes, or with a suffix K, M or G: powers of 1024), else
 * SOURCE_CLONE_MAX.  ERR_USAGE when the variable is not a size.
 */
static int setup_clone_max(struct src_ctx *c)
{
	const char *e = getenv("SMOLDER_CLONE_MAX");
	unsigned long long v;
	char *end;
	int shift = 0;

	c->clone_max = c->o->clone_max_bytes ? c->o->clone_max_bytes : SOURCE_CLONE_MAX;
	if (c->o->clone_max_bytes || !e || !*e)
		return 0;
	errno = 0;
	v = strtoull(e, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (!isdigit((unsigned char)e[0]) || *end || errno || v == 0 || v > (UINT64_MAX >> shift))
		return err_set(ERR_USAGE, "SMOLDER_CLONE_MAX='%.40s': not a size (bytes, or a number "
					  "with K, M or G)", e);
	c->clone_max = (uint64_t)v << shift;
	return 0;
}

int source_find(const struct source_opts *opts, const struct labelset *labels,
		const char *function_name, const char *file_path, struct source_file *out,
		struct source_trace *trace)
{
	static const struct source_opts none;
	struct source_memo *own_memo = NULL;
	struct src_ctx c;
	struct stat st;
	char fpath[PATH_MAX];
	const char *named = file_path ? file_path : ""; /* the profile's name, for messages */
	int rc;

	memset(&c, 0, sizeof(c));
	*out = (struct source_file)SOURCE_FILE_INIT;
	pthread_once(&once, global_init);
	c.o = opts ? opts : &none;
	c.trace = trace;
	c.out = out;
	c.fn = function_name ? function_name : "";
	c.path = file_path ? file_path : "";
	if (!*c.fn && !*c.path)
		return err_set(ERR_USAGE, "no function name and no file path to resolve");
	c.memo = c.o->memo;
	if (!c.memo && source_memo_new(&own_memo))
		return ERR_NOMEM;
	if (!c.memo)
		c.memo = own_memo;
	src_trace(&c, "resolving '%s'%s%s%s", c.path, *c.fn ? " (function '" : "", c.fn,
		  *c.fn ? "')" : "");
	/*
	 * A file: URL (Node.js names ES modules file:///app/x.mjs) is the path it names for
	 * every step: .pyroscope.yaml's prefixes and the language rules compare paths, not
	 * URLs.  One that names no file of this machine stays as it is: the plain paths
	 * refuse it, and src_find_rules() reads nothing for it.
	 */
	if (strncasecmp(c.path, "file:", 5) == 0 && file_url_path(c.path, fpath, sizeof(fpath))) {
		src_trace(&c, "the URL '%s' is the file '%s'", c.path, fpath);
		c.path = fpath;
	}
	setup_github(&c);
	setup_paths(&c);
	if ((rc = setup_clone_max(&c)))
		goto done;
	c.repo = pick(&c, c.o->repo, labels, "service_repository", "repository", true);
	c.ref = pick(&c, c.o->ref, labels, "service_git_ref", "ref", false);
	c.root = pick(&c, c.o->root, labels, "service_root_path", "root path", false);
	if (!c.repo && c.o->ref && *c.o->ref) {
		/* files on disk are the work tree: reading them for a ref shows another version */
		rc = err_set(ERR_USAGE, "--ref '%s' needs a repository to read it in: give --repo "
					"(--source-path is read as plain files)", c.o->ref);
		goto done;
	}
	if (c.repo) {
		c.service = (struct src_place){ c.repo, NULL, c.ref };
		c.have_service = true;
		if (!url_is_remote(c.repo) && stat(c.repo, &st) != 0) {
			rc = err_set(ERR_USAGE, "repository '%s': %s", c.repo, strerror(errno));
			goto done;
		}
		if (!url_is_remote(c.repo) && stat(c.repo, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (rc = src_git_probe(&c, c.repo)) != 0) {
			if (rc != ERR_NOTFOUND) {
				rc = err_prefix(ERR_USAGE, "'%s'", c.repo);
				goto done;
			}
			if (c.ref && *c.ref) {
				rc = err_set(ERR_USAGE, "'%s' is not a git repository, so it has no ref '%s'",
					     c.repo, c.ref);
				goto done;
			}
			src_trace(&c, "repository '%s' is not a git repository: read as a directory",
				  c.repo);
			c.service = (struct src_place){ NULL, c.repo, NULL };
		}
	} else if (pick_source_dir(&c)) {
		c.service = (struct src_place){ NULL, c.source_dir, NULL };
		c.have_service = true;
	}
	if (c.repo) {
		rc = src_find_rules(&c);
		if (rc && !c.stop) {
			src_trace(&c, "the repository does not have it: plain paths");
			rc = find_plain(&c);
		}
	} else {
		rc = find_plain(&c);
		if (rc && !c.stop)
			rc = src_find_rules(&c);
	}
	if (rc == 0 && out->data) {
		src_trace(&c, "result: %s '%s'%s%s%s%s (%zu bytes)", source_origin_name(out->origin),
			  out->path, out->repo ? " in " : "", out->repo ? out->repo : "",
			  out->commit ? " at commit " : out->ref ? " at " : "",
			  out->commit ? out->commit : out->ref ? out->ref : "", out->len);
		goto done;
	}
	source_file_release(out);
	if (c.stop == ERR_CANCELLED)
		rc = err_set(ERR_CANCELLED, "source lookup cancelled");
	else if (c.stop)
		rc = err_set(c.stop, "%s", c.hard_msg);
	else if (c.hard_code)
		rc = err_set(ERR_NOTFOUND, "no source for '%s': %s", *named ? named : c.fn,
			     c.hard_msg);
	else if (c.tries == 0 && c.hard_msg[0])
		rc = err_set(ERR_NOTFOUND, "no source for '%s': %s", *named ? named : c.fn,
			     c.hard_msg);
	else if (c.tries == 0)
		rc = err_set(ERR_NOTFOUND, "no source for '%s': %s", *named ? named : c.fn,
			     !*c.path ? "the profile names no file for it"
			     : c.have_service ? "no place could be asked for it"
					      : "nowhere to look (give --repo or --source-path)");
	else
		rc = err_set(ERR_NOTFOUND, "no source for '%s': not in any of the %u place%s tried",
			     *named ? named : c.fn, c.tries, c.tries == 1 ? "" : "s");
	src_trace(&c, "result: %s", err_last());
done:
	src_config_release(c.cfg_own);
	free(c.cfg_own);
	src_git_close_all(&c);
	source_memo_free(own_memo);
	return rc;
}
