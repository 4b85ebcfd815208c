/*
 * source_int.h — what the files of src/source/ share; no other module includes it (the
 * unit tests do, to check the pure rules one by one).
 *
 * Owner: src/source/.  Strings returned through `char **out` are malloc'd and belong to
 * the caller (free()); `const char *` results point into the arguments.
 *
 * The pieces:
 *   path.c      Go's filepath.Clean/Join, containment checks, URL helpers
 *   config.c    `.pyroscope.yaml` (libyaml) and longest-prefix mapping
 *   golang.c    the Go rules (standard library, module paths, go.mod, vanity imports)
 *   golang_std.c the standard-library package table (../shared/spec/go-std-packages.txt)
 *   lang.c      the Python, Java and JavaScript rules
 *   find.c      Pyroscope's order of attempts (FileFinder.Find) on top of src_try()
 *   source.c    source_find(): options, labels, plain paths, places, the result
 *   git.c       libgit2: local clones, cached bare clones, blobs at a ref
 *   github.c    libcurl: the GitHub contents API and plain GETs
 *   cache.c     the disk cache of fetched files
 *   memo.c      a run's memory of lookups (struct source_memo)
 */
#ifndef SMOLDER_SOURCE_INT_H
#define SMOLDER_SOURCE_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/url.h"
#include "source.h"

/* ---------------------------------------------------------------- path.c */

/* Go's filepath.Clean: collapses //, removes ., resolves .. lexically; "" → ".". */
char *path_clean(const char *p);
/* Go's filepath.Join of the non-empty elements (NULL ends the list); all empty → "". */
char *path_join(const char *a, ...);
/*
 * The cleaned form of p inside a tree, leading '/' removed: NULL (with *why set to a
 * static reason) when it is empty, ".", or escapes with "..".
 */
char *path_inside(const char *p, const char **why);
bool path_has_prefix_dir(const char *path, const char *dir); /* dir itself or below */

bool url_is_remote(const char *s);          /* scheme://... or user@host:path */
bool url_is_http(const char *s);            /* http:// or https:// */
/* host (lowercase, no port, no credentials) of a URL or scp-like address, or "" */
void url_host(const char *url, char *host, size_t n);
/* scheme://host[:port] of an http(s) URL, lowercase, or "" */
void url_origin(const char *url, char *origin, size_t n);
/* a safe directory name for the clone of url (given without credentials: git.c): the
   redacted URL (url_redact(), base/url.h) and a hash of the whole one */
char *url_cache_name(const char *url);
/*
 * owner and repo of a GitHub URL (https, ssh or scp-like) on web_host: the web host of
 * the configured API (github.com for api.github.com), never another GitHub's
 */
bool url_github_repo(const char *url, const char *web_host, char **owner, char **repo);
bool ref_is_commit(const char *ref);         /* 40 or 64 hex digits */
/*
 * A GitHub owner or repository name: letters, digits, '-', '_', '.', at most GH_NAME_MAX
 * characters, not "." or "..".  Anything else (a '/', '?', a space) would make another URL.
 */
#define GH_NAME_MAX 100
bool gh_name_ok(const char *s);
/* percent-encodes s for a URL path (keep_slash) or a query value */
int url_escape(struct buf *b, const char *s, bool keep_slash);

/* ---------------------------------------------------------------- config.c */

enum src_lang { LANG_NONE, LANG_GO, LANG_JAVA, LANG_PYTHON, LANG_JS };

struct src_mapping {
	char **paths;  /* path prefixes */
	size_t npaths;
	char **funcs;  /* function-name prefixes */
	size_t nfuncs;
	enum src_lang lang;
	bool local, github;
	char *local_path;                   /* local source: dir relative to the root path */
	char *owner, *repo, *ref, *gh_path; /* github source */
};

struct src_config {
	struct src_mapping *v;
	size_t n;
};

/* Parses and validates; a one-line message (err_last) on failure. */
int src_config_parse(const char *data, size_t len, struct src_config *out);
void src_config_release(struct src_config *c);
/*
 * The mapping with the longest segment-aware prefix match on path or function name
 * (ties: the first); -1 when none.  *path_pos is the length of the best *path* prefix of
 * that mapping, or -1 when only a function-name prefix matched it.
 */
int src_config_find(const struct src_config *c, const char *path, const char *fn,
		    int *path_pos);
const char *src_lang_name(enum src_lang l);
/* segment-aware prefix test; for function names '.', '$' also end a segment */
bool src_prefix_match(const char *s, const char *prefix, bool fn);

/* ---------------------------------------------------------------- golang.c */

bool go_std_package(const char *dir, size_t len);  /* golang_std.c */

/* IsStandardLibraryPath: *rel (standard-library path) and *version ("" when unknown). */
bool go_stdlib(const char *path, char **rel, char **version);
/* "go1.21.3"; releases before 1.21 tag X.N.0 as "go1.N"; "" → "master" */
char *go_stdlib_ref(const char *version);

