/*
 * find.c — Pyroscope's order of attempts (FileFinder.Find, spec §2): `.pyroscope.yaml`,
 * the best mapping, the language rules, the fallback by file extension.  Every attempt
 * goes through src_try(), which logs it in the trace; a rule returns 0 once c->out is
 * filled and stops early when c->stop is set.  Our differences from Pyroscope are listed
 * in source.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "source_int.h"

#define GO_SEARCH_MAX 30 /* Pyroscope's maxAttempts */
#define GOGET_MAX_BYTES (1u << 20)

#define DONE(c, rc) ((rc) == 0 || (c)->stop)

static int oom(struct src_ctx *c)
{
	return c->stop = err_set(ERR_NOMEM, "out of memory");
}

/* ---------------------------------------------------------------- config */

/*
 * The service's `.pyroscope.yaml`, parsed once per (place, ref, root) in a run: the
 * memo keeps the result (a config, or why there is none) for every later lookup.
 */
static void load_config(struct src_ctx *c)
{
	const char *place = c->service.repo ? c->service.repo : c->service.dir;
	const struct src_config *seen;
	const char *why;
	struct source_file f;
	struct src_config *cfg;
	unsigned tries = c->tries;
	char *p;
	int rc;

	if (!c->have_service) {
		src_trace(c, "config: no repository or --source-path, so no .pyroscope.yaml");
		return;
	}
	if (src_memo_config_get(c->memo, place, c->service.ref, c->root, &seen, &why)) {
		c->cfg = seen;
		if (seen)
			src_trace(c, "config: %zu mapping%s (read earlier in this run)", seen->n,
				  seen->n == 1 ? "" : "s");
		else
			src_trace(c, "config: %s (earlier in this run)", why);
		return;
	}
	p = path_join(c->root ? c->root : "", ".pyroscope.yaml", NULL);
	if (!p) {
		oom(c);
		return;
	}
	rc = src_read(c, &c->service, p, "config", &f);
	free(p);
	c->tries = tries; /* "places tried" are where the source was looked for */
	c->refused = false;
	if (rc) {
		if (rc == ERR_CANCELLED)
			c->stop = rc;
		else if (rc == ERR_NOTFOUND)
			src_memo_config_put(c->memo, place, c->service.ref, c->root, NULL,
					    "no .pyroscope.yaml", 0);
		return;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		source_file_release(&f);
		oom(c);
		return;
	}
	if (src_config_parse(f.data, f.len, cfg)) {
		char msg[600];

		snprintf(msg, sizeof(msg), "ignored: %s", err_last());
		src_trace(c, "config: %s", msg);
		free(cfg);
		src_memo_config_put(c->memo, place, c->service.ref, c->root, NULL, msg, 0);
	} else {
		src_trace(c, "config: %zu mapping%s", cfg->n, cfg->n == 1 ? "" : "s");
		c->cfg = cfg;
		if (!src_memo_config_put(c->memo, place, c->service.ref, c->root, cfg, "", f.len))
			c->cfg_own = cfg;
	}
	source_file_release(&f);
}

/* ---------------------------------------------------------------- shared steps */

/* owner/repo must name one GitHub repository, or the URL made of them reads another */
static bool github_names_ok(struct src_ctx *c, const char *owner, const char *repo,
			    const char *why)
{
	if (!gh_name_ok(owner)) {
		src_trace(c, "%s: '%.*s' is not a GitHub owner name", why, GH_NAME_MAX * 2, owner);
		return false;
	}
	if (!gh_name_ok(repo)) {
		src_trace(c, "%s: '%.*s' is not a GitHub repository name", why, GH_NAME_MAX * 2,
			  repo);
		return false;
	}
	return true;
}

