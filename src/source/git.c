/*
 * git.c — everything smolder does with libgit2 (the only file that includes git2.h):
 * open a local clone, or clone a remote URL once, bare, into <cache>/repos/<name>, and
 * read the blob at REF:path without a checkout, following symlinks only while they stay
 * inside the tree.  A clone is fetched when the ref is missing, or when it is a branch or
 * tag and the last fetch is older than the TTL (at most once per source_find call); a ref
 * still missing after a fetch is not fetched for again for SRC_MEMO_FAIL_TTL_MS (the
 * run's memo).  A clone's HEAD follows the remote's default branch (set after the clone
 * and each fetch), so a read without a ref is upstream's HEAD whatever that branch is
 * called.  A clone or fetch stops past c->clone_max bytes received (a label names the URL)
 * and is refused.
 *
 * libgit2 is given a remote's URL without its credentials (struct remote_auth): a clone
 * keeps that URL in its config, so a user name and password (a token) given in the URL
 * are handed to libgit2 apart, through the credentials callback, and never reach the disk;
 * they go to the URL's own scheme, host and port only, whatever a redirect says.
 *
 * A clone is named by that URL too (url_cache_name), so a rotated token or password reads
 * the same clone, fetched with the current one.  Clones named by the URL as given
 * (credentials and query in their name's hash, before) are renamed once when their URL is
 * read again (adopt_old_clone).
 *
 * Clones are made in a temporary directory and renamed into place under an flock'd
 * <name>.lock, so two threads or processes never clone the same URL into one directory;
 * the lock's holder removes the temporary directories killed clones left, and a clone
 * directory libgit2 cannot open (damaged) before it clones again (clear_damaged).  A clone
 * that failed, for whatever reason, is not tried again for SRC_MEMO_FAIL_TTL_MS (the run's
 * memo); a fetch that could not reach its remote neither.
 * Local repositories are opened read-only in spirit: nothing here writes to them (they
 * are never fetched; a missing ref is reported instead).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/vec.h"
#include "source_int.h"

#define GIT_MAX_HOPS 8       /* symlinks followed in one lookup */
#define GIT_LINK_MAX 4096    /* bytes of a symlink target */
#define LOCK_WAIT_MS 600000  /* waiting for another clone of the same URL */

/*
 * A remote as libgit2 is given it: url without credentials, which a clone keeps in its
 * config (FETCH_HEAD quotes it too), and the user name and password of the URL as given,
 * handed over by the credentials callback (on_credentials).  http(s): all of the user
 * information goes, and the query and fragment too (libgit2 sends no query: it asks for
 * <path>/info/refs?service=...), and a user name without a password is given with an
 * empty one (a token given as the user name).  Other schemes keep the user name, which ssh
 * needs and which is no secret, and lose the password.  password is NULL when there is
 * nothing to give.
 */
struct remote_auth {
	char *url;
	char *user, *password;
};

struct src_git {
	char *key;  /* the repository as given (path or URL) */
	git_repository *repo;
	bool remote;
	bool fetched;  /* fetched during this call */
	char *dir;     /* the clone directory (remote) */
	struct remote_auth auth; /* remote: how libgit2 is given it */
};

static void auth_release(struct remote_auth *a)
{
	free(a->url);
	url_free_secret(a->user);
	url_free_secret(a->password);
	a->url = a->user = a->password = NULL;
}

static int auth_init(struct remote_auth *a, const char *url)
{
	bool http = url_is_http(url);

	if (url_take_credentials(url, !http, &a->url, &a->user, &a->password))
		return err_set(ERR_NOMEM, "out of memory");
	/* libgit2 knows only a lower-case "file://" (schemes are case-insensitive) */
	if (strncasecmp(a->url, "file:", 5) == 0)
		memcpy(a->url, "file:", 5);
	if (http) {
		a->url[strcspn(a->url, "?#")] = '\0';
		if (a->user && !a->password && !(a->password = strdup(""))) {
			auth_release(a);
			return err_set(ERR_NOMEM, "out of memory");
		}
	}
	return 0;
}

void src_git_global_init(void)
{
	git_libgit2_init();
	/* read-only use of clones that belong to another user (deploy accounts) */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

/*
 * what: libgit2's last message.  url, when the failure is about a remote: libgit2 quotes
 * it (or its host with the user information before it) as it was given, so it is
 * redacted in the message (url_redact_text()) before the message is cut to length.
 */
static int git_fail_url(int code, const char *what, const char *url)
{
	const git_error *e = git_error_last();
	const char *raw = e && e->message ? e->message : "unknown libgit2 error";
	struct buf shown = BUF_INIT;
	char msg[300];
	size_t i;

	if (url && url_redact_text(raw, url, &shown)) {
		buf_release(&shown);
		return err_set(code, "%s: out of memory", what); /* not the raw message */
	}
	snprintf(msg, sizeof(msg), "%s", url ? shown.data : raw);
	buf_release(&shown);
	for (i = 0; msg[i]; i++)
		if (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t')
			msg[i] = ' ';
	for (i = strlen(msg); i > 0 && (msg[i - 1] == ' ' || msg[i - 1] == '.'); i--)
		msg[i - 1] = '\0';
	return err_set(code, "%s: %s", what, msg);
}

static int git_fail(int code, const char *what)
{
	return git_fail_url(code, what, NULL);
}

/* url: the URL as libgit2 is given it (struct remote_auth), without credentials */
static char *clone_dir(struct src_ctx *c, const char *url)
{
	char *name, *dir;

	if (!c->cache_dir[0])
		return NULL;
	name = url_cache_name(url);
	if (!name)
		return NULL;
	if (asprintf(&dir, "%s/repos/%s", c->cache_dir, name) < 0)
		dir = NULL;
	free(name);
	return dir;
}

static bool is_dir(char *dir) /* frees dir */
{
	struct stat st;
	bool ok = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);

	free(dir);
	return ok;
}

/*
 * Under its name, or under the name of the URL as given (credentials and query in its
 * hash), which open_repo() renames it from (adopt_old_clone)
 */
bool src_git_clone_exists(struct src_ctx *c, const char *url)
{
	struct remote_auth a = { NULL, NULL, NULL };
	bool ok = auth_init(&a, url) == 0 && (is_dir(clone_dir(c, a.url)) ||
					      (strcmp(a.url, url) != 0 && is_dir(clone_dir(c, url))));

	auth_release(&a);
	err_clear();
	return ok;
}

void src_git_close_all(struct src_ctx *c)
{
	size_t i;

	for (i = 0; i < c->ngits; i++) {
		git_repository_free(c->gits[i]->repo);
		free(c->gits[i]->key);
		free(c->gits[i]->dir);
		auth_release(&c->gits[i]->auth);
		free(c->gits[i]);
	}
	free(c->gits);
	c->gits = NULL;
	c->ngits = c->capgits = 0;
}

static struct src_git *cached(struct src_ctx *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->ngits; i++)
		if (strcmp(c->gits[i]->key, key) == 0)
			return c->gits[i];
	return NULL;
}