struct go_module {
	char *path;      /* module path */
	char *version;   /* "v1.2.3", may be "" */
	char *file;      /* path inside the module */
	char *ref;       /* set instead of version for the main module (its git ref) */
	char *local_dir; /* a ./ or ../ replacement: directory in the service repository */
};
bool go_module_parse(const char *path, struct go_module *m);
void go_module_release(struct go_module *m);

struct go_mod_file {  /* the parts of go.mod that matter */
	char *module;
	struct go_mod_req { char *path, *version; } *reqs;
	size_t nreqs;
	struct go_mod_rep { char *old, *new_path, *new_version; } *reps;
	size_t nreps;
};
int go_mod_parse(const char *data, size_t len, struct go_mod_file *out);
void go_mod_release(struct go_mod_file *f);
/* require/replace applied to m; gomod_dir is go.mod's directory in the repository */
int go_mod_apply(const struct go_mod_file *f, const char *gomod_dir, struct go_module *m);

/* gopkg.in rules: 0 with *out, ERR_NOTFOUND when not gopkg.in, ERR_PARSE when invalid */
int go_gopkg_in(const char *path, char **out);
/* go-get discovery on a fetched page: the new module path, or NULL (unchanged) */
char *go_meta_resolve(const char *module, const char *html, size_t len);
char *go_strip_major(const char *path);          /* whole /vN segments after owner/repo */
char *go_ref_from_version(const char *version);  /* pseudo → hash, canonical semver, raw */
bool go_is_pseudo(const char *version);
char *go_unescape_case(const char *path);        /* module cache "!a" → "A" */
/* https://go.googlesource.com/<p>/+/<ref>/<extra/>file?format=TEXT, or NULL */
char *go_googlesource_url(const char *module, const char *version, const char *file);

/* ---------------------------------------------------------------- lang.c */

/* python(\d+\.\d{1,2})/ (last match); site-/dist-packages are not the standard library */
bool py_stdlib(const char *path, char **rel, char **version);
char *java_path(const char *function_name);  /* NULL for an empty name */
bool js_ext(const char *path);
const char *path_ext(const char *path);      /* filepath.Ext */

/* ---------------------------------------------------------------- the search context */

/* A place to read files from: a repository (path or URL) or a plain directory, at ref. */
struct src_place {
	const char *repo;  /* local path or URL; NULL for a directory */
	const char *dir;   /* plain directory (with repo NULL) */
	const char *ref;   /* NULL or "": HEAD / the default branch */
};

struct src_git;  /* git.c: an opened repository, cached for the call */

struct src_ctx {
	const struct source_opts *o;
	struct source_trace *trace;
	const char *fn, *path;  /* the function and its file */
	const char *repo, *ref, *root;  /* the service repository (may be NULL) */
	bool have_service;      /* a repository or a source path to look in */
	struct src_place service;
	char source_dir[PATH_MAX];  /* the --source-path directory the rules read (service.dir) */
	char github_api[512], github_web[512], github_host[256];
	const char *token;
	char cache_dir[1024];
	const char *goroot;
	long ttl;
	uint64_t clone_max;       /* bytes a clone or fetch may download */
	bool clone_refused;       /* set by src_git_read: a clone or fetch passed clone_max */
	struct source_memo *memo; /* o->memo, or one of the call's own */
	const struct src_config *cfg;  /* NULL: none; the memo's, or cfg_own */
	struct src_config *cfg_own;    /* a config the memo did not keep: freed with the call */
	struct src_git **gits;
	size_t ngits, capgits;
	unsigned tries;           /* places tried */
	int stop;                 /* non-zero: end the search with this code */
	int hard_code;            /* the most telling error that was not "not found" */
	char hard_msg[512];
	bool refused;             /* set by src_read when a file was found but refused */
	bool no_ref;              /* set by src_git_read when the ref is not in the repository */
	struct source_file *out;
};