/* fetchMappingFile: a local or github source with rel below its path */
static int mapping_file(struct src_ctx *c, const struct src_mapping *m, const char *rel,
			const char *why)
{
	char *p, *url;
	int rc;

	if (m->local) {
		if (!c->have_service) {
			src_trace(c, "%s: a local mapping, but no repository or --source-path", why);
			return ERR_NOTFOUND;
		}
		p = path_join(c->root ? c->root : "", m->local_path, rel, NULL);
		if (!p)
			return oom(c);
		rc = src_try(c, &c->service, p, why);
		free(p);
		return rc;
	}
	if (m->github) {
		struct src_place pl;

		if (!*m->owner || !*m->repo) {
			src_trace(c, "%s: a github source needs owner and repo", why);
			return ERR_NOTFOUND;
		}
		if (!github_names_ok(c, m->owner, m->repo, why))
			return ERR_NOTFOUND;

		url = src_github_url(c, m->owner, m->repo);
		p = *m->gh_path ? path_join(m->gh_path, rel, NULL) : strdup(rel);
		if (!url || !p) {
			free(url);
			free(p);
			return oom(c);
		}
		pl = (struct src_place){ url, NULL, m->ref };
		rc = src_try(c, &pl, p, why);
		free(url);
		free(p);
		return rc;
	}
	src_trace(c, "%s: no supported source provided, file not resolvable", why);
	return ERR_NOTFOUND;
}

/* the file path below the mapping's path prefix (all of it after a function-name match) */
static const char *mapping_rel(const char *path, int path_pos)
{
	const char *rel = path_pos >= 0 && (size_t)path_pos <= strlen(path) ? path + path_pos : path;

	while (*rel == '/')
		rel++;
	return rel;
}

static int try_github(struct src_ctx *c, const char *owner, const char *repo, const char *ref,
		      const char *path, const char *why)
{
	struct src_place pl;
	char *url;
	int rc;

	if (!github_names_ok(c, owner, repo, why))
		return ERR_NOTFOUND;
	url = src_github_url(c, owner, repo);
	if (!url)
		return oom(c);
	pl = (struct src_place){ url, NULL, ref };
	rc = src_try(c, &pl, path, why);
	free(url);
	return rc;
}

/* ---------------------------------------------------------------- Go */

/* the first line of GOROOT/VERSION ("go1.19.8"), or "" */
static void goroot_version(const char *goroot, char *out, size_t n)
{
	char path[4096];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/VERSION", goroot);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\r\n")] = '\0';
	fclose(f);
}

static int go_stdlib_file(struct src_ctx *c, const char *rel, const char *version)
{
	char *ref, *p, why[160], *src;
	int rc, i, pos;

	if (!*version && c->cfg && (i = src_config_find(c->cfg, "$GOROOT/src", "", &pos)) >= 0) {
		snprintf(why, sizeof(why), "go: standard library through mapping[%d] ($GOROOT/src)", i);
		return mapping_file(c, &c->cfg->v[i], rel, why);
	}
	ref = go_stdlib_ref(version);
	if (!ref)
		return oom(c);
	if (c->goroot) {
		char have[64];

		goroot_version(c->goroot, have, sizeof(have));
		if (!*version || strcmp(have, ref) == 0) {
			struct src_place pl;

			if (asprintf(&src, "%s/src", c->goroot) < 0) {
				free(ref);
				return oom(c);
			}
			pl = (struct src_place){ NULL, src, NULL };
			snprintf(why, sizeof(why), "go: local Go installation (%s%s)",
				 *have ? have : "version unknown",
				 *version ? "" : "; the profile names no version");
			rc = src_try(c, &pl, rel, why);
			free(src);
			if (DONE(c, rc)) {
				free(ref);
				return rc;
			}
		} else {
			src_trace(c, "go: local Go installation '%s' is %s, not %s", c->goroot,
				  *have ? have : "of unknown version", ref);
		}
	}
	if (asprintf(&p, "src/%s", rel) < 0) {
		free(ref);
		return oom(c);
	}
	rc = try_github(c, "golang", "go", ref, p, "go: standard library");
	free(p);
	free(ref);
	return rc;
}

/* "github.com/owner/repo" of the service repository, when it is on a known host */
static char *main_module_path(struct src_ctx *c)
{
	char host[256], *owner, *name, *out = NULL;

	if (!c->repo || !url_is_remote(c->repo))
		return strdup("");
	if (url_github_repo(c->repo, c->github_host, &owner, &name) ||
	    url_github_repo(c->repo, "github.com", &owner, &name)) {
		if (asprintf(&out, "github.com/%s/%s", owner, name) < 0)
			out = NULL;
		free(owner);
		free(name);
		return out;
	}
	url_host(c->repo, host, sizeof(host));
	return strdup(host);
}