static int remember(struct src_ctx *c, const char *key, git_repository *repo, bool remote,
		    char *dir, struct src_git **out)
{
	struct src_git *g = calloc(1, sizeof(*g));

	if (!g || vec_reserve(&c->gits, &c->capgits, c->ngits + 1) ||
	    !(g->key = strdup(key))) {
		free(g);
		git_repository_free(repo);
		free(dir);
		return err_set(ERR_NOMEM, "out of memory");
	}
	g->repo = repo;
	g->remote = remote;
	g->dir = dir;
	c->gits[c->ngits++] = g;
	*out = g;
	return 0;
}

int src_git_probe(struct src_ctx *c, const char *path)
{
	git_repository *repo;
	struct src_git *g;
	int rc;

	if (cached(c, path))
		return 0;
	rc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == GIT_ENOTFOUND)
		return err_set(ERR_NOTFOUND, "'%s' is not a git repository", path);
	if (rc < 0)
		return git_fail(ERR_IO, "cannot open the repository");
	return remember(c, path, repo, false, NULL, &g);
}

/* ---------------------------------------------------------------- network callbacks */

struct netcb {
	struct src_ctx *c;
	const struct remote_auth *auth;
	char what[300];
	int cred_tries;
	bool auth_given; /* auth's user name and password were handed over */
	bool too_big;    /* stopped at c->clone_max bytes */
	char withheld[256]; /* the origin of a server they were not handed to (same_origin) */
};

static int on_transfer(const git_indexer_progress *st, void *payload)
{
	struct netcb *n = payload;

	if (n->c->o->cancel && *n->c->o->cancel)
		return -1;
	/* a label names the URL: anyone who can push a profile picks what is downloaded */
	if (st->received_bytes > n->c->clone_max) {
		n->too_big = true;
		return -1;
	}
	if (n->c->o->progress)
		n->c->o->progress(n->c->o->progress_arg, n->what,
				  st->received_objects + st->indexed_deltas,
				  st->total_objects + st->total_deltas);
	return 0;
}

/*
 * Whether the server libgit2 asks credentials for (url) is the repository's (repo, as
 * libgit2 is given it): same scheme, host and port.  After a redirect of the first request
 * that server may be another: libgit2 with upstream's 07de6a7 (Debian's 1.5.1+ds-1+deb12u2,
 * CVE-2026-53586) names it here; released libgit2 up to 1.9 names the repository's URL
 * whoever asks, which is why set_fetch_opts() follows no redirect to another host.
 */
static bool same_origin(const char *url, const char *repo)
{
	char a[512], b[512];

	if (!url)
		return false;
	url_origin(url, a, sizeof(a));
	url_origin(repo, b, sizeof(b));
	if (!a[0])
		return false;
	/*
	 * http://host to https://host, both on their default ports, is the same server
	 * moving to TLS (a self-hosted forge answering plain http so): libgit2 follows that
	 * redirect, and the credentials go with it, as they would have in the URL
	 */
	if (strncmp(b, "http://", 7) == 0 && strncmp(a, "https://", 8) == 0 &&
	    !strchr(b + 7, ':') && !strchr(a + 8, ':'))
		return strcmp(a + 8, b + 7) == 0;
	return strcmp(a, b) == 0;
}

static int on_credentials(git_credential **out, const char *url, const char *user,
			  unsigned int allowed, void *payload)
{
	struct netcb *n = payload;

	/*
	 * the user information the URL was given with, once (libgit2 asks again when the
	 * server refuses it: that is the refusal), and only to the URL's own origin
	 * (same_origin; http(s) only, the one transport that redirects: an ssh:// URL's
	 * password goes to its host as before)
	 */
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && n->auth && n->auth->password &&
	    !n->auth_given) {
		if (url_is_http(n->auth->url) && !same_origin(url, n->auth->url)) {
			if (url)
				url_origin(url, n->withheld, sizeof(n->withheld));
			if (!n->withheld[0])
				snprintf(n->withheld, sizeof(n->withheld), "another server");
			return GIT_PASSTHROUGH;
		}
		n->auth_given = true;
		return git_credential_userpass_plaintext_new(
			out, n->auth->user ? n->auth->user : "", n->auth->password);
	}
	/* ssh: the agent, once; nothing else (the GitHub token is for the API host only) */
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && n->cred_tries++ == 0)
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	return GIT_PASSTHROUGH;
}