/* Appends one formatted line to the trace (no-op without one). */
void src_trace(struct src_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Reads path (relative to the place; cleaned and contained here) into *f without
 * touching c->out: 0, ERR_NOTFOUND, or another error (message set; c->refused when the
 * file exists but is binary or too big).  Logs one trace line prefixed with `why`.
 */
int src_read(struct src_ctx *c, const struct src_place *pl, const char *path,
	     const char *why, struct source_file *f);
/* src_read of a candidate: on success it becomes the result; sets c->stop when final. */
int src_try(struct src_ctx *c, const struct src_place *pl, const char *path, const char *why);
/* a GitHub repository as a place (URL built from the web base) */
char *src_github_url(struct src_ctx *c, const char *owner, const char *repo);
/* the service repository's file: root joined, leading '/' removed (fetchRepoFile) */
int src_try_repo_file(struct src_ctx *c, const char *path, const char *why);
/* Pyroscope's FileFinder.Find: 0 when c->out is filled */
int src_find_rules(struct src_ctx *c);
/* Go path search (tryFindGoFile) with at most max requests */
int src_go_path_search(struct src_ctx *c, const char *path, int max);
/* checks content: binary or too large → refused */
int src_check_content(struct src_ctx *c, const char *name, const char *data, size_t len);
/* plain HTTP GET (no token) with limit; *status set */
int src_http_get(struct src_ctx *c, const char *url, size_t limit, struct buf *body, long *status);
/* a go.googlesource.com ?format=TEXT file (base64) as the result: repo/ref/path describe it */
int src_try_googlesource(struct src_ctx *c, const char *repo, const char *ref, const char *path,
			 const char *url, const char *why);

/* git.c */
int src_git_read(struct src_ctx *c, const char *repo, bool remote, const char *ref,
		 const char *path, struct source_file *f, char *note, size_t notelen);
bool src_git_clone_exists(struct src_ctx *c, const char *url);
/* 0: a local git repository (opened); ERR_NOTFOUND: not one; another error: unusable */
int src_git_probe(struct src_ctx *c, const char *path);
void src_git_close_all(struct src_ctx *c);
void src_git_global_init(void);

/* github.c: 0, ERR_NOTFOUND, or an error; data is the raw file */
int src_github_get(struct src_ctx *c, const char *owner, const char *repo, const char *ref,
		   const char *path, struct buf *data, char *note, size_t notelen);

/* memo.c (every function accepts a NULL memo: nothing is remembered) */
struct src_memo_read {  /* what src_read() found for (place, ref, path) */
	int rc;
	char *msg;  /* the error message (rc != 0) */
	bool refused, no_ref, clone_refused;
	char note[160];
	struct source_file f;  /* rc 0: the file */
};
/* how long a failure is remembered: an origin not reached, a clone, an ERR_NET read */
#define SRC_MEMO_FAIL_TTL_MS 60000
/* the clock the memo's `now` arguments are read from: CLOCK_MONOTONIC, in ms */
uint64_t src_now_ms(void);
/*
 * true with *out (f copied: the caller releases it; msg borrowed from the memo); a
 * read that failed with ERR_NET is forgotten SRC_MEMO_FAIL_TTL_MS after its put
 */
bool src_memo_read_get(struct source_memo *m, const char *place, const char *ref,
		       const char *path, uint64_t now, struct src_memo_read *out);
void src_memo_read_put(struct source_memo *m, const char *place, const char *ref,
		       const char *path, uint64_t now, const struct src_memo_read *r);
/* a parsed config (NULL with *msg: it did not parse), borrowed from the memo */
bool src_memo_config_get(struct source_memo *m, const char *place, const char *ref,
			 const char *root, const struct src_config **cfg, const char **msg);
/* true: the memo took cfg (NULL: the message says why it did not parse); false: not kept */
bool src_memo_config_put(struct source_memo *m, const char *place, const char *ref,
			 const char *root, struct src_config *cfg, const char *msg, size_t bytes);
enum src_memo_what { SRC_MEMO_ORIGIN, SRC_MEMO_CLONE };
/*
 * whether an origin could not be reached / a clone of a URL failed within the last
 * SRC_MEMO_FAIL_TTL_MS before now: *msg says how
 */
bool src_memo_failed(struct source_memo *m, enum src_memo_what what, const char *name,
		     uint64_t now, char *msg, size_t n);
void src_memo_fail(struct source_memo *m, enum src_memo_what what, const char *name,
		   uint64_t now, const char *msg);
/* the same, keeping the failure's code rc (src_memo_fail keeps ERR_NET) */
void src_memo_fail_rc(struct source_memo *m, enum src_memo_what what, const char *name,
		      uint64_t now, int rc, const char *msg);
/* src_memo_failed answering the code that was kept: 0 when nothing is remembered */
int src_memo_failed_rc(struct source_memo *m, enum src_memo_what what, const char *name,
		       uint64_t now, char *msg, size_t n);
/*
 * ref ("HEAD" for none) was not in the clone of url (as given) after a fetch, within the
 * last SRC_MEMO_FAIL_TTL_MS before now: a later lookup reports it without fetching again
 */
bool src_memo_no_ref(struct source_memo *m, const char *url, const char *ref, uint64_t now);
void src_memo_no_ref_put(struct source_memo *m, const char *url, const char *ref,
			 uint64_t now);
int src_file_copy(const struct source_file *from, struct source_file *to);

/* cache.c */
int src_cache_get(struct src_ctx *c, const char *repo, const char *ref, const char *path,
		  struct buf *data);
void src_cache_put(struct src_ctx *c, const char *repo, const char *ref, const char *path,
		   const char *data, size_t len);
/* mkdir -p with mode 0700 */
int src_mkdirs(const char *dir);
/* rm -rf of a directory this module created */
void src_rmtree(const char *dir);

#endif