/* go.mod of the service repository: the root path first, then the repository root */
static bool read_gomod(struct src_ctx *c, struct go_mod_file *gm, char **dir)
{
	const char *dirs[2] = { c->root && *c->root ? c->root : NULL, "" };
	unsigned tries = c->tries;
	bool ok;
	int i;

	for (i = 0; i < 2; i++) {
		struct source_file f;
		char *p;

		if (!dirs[i] || !c->have_service)
			continue;
		p = path_join(dirs[i], "go.mod", NULL);
		if (!p)
			return false;
		ok = src_read(c, &c->service, p, "go: go.mod", &f) == 0;
		c->tries = tries; /* not a place the source was looked for */
		if (ok) {
			free(p);
			c->refused = false;
			if (go_mod_parse(f.data, f.len, gm) == 0) {
				source_file_release(&f);
				*dir = strdup(dirs[i]);
				return *dir != NULL;
			}
			source_file_release(&f);
			src_trace(c, "go: go.mod ignored: %s", err_last());
			return false;
		}
		free(p);
		c->refused = false;
		if (c->o->cancel && *c->o->cancel)
			return false;
	}
	return false;
}

static int go_get(struct src_ctx *c, struct go_module *m)
{
	struct buf b = BUF_INIT;
	char *url, *np;
	long status = 0;
	int rc;

	if (c->o->offline) {
		src_trace(c, "go: go-get discovery of '%s' skipped (offline)", m->path);
		return 0;
	}
	if (asprintf(&url, "https://%s?go-get=1", m->path) < 0)
		return oom(c);
	rc = src_http_get(c, url, GOGET_MAX_BYTES, &b, &status);
	if (rc || status != 200) {
		src_trace(c, "go: go-get discovery '%s': %s", url,
			  rc ? err_last() : "not HTTP 200");
		if (rc == ERR_CANCELLED)
			c->stop = rc;
		free(url);
		buf_release(&b);
		return rc ? rc : ERR_NOTFOUND;
	}
	np = go_meta_resolve(m->path, b.data ? b.data : "", b.len);
	src_trace(c, "go: go-get discovery '%s': %s%s", url, np ? "module at " : "no usable meta tag",
		  np ? np : "");
	free(url);
	buf_release(&b);
	if (np) {
		free(m->path);
		m->path = np;
	}
	return 0;
}