/*
 * A remote given credentials follows no redirect to another host (libgit2's "off-site"):
 * a libgit2 without 07de6a7 gives the callback the repository's URL whoever asks
 * (same_origin).  Same-host redirects (a renamed repository) are still followed, on any
 * port (libgit2 compares hosts only; same_origin withholds the credentials there when it
 * can tell), and so is any redirect of a URL without credentials.
 */
static void set_fetch_opts(git_fetch_options *fo, struct netcb *n)
{
	fo->callbacks.transfer_progress = on_transfer;
	fo->callbacks.credentials = on_credentials;
	fo->callbacks.payload = n;
	if (n->auth && n->auth->password)
		fo->follow_redirects = GIT_REMOTE_REDIRECT_NONE;
}

static int create_mirror_remote(git_remote **out, git_repository *repo, const char *name,
				const char *url, void *payload)
{
	(void)payload;
	/* branches land in refs/heads/ so that a ref resolves as it does upstream */
	return git_remote_create_with_fetchspec(out, repo, name, url, "+refs/heads/*:refs/heads/*");
}

/*
 * HEAD of a bare clone follows the remote's default branch (branch, "refs/heads/..."),
 * so that a read without a ref sees what upstream's HEAD names.  git_clone leaves HEAD on
 * refs/heads/master when the mirror refspec keeps it from finding the branch; a branch
 * that is not in the clone is left alone (HEAD stays as it is).
 */
static void follow_default_branch(git_repository *repo, const char *branch)
{
	git_reference *r = NULL;

	if (!branch || strncmp(branch, "refs/heads/", 11) != 0 ||
	    git_reference_lookup(&r, repo, branch) < 0)
		return;
	git_reference_free(r);
	if (git_repository_set_head(repo, branch) < 0)
		git_error_clear(); /* a read without a ref reports the missing HEAD */
}

/* after git_clone: the default branch it saw is refs/remotes/origin/HEAD's target */
static void follow_cloned_head(git_repository *repo)
{
	git_reference *r = NULL;

	if (git_reference_lookup(&r, repo, "refs/remotes/origin/HEAD") < 0) {
		git_error_clear();
		return;
	}
	if (git_reference_type(r) == GIT_REFERENCE_SYMBOLIC)
		follow_default_branch(repo, git_reference_symbolic_target(r));
	git_reference_free(r);
}

static void touch_stamp(const char *gitdir)
{
	char *p;
	int fd;

	if (asprintf(&p, "%s/smolder-fetched", gitdir) < 0)
		return;
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	free(p);
}

static bool stale(struct src_ctx *c, const char *gitdir)
{
	char *p;
	struct stat st;
	bool old = true;

	if (c->ttl < 0)
		return true;
	if (asprintf(&p, "%s/smolder-fetched", gitdir) < 0)
		return true;
	if (stat(p, &st) == 0)
		old = time(NULL) - st.st_mtime > c->ttl;
	free(p);
	return old;
}

/* "1 GiB", "512 KiB", "1000 bytes" */
static void size_str(char *out, size_t n, uint64_t v)
{
	if (v && v % (1u << 30) == 0)
		snprintf(out, n, "%llu GiB", (unsigned long long)(v >> 30));
	else if (v && v % (1u << 20) == 0)
		snprintf(out, n, "%llu MiB", (unsigned long long)(v >> 20));
	else if (v && v % 1024 == 0)
		snprintf(out, n, "%llu KiB", (unsigned long long)(v >> 10));
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)v);
}

/*
 * <dir>.toobig holds the limit a clone of the URL passed, so that later lookups refuse
 * it without downloading it again; a larger limit tries again.
 */
static char *toobig_path(const char *dir)
{
	char *p;

	return asprintf(&p, "%s.toobig", dir) < 0 ? NULL : p;
}

static void toobig_mark(struct src_ctx *c, const char *dir)
{
	char *p = toobig_path(dir);
	FILE *f = p ? fopen(p, "we") : NULL;

	if (f) {
		fprintf(f, "%llu\n", (unsigned long long)c->clone_max);
		fclose(f);
	}
	free(p);
}

static bool toobig_known(struct src_ctx *c, const char *dir)
{
	char *p = toobig_path(dir), line[32] = "";
	FILE *f = p ? fopen(p, "re") : NULL;
	bool known = false;

	if (f) {
		if (fgets(line, sizeof(line), f))
			known = strtoull(line, NULL, 10) >= c->clone_max;
		fclose(f);
	}
	free(p);
	return known;
}

static int refuse_size(struct src_ctx *c, const char *what, const char *shown, bool before)
{
	char lim[48];

	size_str(lim, sizeof(lim), c->clone_max);
	c->clone_refused = true;
	return err_set(ERR_TOOBIG, "refused: %s '%s' passed the limit of %s (SMOLDER_CLONE_MAX)%s",
		       what, shown ? shown : "?", lim,
		       before ? ", on an earlier attempt" : "");
}

static int lock_clone(struct src_ctx *c, const char *dir, int *fd)
{
	char *p;
	int waited = 0;

	if (asprintf(&p, "%s.lock", dir) < 0)
		return err_set(ERR_NOMEM, "out of memory");
	*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	if (*fd < 0)
		return err_set(ERR_IO, "cannot create a lock next to '%s': %s", dir, strerror(errno));
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if ((c->o->cancel && *c->o->cancel) || waited >= LOCK_WAIT_MS) {
			close(*fd);
			return err_set(ERR_CANCELLED, "waiting for another clone of the repository");
		}
		usleep(100000);
		waited += 100;
	}
	return 0;
}

/*
 * Removes the temporary directories of earlier clones of dir, <dir>.tmp-<pid>: called with
 * the lock held, and every clone of this URL takes that lock, so whatever is there was
 * left by a clone that was killed or crashed (libgit2 writes the pack there, up to
 * c->clone_max).  Other repositories' names end in "-<8 hex digits>", never in ".tmp-"
 * and digits only, so they are left alone.
 */
static void remove_stale_tmp(const char *parent, const char *dir)
{
	const char *base = strrchr(dir, '/');
	struct dirent *e;
	struct stat st;
	size_t blen;
	DIR *d;

	base = base ? base + 1 : dir;
	blen = strlen(base);
	if (!(d = opendir(parent)))
		return;
	while ((e = readdir(d))) {
		const char *pid;
		char *p;

		if (strncmp(e->d_name, base, blen) != 0)
			continue;
		if (strncmp(e->d_name + blen, ".tmp-", 5) == 0)
			pid = e->d_name + blen + 5;
		else if (strncmp(e->d_name + blen, ".damaged-", 9) == 0)
			pid = e->d_name + blen + 9; /* clear_damaged() stopped half-way */
		else
			continue;
		if (!*pid || strspn(pid, "0123456789") != strlen(pid))
			continue;
		if (asprintf(&p, "%s/%s", parent, e->d_name) < 0)
			continue;
		/* one of this user's made unreadable (220db9c's clear_damaged() moved a clone
		   made mode 000 here): readable again, or nftw cannot empty it */
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
		    (st.st_mode & S_IRWXU) != S_IRWXU)
			chmod(p, S_IRWXU);
		src_rmtree(p);
		free(p);
	}
	closedir(d);
}

/*
 * Whether the libgit2 error just raised says the remote could not be reached: its name
 * did not resolve, nothing accepted the connection, TLS failed or its certificate did
 * not verify.  A fetch that failed so is remembered for a while (src_memo_fail); one
 * that failed otherwise (a connection dropped mid-transfer, a server error) is tried
 * again by the next lookup, which reads the clone as it is meanwhile.  A clone that failed
 * is remembered whatever the reason (open_repo).
 */
static bool git_unreachable(int code)
{
	const git_error *e = git_error_last();
	const char *m = e && e->message ? e->message : "";

	return code == GIT_ECERTIFICATE || (e && e->klass == GIT_ERROR_SSL) ||
	       strncmp(m, "failed to resolve address", 25) == 0 ||
	       strncmp(m, "failed to connect to", 20) == 0;
}

/*
 * A clone or fetch of url (as given; shown redacted) that libgit2 ended with code.  An http
 * server that refused the credentials, or asked for some when the URL gave none, is
 * ERR_AUTH and says which: libgit2's own message ("remote authentication required but no
 * callback set") says neither, the callback having handed the URL's over and then passed.
 */
static int net_fail(int code, const struct netcb *n, const char *what, const char *url,
		    const char *shown)
{
	const git_error *e = git_error_last();
	char prefix[400];

	if (code == GIT_EAUTH && url_is_http(url) && n->withheld[0] && !n->auth_given)
		return err_set(ERR_AUTH, "%s '%s': it redirects to '%s', which asks for a user "
					 "name and password: the URL's are given to its own host "
					 "and port only", what, shown ? shown : "?", n->withheld);
	if (code == GIT_EAUTH && url_is_http(url))
		return err_set(ERR_AUTH, "%s '%s': the server %s", what, shown ? shown : "?",
			       n->auth_given
				       ? "refused the user name and password of the URL"
				       : "asks for a user name and password (the URL gives none)");
	/*
	 * set_fetch_opts(): libgit2 refused to follow the redirect to another host
	 * ("cannot redirect from 'HOST' to 'HOST'"); its refusal of https to http says the
	 * schemes ("cannot redirect from 'https' to 'http'") and is no credentials' matter
	 */
	if (n->auth && n->auth->password && e && e->message &&
	    strncmp(e->message, "cannot redirect from", 20) == 0 &&
	    !strstr(e->message, "from 'https' to 'http'")) {
		snprintf(prefix, sizeof(prefix), "%s '%s': the URL's user name and password are "
			 "given to its own host only, and the server redirects to another",
			 what, shown ? shown : "?");
		return git_fail_url(ERR_AUTH, prefix, url);
	}
	return git_fail_url(code == GIT_EAUTH ? ERR_AUTH : ERR_NET, what, url);
}

/*
 * Whether this user may not read dir (a clone directory) or the two entries libgit2 opens
 * first in it: libgit2 says "not a repository" for a clone made mode 000 (no
 * GIT_ERROR_OS), which is no damage to repair by removing it.  The errno, or 0.
 */
static int clone_denied(const char *dir)
{
	static const char *const inside[] = { "HEAD", "objects" };
	struct stat st;
	char p[PATH_MAX];
	size_t i;

	if (access(dir, R_OK | W_OK | X_OK) < 0 && (errno == EACCES || errno == EPERM))
		return errno;
	for (i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
		if (snprintf(p, sizeof(p), "%s/%s", dir, inside[i]) >= (int)sizeof(p))
			return ENAMETOOLONG;
		if (stat(p, &st) < 0 && (errno == EACCES || errno == EPERM))
			return errno;
	}
	return 0;
}

/*
 * dir is there and libgit2 did not open it as a bare repository (its message is the last
 * error): a clone damaged by hand or by a full disk (HEAD or objects/ gone).  Left there,
 * every lookup would clone the whole repository again and fail to rename it over dir.
 * Called with the clone's lock held.  The cache is smolder's own, so a directory owned by
 * this user is moved aside to "<dir>.damaged-PID" (not the name the clone is made under;
 * remove_stale_tmp() clears it after a crash) and removed; a symlink, a file or another
 * user's directory is refused and left as it is, and so is one this user may not read
 * (permissions: clone_denied()) or libgit2 could not read for another reason of the
 * system's (descriptors).  0: nothing is in the way any more; ERR_IO when the damaged
 * clone could not be removed completely.
 */