static int go_module_file(struct src_ctx *c, struct go_module *m)
{
	struct go_mod_file gm;
	char *gdir = NULL, *p = NULL, *ref = NULL, *tmp;
	int rc = ERR_NOTFOUND;

	src_trace(c, "go: module '%s' version %s, file '%s'", m->path, m->version, m->file);
	memset(&gm, 0, sizeof(gm));
	if (read_gomod(c, &gm, &gdir)) {
		char *before = strdup(m->path), *vbefore = strdup(m->version);

		if (!before || !vbefore || go_mod_apply(&gm, gdir, m)) {
			free(before);
			free(vbefore);
			rc = oom(c);
			goto done;
		}
		if (strcmp(before, m->path) || strcmp(vbefore, m->version))
			src_trace(c, "go: go.mod: '%s' %s → '%s' %s", before, vbefore, m->path,
				  m->version);
		free(before);
		free(vbefore);
	} else if (c->stop) {
		rc = c->stop;
		goto done;
	}
	if (m->local_dir) {
		p = path_join(m->local_dir, m->file, NULL);
		if (!p) {
			rc = oom(c);
			goto done;
		}
		rc = src_try(c, &c->service, p, "go: replaced by a directory of the repository");
		goto done;
	}
	if (strncmp(m->path, "github.com/", 11) != 0 &&
	    strncmp(m->path, "go.googlesource.com/", 20) != 0) {
		rc = go_gopkg_in(m->path, &tmp);
		if (rc == 0) {
			src_trace(c, "go: gopkg.in: '%s' → '%s'", m->path, tmp);
			free(m->path);
			m->path = tmp;
		} else if (rc != ERR_NOTFOUND) {
			src_trace(c, "go: %s", err_last());
			goto done;
		} else if ((rc = go_get(c, m)) != 0 && c->stop) {
			goto done;
		}
	}
	/* the module cache's !x escapes were undone by go_module_parse */
	tmp = go_strip_major(m->path);
	if (!tmp) {
		rc = oom(c);
		goto done;
	}
	free(m->path);
	m->path = tmp;
	ref = go_ref_from_version(m->version);
	if (!ref) {
		rc = oom(c);
		goto done;
	}
	if (strncmp(m->path, "github.com/", 11) == 0) {
		const char *s = m->path + 11, *o_end = strchr(s, '/'), *r_end;
		char *owner, *repo, *sub;

		if (!o_end || o_end == s) {
			src_trace(c, "go: invalid GitHub module path '%s'", m->path);
			rc = ERR_NOTFOUND;
			goto done;
		}
		r_end = o_end + 1 + strcspn(o_end + 1, "/");
		owner = strndup(s, (size_t)(o_end - s));
		repo = strndup(o_end + 1, (size_t)(r_end - o_end - 1));
		sub = strdup(*r_end ? r_end + 1 : "");
		p = owner && repo && sub ? path_join(sub, m->file, NULL) : NULL;
		if (!p) {
			free(owner);
			free(repo);
			free(sub);
			rc = oom(c);
			goto done;
		}
		if (!*ref) {
			free(ref);
			ref = strdup("main");
		}
		rc = ERR_NOTFOUND;
		/* a sub-module's release is tagged sub/vX.Y.Z */
		if (*sub && ref && ref[0] == 'v' && !go_is_pseudo(m->version)) {
			char *tag;

			if (asprintf(&tag, "%s/%s", sub, ref) >= 0) {
				rc = try_github(c, owner, repo, tag, p, "go: module (sub-module tag)");
				free(tag);
			}
		}
		if (!DONE(c, rc) && ref)
			rc = try_github(c, owner, repo, ref, p, "go: module");
		free(owner);
		free(repo);
		free(sub);
	} else if (strncmp(m->path, "go.googlesource.com/", 20) == 0) {
		char *url = go_googlesource_url(m->path, m->version, m->file);
		const char *proj = m->path + 20;
		char *repo_url = NULL;

		if (!url) {
			src_trace(c, "go: invalid googlesource module path '%s'", m->path);
			rc = ERR_NOTFOUND;
			goto done;
		}
		if (asprintf(&repo_url, "https://go.googlesource.com/%.*s", (int)strcspn(proj, "/"),
			     proj) < 0) {
			free(url);
			rc = oom(c);
			goto done;
		}
		p = path_join(strchr(proj, '/') ? strchr(proj, '/') + 1 : "", m->file, NULL);
		rc = p ? src_try_googlesource(c, repo_url, *ref ? ref : "master", p, url,
					      "go: module on go.googlesource.com")
		       : oom(c);
		free(repo_url);
		free(url);
	} else {
		src_trace(c, "go: unsupported module path: %s", m->path);
		rc = ERR_NOTFOUND;
	}
done:
	free(gdir);
	free(p);
	free(ref);
	go_mod_release(&gm);
	return rc;
}

/*
 * With no repository (--source-path alone): the part of path after the module path of
 * the directory's go.mod ("cpuwork/main.go" in a module cpuwork is "main.go"), or path.
 */
static const char *after_own_module(struct src_ctx *c, const char *path)
{
	struct go_mod_file gm;
	char *dir = NULL;
	const char *hit = NULL, *s;
	size_t n;

	memset(&gm, 0, sizeof(gm));
	if (!read_gomod(c, &gm, &dir) || !gm.module || !*gm.module)
		goto done;
	n = strlen(gm.module);
	for (s = path; (s = strstr(s, gm.module)) != NULL; s++) {
		if ((s == path || s[-1] == '/') && s[n] == '/') {
			hit = s + n + 1;
			break;
		}
	}
	if (hit)
		src_trace(c, "go: path search: '%s' is in the directory's module '%s'", path,
			  gm.module);
done:
	free(dir);
	go_mod_release(&gm);
	return hit ? hit : path;
}