static int clear_damaged(struct src_ctx *c, const char *dir)
{
	const git_error *e = git_error_last();
	bool os = e && e->klass == GIT_ERROR_OS;
	char why[200], *aside = NULL;
	struct stat st;
	size_t i;
	int denied, rc = 0;

	snprintf(why, sizeof(why), "%s", e && e->message ? e->message : "unknown libgit2 error");
	for (i = 0; why[i]; i++)
		if (why[i] == '\n' || why[i] == '\r' || why[i] == '\t')
			why[i] = ' ';
	git_error_clear();
	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0; /* not cloned yet */
		return err_set(ERR_IO, "cannot look at '%s': %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(ERR_IO, "refused: '%s', where the clone goes, is %s, not a clone "
				       "smolder made: not removed",
			       dir, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	if (st.st_uid != geteuid())
		return err_set(ERR_IO, "refused: '%s' is not a readable clone (%s) and belongs to "
				       "another user: not removed", dir, why);
	if ((denied = clone_denied(dir)))
		return err_set(ERR_IO, "refused: cannot read the clone '%s': %s (not removed: "
				       "its permissions are not damage)", dir, strerror(denied));
	if (os)
		return err_set(ERR_IO, "cannot open the clone '%s': %s", dir, why);
	src_trace(c, "git: '%s' is not a readable bare clone (%s): removed, cloned again", dir,
		  why);
	if (asprintf(&aside, "%s.damaged-%ld", dir, (long)getpid()) < 0)
		return err_set(ERR_NOMEM, "out of memory");
	if (rename(dir, aside) < 0) {
		rc = err_set(ERR_IO, "cannot move the damaged clone '%s' aside: %s", dir,
			     strerror(errno));
		goto done;
	}
	src_rmtree(aside);
	/* its place is free: the clone goes ahead; what could not be removed is said */
	if (lstat(aside, &st) == 0)
		src_trace(c, "git: the damaged clone moved to '%s' could not be removed whole "
			  "(something in it this user cannot delete): left there", aside);
done:
	free(aside);
	return rc;
}

/* url as given (for messages), auth as libgit2 is given it */
static int clone_repo(struct src_ctx *c, const char *url, const struct remote_auth *auth,
		      const char *dir, git_repository **out)
{
	git_clone_options co;
	struct netcb n = { .c = c, .auth = auth };
	char *tmp = NULL, *shown = url_redact(url), *parent = NULL;
	struct stat st;
	int fd = -1, rc = 0;

	*out = NULL;
	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	if (asprintf(&parent, "%s/repos", c->cache_dir) < 0 || !shown) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = src_mkdirs(parent)) || (rc = lock_clone(c, dir, &fd)))
		goto done;
	remove_stale_tmp(parent, dir);
	if (git_repository_open_bare(out, dir) == 0)
		goto done; /* cloned meanwhile by someone else */
	if (asprintf(&tmp, "%s.tmp-%ld", dir, (long)getpid()) < 0) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((rc = clear_damaged(c, dir)))
		goto done;
	/* remove_stale_tmp() could not clear it: git_clone() would fail there, and not for
	   any reason of the network's */
	if (lstat(tmp, &st) == 0) {
		rc = err_set(ERR_IO, "cannot clone into '%s': it is there and cannot be removed",
			     tmp);
		goto done;
	}
	snprintf(n.what, sizeof(n.what), "cloning %s", shown);
	if (c->o->progress)
		c->o->progress(c->o->progress_arg, n.what, 0, 0);
	co.bare = 1;
	co.remote_cb = create_mirror_remote;
	co.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	set_fetch_opts(&co.fetch_opts, &n);
	if ((rc = git_clone(out, auth->url, tmp, &co)) < 0) {
		if (c->o->cancel && *c->o->cancel) {
			rc = err_set(ERR_CANCELLED, "clone of '%s' cancelled", shown);
		} else if (n.too_big) {
			toobig_mark(c, dir);
			rc = refuse_size(c, "cloning", shown, false);
		} else if (git_error_last() && git_error_last()->message &&
			   strstr(git_error_last()->message, tmp)) {
			/* libgit2 names the directory it could not write: this disk's failure */
			rc = git_fail_url(ERR_IO, "cannot clone", url);
		} else {
			rc = net_fail(rc, &n, "cannot clone", url, shown);
		}
		*out = NULL;
		src_rmtree(tmp);
		goto done;
	}
	follow_cloned_head(*out);
	git_repository_free(*out);
	*out = NULL;
	touch_stamp(tmp);
	if (rename(tmp, dir) < 0) {
		rc = err_set(ERR_IO, "cannot move the clone to '%s': %s", dir, strerror(errno));
		src_rmtree(tmp);
		goto done;
	}
	if (git_repository_open_bare(out, dir) < 0) {
		rc = git_fail(ERR_IO, "cannot open the new clone");
	} else {
		char *mark = toobig_path(dir); /* a larger limit let it through */

		if (mark)
			unlink(mark);
		free(mark);
	}
done:
	if (fd >= 0)
		close(fd); /* releases the lock */
	free(tmp);
	free(parent);
	free(shown);
	return rc;
}

static int fetch_repo(struct src_ctx *c, struct src_git *g)
{
	char heads[] = "+refs/heads/*:refs/heads/*", tags[] = "+refs/tags/*:refs/tags/*";
	char *refspecs[] = { heads, tags };
	const git_strarray specs = { refspecs, 2 };
	git_fetch_options fo;
	git_remote *remote = NULL;
	git_buf head = GIT_BUF_INIT;
	struct netcb n = { .c = c, .auth = &g->auth };
	char *shown = url_redact(g->key), prev[200];
	int rc = 0, fd = -1;

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	g->fetched = true;
	if (c->o->offline) {
		free(shown);
		return err_set(ERR_NOTFOUND, "offline: not fetched");
	}
	if (src_memo_failed(c->memo, SRC_MEMO_CLONE, g->key, src_now_ms(), prev,
			    sizeof(prev))) {
		rc = err_set(ERR_NET, "'%s': not fetched: it failed earlier in this run (%s)",
			     shown ? shown : "?", prev);
		free(shown);
		return rc;
	}
	snprintf(n.what, sizeof(n.what), "fetching %s", shown ? shown : "?");
	if (c->o->progress)
		c->o->progress(c->o->progress_arg, n.what, 0, 0);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	set_fetch_opts(&fo, &n);
	if ((rc = lock_clone(c, g->dir, &fd)))
		goto done;
	/* an anonymous remote with the clone's refspecs: the URL is the cache key anyway */
	if (git_remote_create_anonymous(&remote, g->repo, g->auth.url) < 0) {
		rc = git_fail_url(ERR_IO, "cannot set up the fetch", g->key);
		goto done;
	}
	if ((rc = git_remote_fetch(remote, &specs, &fo, "smolder: fetch")) < 0) {
		bool unreached = git_unreachable(rc);

		if (c->o->cancel && *c->o->cancel) {
			rc = err_set(ERR_CANCELLED, "fetch cancelled");
		} else if (n.too_big) {
			/* not again before the TTL passes (a missing ref still asks) */
			touch_stamp(g->dir);
			rc = refuse_size(c, "fetching", shown, false);
		} else {
			rc = net_fail(rc, &n, "cannot fetch", g->key, shown);
			if (unreached)
				src_memo_fail(c->memo, SRC_MEMO_CLONE, g->key, src_now_ms(),
					      err_last());
		}
		goto done;
	}
	/* the refs the fetch listed are kept after it disconnects: HEAD's target among them */
	if (git_remote_default_branch(&head, remote) == 0)
		follow_default_branch(g->repo, head.ptr);
	else
		git_error_clear();
	touch_stamp(g->dir);
done:
	git_buf_dispose(&head);
	if (fd >= 0)
		close(fd);
	git_remote_free(remote);
	free(shown);
	return rc;
}

/*
 * A clone made before URLs were given to libgit2 without credentials keeps them in its
 * config (remote.origin.url, "http://user:token@host/r"): they are taken out when it is
 * opened.  A failure leaves it as it was (the clone is still read).
 */
static void scrub_origin(struct src_ctx *c, git_repository *repo)
{
	struct remote_auth a = { NULL, NULL, NULL };
	git_remote *r = NULL;
	const char *url;

	if (git_remote_lookup(&r, repo, "origin") < 0) {
		git_error_clear();
		return;
	}
	url = git_remote_url(r);
	if (url && auth_init(&a, url) == 0 && strcmp(a.url, url) != 0) {
		if (git_remote_set_url(repo, "origin", a.url) < 0)
			git_error_clear();
		else
			src_trace(c, "git: credentials taken out of the clone's config");
	}
	err_clear();
	auth_release(&a);
	git_remote_free(r);
}

/*
 * Clones were named by the URL as given, its credentials and query in the name's hash: one
 * made so for key (the URL as given now) is renamed to dir, the name of the URL without
 * them, when nothing has that name yet, under both names' locks (an older smolder clones
 * and fetches under the old one's), so that it is read rather than cloned again; its config
 * is scrubbed when it is opened (scrub_origin).  Clones made for other tokens of the same
 * repository under their old names are left where they are: their URLs are not known here.
 */