int src_go_path_search(struct src_ctx *c, const char *path, int max)
{
	char *main = main_module_path(c), *needle = NULL, *req;
	const char *p = path, *hit, *start;
	/* no repository: a plain directory, where a bare file name could be anyone's */
	bool plain = !c->repo && c->service.dir;
	int attempts = 0, rc;

	if (!main)
		return oom(c);
	if (strncmp(main, "github.com/", 11) == 0 && asprintf(&needle, "%s/", main) >= 0 &&
	    (hit = strstr(p, needle)) != NULL)
		p = hit + strlen(needle);
	free(needle);
	free(main);
	while (*p == '/')
		p++;
	if (!c->have_service) {
		src_trace(c, "go: path search: no repository or --source-path to look in");
		return ERR_NOTFOUND;
	}
	if (plain) {
		p = after_own_module(c, p);
		if (c->stop)
			return c->stop;
	}
	start = p;
	for (;;) {
		const char *slash;

		if (plain && p != start && !strchr(p, '/')) {
			src_trace(c, "go: path search: not trying '%s' alone: with no repository, a "
				     "file name without its directory could be any package's (point "
				     "--source-path at its module, or give --repo)", p);
			return ERR_NOTFOUND;
		}
		if (c->root && *c->root) {
			if (asprintf(&req, "%s/%s", c->root, p) < 0)
				return oom(c);
		} else if (!(req = strdup(p))) {
			return oom(c);
		}
		rc = src_try(c, &c->service, req, "go: path search");
		free(req);
		attempts++;
		if (DONE(c, rc) || rc != ERR_NOTFOUND)
			return rc;
		if (attempts >= max)
			return ERR_NOTFOUND;
		slash = strchr(p, '/');
		if (!slash)
			return ERR_NOTFOUND;
		p = slash + 1;
	}
}

static int find_go(struct src_ctx *c, const struct src_mapping *m, int mi, int ppos)
{
	struct go_module mod;
	char *rel, *version, why[64];
	const char *v;
	int rc;

	if (m) {
		snprintf(why, sizeof(why), "go: mapping[%d]", mi);
		rc = mapping_file(c, m, mapping_rel(c->path, ppos), why);
		if (DONE(c, rc))
			return rc;
	}
	if (go_stdlib(c->path, &rel, &version)) {
		src_trace(c, "go: standard library '%s', Go %s", rel,
			  *version ? version : "version not in the path");
		rc = go_stdlib_file(c, rel, version);
		free(rel);
		free(version);
		return rc;
	}
	if ((v = strstr(c->path, "/vendor/")) != NULL) {
		rc = src_try_repo_file(c, v, "go: vendor directory");
		if (DONE(c, rc))
			return rc;
	}
	if (go_module_parse(c->path, &mod)) {
		rc = go_module_file(c, &mod);
		go_module_release(&mod);
		return rc;
	}
	return src_go_path_search(c, c->path, GO_SEARCH_MAX);
}

/* ---------------------------------------------------------------- Python, Java, JS */

static int find_python(struct src_ctx *c, const struct src_mapping *m, int mi, int ppos)
{
	char *rel, *version, *p, why[64];
	int rc;

	if (py_stdlib(c->path, &rel, &version)) {
		src_trace(c, "python: standard library '%s', Python %s", rel, version);
		if (asprintf(&p, "Lib/%s", rel) < 0)
			p = NULL;
		rc = p ? try_github(c, "python", "cpython", *version ? version : "main", p,
				    "python: standard library")
		       : oom(c);
		free(p);
		free(rel);
		free(version);
		return rc;
	}
	if (m) {
		snprintf(why, sizeof(why), "python: mapping[%d]", mi);
		rc = mapping_file(c, m, mapping_rel(c->path, ppos), why);
		if (DONE(c, rc))
			return rc;
	}
	rc = src_try_repo_file(c, c->path, "python: relative path");
	if (DONE(c, rc))
		return rc;
	src_trace(c, "python: stdlib not detected and no mappings provided, file not resolvable");
	return ERR_NOTFOUND;
}

static int find_java(struct src_ctx *c, const struct src_mapping *m, int mi)
{
	char *jp = java_path(c->fn), why[64];
	int rc;

	if (!jp) {
		src_trace(c, "java: no function name to derive the file from");
		return ERR_NOTFOUND;
	}
	src_trace(c, "java: '%s' is in '%s'", c->fn, jp);
	snprintf(why, sizeof(why), "java: mapping[%d]", mi);
	rc = mapping_file(c, m, jp, why);
	free(jp);
	if (DONE(c, rc))
		return rc;
	src_trace(c, "java: no mappings provided, file not resolvable");
	return ERR_NOTFOUND;
}