static void adopt_old_clone(struct src_ctx *c, const char *key, const char *dir)
{
	char *old = clone_dir(c, key), *oldlock = NULL;
	int fd = -1, oldfd = -1;
	struct stat st;

	if (!old || strcmp(old, dir) == 0 || stat(old, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    stat(dir, &st) == 0)
		goto done;
	if (lock_clone(c, dir, &fd) < 0) {
		fd = -1;
		goto done;
	}
	if (lock_clone(c, old, &oldfd) < 0) {
		oldfd = -1;
		goto done;
	}
	if (stat(dir, &st) < 0 && stat(old, &st) == 0 && rename(old, dir) == 0) {
		src_trace(c, "git: the clone made under the name '%s' is used as '%s'",
			  strrchr(old, '/') + 1, strrchr(dir, '/') + 1);
		if (asprintf(&oldlock, "%s.lock", old) >= 0)
			unlink(oldlock); /* held: an older smolder waiting for it clones anew */
	}
done:
	if (oldfd >= 0)
		close(oldfd);
	if (fd >= 0)
		close(fd);
	err_clear(); /* the clone is made anew */
	free(oldlock);
	free(old);
}

static int open_repo(struct src_ctx *c, const char *key, bool remote, struct src_git **out)
{
	struct remote_auth auth = { NULL, NULL, NULL };
	git_repository *repo = NULL;
	char *dir, *shown, prev[512]; /* the memo keeps up to 512 bytes */
	int rc;

	if ((*out = cached(c, key)) != NULL)
		return 0;
	if (!remote) {
		if (git_repository_open_ext(&repo, key, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
			return git_fail(ERR_NOTFOUND, "not a git repository");
		return remember(c, key, repo, false, NULL, out);
	}
	if ((rc = auth_init(&auth, key)))
		return rc;
	dir = clone_dir(c, auth.url);
	if (!dir) {
		auth_release(&auth);
		/* not ERR_NOTFOUND: the search's last line says this, not "not in any place" */
		return err_set(ERR_IO, "no cache directory to clone into (give --cache-dir, or "
				       "set XDG_CACHE_HOME or HOME)");
	}
	adopt_old_clone(c, key, dir);
	if (git_repository_open_bare(&repo, dir) == 0) {
		scrub_origin(c, repo);
	} else {
		if (c->o->offline) {
			rc = err_set(ERR_NOTFOUND, "offline, and not cloned yet");
			goto fail;
		}
		shown = url_redact(key);
		if (toobig_known(c, dir)) {
			rc = refuse_size(c, "cloning", shown, true);
			free(shown);
			goto fail;
		}
		if ((rc = src_memo_failed_rc(c->memo, SRC_MEMO_CLONE, key, src_now_ms(), prev,
					     sizeof(prev)))) {
			/* each try costs a connection, maybe a whole download (and libgit2 1.5
			   leaks ~250 KB a clone) */
			rc = err_set(rc, "'%s': not cloned: the clone failed earlier in this run (%s)",
				     shown ? shown : "?", prev);
			free(shown);
			goto fail;
		}
		src_trace(c, "git: cloning '%s' into '%s' (once; later reads are local)",
			  shown ? shown : "?", dir);
		free(shown);
		if ((rc = clone_repo(c, key, &auth, dir, &repo))) {
			/*
			 * Not again for SRC_MEMO_FAIL_TTL_MS, whatever failed (a connection
			 * dropped mid-transfer or a server error too): a `list` would clone once
			 * per routine, each try a connection and maybe a whole download.  A clone
			 * past the limit is refused from its .toobig mark instead, a cancelled one
			 * is not a failure.
			 */
			if (rc != ERR_CANCELLED && rc != ERR_NOMEM && rc != ERR_TOOBIG)
				src_memo_fail_rc(c->memo, SRC_MEMO_CLONE, key, src_now_ms(), rc,
						 err_last());
			goto fail;
		}
	}
	if ((rc = remember(c, key, repo, true, dir, out)))
		goto fail_auth;
	(*out)->auth = auth;
	return 0;
fail:
	free(dir);
fail_auth:
	auth_release(&auth);
	return rc;
}

static int resolve_commit(struct src_git *g, const char *ref, git_commit **out)
{
	const char *spec = ref && *ref ? ref : "HEAD";
	git_object *obj = NULL;
	int rc;

	*out = NULL;
	rc = git_revparse_single(&obj, g->repo, spec);
	if (rc < 0 && !g->remote && ref && *ref) {
		char *alt;

		if (asprintf(&alt, "origin/%s", ref) >= 0) {
			rc = git_revparse_single(&obj, g->repo, alt);
			free(alt);
		}
	}
	if (rc < 0)
		return ERR_NOTFOUND;
	rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	return rc < 0 ? ERR_NOTFOUND : 0;
}

/*
 * The blob id's size from its object header, without inflating the blob (a few MiB of
 * .git may hold a blob of gigabytes).
 */
static int blob_size(git_repository *repo, const git_oid *id, size_t *out)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t size = 0;
	int rc;

	*out = 0;
	if (git_repository_odb(&odb, repo) < 0)
		return git_fail(ERR_IO, "cannot open the object database");
	rc = git_odb_read_header(&size, &type, odb, id);
	git_odb_free(odb);
	if (rc < 0)
		return git_fail(ERR_IO, "cannot read the blob");
	if (type != GIT_OBJECT_BLOB)
		return err_set(ERR_IO, "cannot read the blob: not a blob");
	*out = size;
	return 0;
}

/*
 * The id of the blob at path in the commit's tree (it is not read); symlinks followed
 * while they stay inside.
 */
static int lookup_path(git_repository *repo, git_tree *root, const char *path, git_oid *out,
		       bool *refused)
{
	char *cur = strdup(path);
	int hops = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!cur)
		return err_set(ERR_NOMEM, "out of memory");
restart:;
	{
		git_tree *tree = root, *sub = NULL;
		char *p = cur;

		for (;;) {
			char *slash = strchr(p, '/');
			const git_tree_entry *e;
			git_filemode_t mode;

			if (slash)
				*slash = '\0';
			e = git_tree_entry_byname(tree, p);
			if (slash)
				*slash = '/';
			if (!e) {
				rc = err_set(ERR_NOTFOUND, "not in the tree at that ref");
				break;
			}
			mode = git_tree_entry_filemode(e);
			if (mode == GIT_FILEMODE_LINK) {
				git_blob *lb = NULL;
				char *target, *parent, *next;
				const char *bad;
				size_t lsize;

				if (++hops > GIT_MAX_HOPS) {
					rc = err_set(ERR_NOTFOUND, "'%s': too many symlinks", path);
					break;
				}
				if (blob_size(repo, git_tree_entry_id(e), &lsize) < 0 ||
				    lsize > GIT_LINK_MAX ||
				    git_blob_lookup(&lb, repo, git_tree_entry_id(e)) < 0 ||
				    git_blob_rawsize(lb) > GIT_LINK_MAX) {
					git_blob_free(lb);
					rc = err_set(ERR_NOTFOUND, "'%s': unreadable symlink", path);
					break;
				}
				target = strndup(git_blob_rawcontent(lb), (size_t)git_blob_rawsize(lb));
				git_blob_free(lb);
				parent = strndup(cur, (size_t)(p - cur));
				if (!target || !parent) {
					free(target);
					free(parent);
					rc = err_set(ERR_NOMEM, "out of memory");
					break;
				}
				if (target[0] == '/') {
					free(target);
					free(parent);
					*refused = true;
					rc = err_set(ERR_NOTFOUND,
						     "refused: '%s' is a symlink out of the repository",
						     path);
					break;
				}
				next = path_join(parent, target, slash ? slash + 1 : "", NULL);
				free(target);
				free(parent);
				if (!next) {
					rc = err_set(ERR_NOMEM, "out of memory");
					break;
				}
				free(cur);
				cur = path_inside(next, &bad);
				free(next);
				if (!cur) {
					*refused = true;
					rc = err_set(ERR_NOTFOUND,
						     "refused: '%s' is a symlink out of the repository",
						     path);
					break;
				}
				git_tree_free(sub);
				goto restart;
			}
			if (!slash) {
				if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
					git_oid_cpy(out, git_tree_entry_id(e));
				} else {
					rc = err_set(ERR_NOTFOUND, "'%s': %s", path,
						     mode == GIT_FILEMODE_COMMIT ? "a submodule"
										 : "a directory");
				}
				break;
			}
			if (mode != GIT_FILEMODE_TREE) {
				rc = err_set(ERR_NOTFOUND, "not in the tree at that ref");
				break;
			}
			{
				git_tree *next = NULL;

				if (git_tree_lookup(&next, repo, git_tree_entry_id(e)) < 0) {
					rc = git_fail(ERR_IO, "cannot read a tree");
					break;
				}
				git_tree_free(sub);
				sub = next;
				tree = sub;
			}
			p = slash + 1;
		}
		git_tree_free(sub);
	}
	free(cur);
	return rc;
}

int src_git_read(struct src_ctx *c, const char *key, bool remote, const char *ref,
		 const char *path, struct source_file *f, char *note, size_t notelen)
{
	struct src_git *g;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1], refusal[512] = "";
	const char *refname = ref && *ref ? ref : "HEAD";
	bool fetched = false; /* by this read, and it succeeded */
	size_t size;
	int rc;

	if ((rc = open_repo(c, key, remote, &g)))
		return rc;
	if (g->remote && !g->fetched && !c->o->offline && !ref_is_commit(ref) && stale(c, g->dir)) {
		if (fetch_repo(c, g) == 0) {
			fetched = true;
			snprintf(note, notelen, " (fetched: the clone was older than %lds)", c->ttl);
		} else if (c->o->cancel && *c->o->cancel) {
			return err_set(ERR_CANCELLED, "cancelled");
		} else if (c->clone_refused) {
			/* what the clone has is still read; a ref it lacks is this refusal */
			snprintf(refusal, sizeof(refusal), "%s", err_last());
			src_trace(c, "git: %s", refusal);
			c->clone_refused = false;
		}
	}
	rc = resolve_commit(g, ref, &commit);
	/*
	 * a ref a fetch did not bring is not fetched for again by the run's other lookups
	 * (`list` has one per routine) until the memo forgets it
	 */
	if (rc && g->remote && !g->fetched && !c->o->offline &&
	    src_memo_no_ref(c->memo, key, refname, src_now_ms())) {
		src_trace(c, "git: ref '%s' is not in the clone, nor was it after a fetch earlier "
			     "in this run: not fetched again", refname);
	} else if (rc && g->remote && !g->fetched && !c->o->offline) {
		src_trace(c, "git: ref '%s' is not in the clone: fetching", refname);
		if ((rc = fetch_repo(c, g)))
			return rc;
		fetched = true;
		snprintf(note, notelen, " (after a fetch)");
		rc = resolve_commit(g, ref, &commit);
	}
	if (rc && fetched)
		src_memo_no_ref_put(c->memo, key, refname, src_now_ms());
	if (rc && refusal[0]) {
		c->clone_refused = true;
		return err_set(ERR_TOOBIG, "%s", refusal);
	}
	if (rc) {
		char *shown = url_redact(key);

		c->no_ref = true;
		rc = err_set(ERR_NOTFOUND, "no ref '%s' in '%s'%s", refname, shown ? shown : "?",
			     g->remote ? "" : " (a local clone: not fetched, it is only read)");
		free(shown);
		return rc;
	}
	if (git_commit_tree(&tree, commit) < 0) {
		rc = git_fail(ERR_IO, "cannot read the commit's tree");
		goto done;
	}
	/* a symlink out of the tree ends the search: the same path must not be read
	   through the link on disk either (the plain paths) */
	if ((rc = lookup_path(g->repo, tree, path, &id, &c->refused)) ||
	    (rc = blob_size(g->repo, &id, &size)))
		goto done;
	if (size > SOURCE_MAX_BYTES) {
		c->refused = true;
		rc = err_set(ERR_TOOBIG, "'%s': larger than %u MiB, not shown", path,
			     SOURCE_MAX_BYTES >> 20);
		goto done;
	}
	if (git_blob_lookup(&blob, g->repo, &id) < 0) {
		rc = git_fail(ERR_IO, "cannot read the blob");
		goto done;
	}
	if ((size_t)git_blob_rawsize(blob) != size) {
		rc = err_set(ERR_IO, "'%s': the blob's size differs from its header", path);
		goto done;
	}
	if ((rc = src_check_content(c, path, git_blob_rawcontent(blob), size)))
		goto done;
	f->data = malloc(size + 1);
	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	f->path = strdup(path);
	f->commit = strdup(hex);
	f->repo = url_redact(key);
	f->ref = strdup(ref && *ref ? ref : "HEAD");
	if (!f->data || !f->path || !f->commit || !f->repo || !f->ref) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto done;
	}
	memcpy(f->data, git_blob_rawcontent(blob), size);
	f->data[size] = '\0';
	f->len = size;
	f->origin = SOURCE_GIT;
	if (!note[0])
		snprintf(note, notelen, " (commit %.12s)", hex);
done:
	git_blob_free(blob);
	git_tree_free(tree);
	git_commit_free(commit);
	return rc;
}