static int find_js(struct src_ctx *c, const struct src_mapping *m, int mi, int ppos)
{
	char why[64];
	int rc;

	if (m) {
		snprintf(why, sizeof(why), "javascript: mapping[%d]", mi);
		rc = mapping_file(c, m, mapping_rel(c->path, ppos), why);
		if (DONE(c, rc))
			return rc;
	}
	rc = src_try_repo_file(c, c->path, "javascript: relative path");
	if (DONE(c, rc))
		return rc;
	src_trace(c, "javascript: no mappings matched and relative path not found, file not "
		     "resolvable");
	return ERR_NOTFOUND;
}

/*
 * No mapping for a JVM frame (a file name of "" or X.java, a function a/b/Class.method):
 * the class's file where Maven and Gradle keep it, then at the root.  Pyroscope has no
 * such step (it asks for the file name as it is); ERR_NOTFOUND when it does not apply.
 */
static int find_java_unmapped(struct src_ctx *c, const char *ext)
{
	static const char *const trees[] = { "src/main/java", "" };
	const char *cls;
	char *jp, *p;
	size_t i;
	int rc = ERR_NOTFOUND;

	if ((*c->path && strcmp(ext, ".java") != 0) || !c->have_service || !(jp = java_path(c->fn)))
		return ERR_NOTFOUND;
	cls = strrchr(jp, '/');
	if (!cls || !isupper((unsigned char)cls[1])) { /* a package and a Class */
		free(jp);
		return ERR_NOTFOUND;
	}
	src_trace(c, "java: no mapping: '%s' is in '%s' (Pyroscope needs a mapping for Java)",
		  c->fn, jp);
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]) && !DONE(c, rc); i++) {
		if (!(p = path_join(trees[i], jp, NULL))) {
			rc = oom(c);
			break;
		}
		rc = src_try_repo_file(c, p, "java: class file");
		free(p);
	}
	free(jp);
	return rc;
}

int src_find_rules(struct src_ctx *c)
{
	const char *ext = path_ext(c->path);
	int mi = -1, ppos = -1, rc;

	/*
	 * source_find() made a file: URL of this machine the path it names; one still here
	 * names another host's file (or an escaped NUL or '/'): no file of this machine, so
	 * no rule reads it — the Go path search would find its suffixes anywhere
	 */
	if (strncasecmp(c->path, "file:", 5) == 0) { /* FILE: too (RFC 3986 3.1) */
		src_trace(c, "rules: '%s' is not a file of this machine: no rule reads it",
			  c->path);
		return ERR_NOTFOUND;
	}
	load_config(c);
	if (c->stop)
		return c->stop;
	if (c->cfg && (mi = src_config_find(c->cfg, c->path, c->fn, &ppos)) >= 0) {
		const struct src_mapping *m = &c->cfg->v[mi];

		src_trace(c, "config: mapping[%d] matches (language %s, %s prefix)", mi,
			  src_lang_name(m->lang), ppos >= 0 ? "path" : "function-name");
		switch (m->lang) {
		case LANG_GO: return find_go(c, m, mi, ppos);
		case LANG_JAVA: return find_java(c, m, mi);
		case LANG_PYTHON: return find_python(c, m, mi, ppos);
		case LANG_JS: return find_js(c, m, mi, ppos);
		case LANG_NONE: break;
		}
	} else if (c->cfg) {
		src_trace(c, "config: no mapping matches");
	}
	if (strcmp(ext, ".go") == 0 || strcmp(ext, ".s") == 0)
		return find_go(c, NULL, -1, -1);
	if (strcmp(ext, ".py") == 0)
		return find_python(c, NULL, -1, -1);
	if (js_ext(c->path))
		return find_js(c, NULL, -1, -1);
	rc = find_java_unmapped(c, ext);
	if (DONE(c, rc))
		return rc;
	if (!*c->path) {
		src_trace(c, "no file path, and no mapping derives one");
		return ERR_NOTFOUND;
	}
	return src_try_repo_file(c, c->path, "file as named");
}
