/*
 * cmd_list.c — `smolder list REGEX SOURCE`: per-line flat and cum of every matching
 * function, the numbers `go tool pprof -list` prints, with the code when it can be
 * found (src/source: local files, git at a ref, GitHub).
 *
 * From a store or a server the range may hold several versions of the service (series
 * with different service_git_ref labels, source/versions.c).  Line numbers of two
 * versions are never added up: each version is merged on its own (the query plus
 * service_git_ref="REF") and listed after a "Version ..." line, its code read with its
 * own labels (repository, ref, root; the flags still win).  One version (or none) is
 * listed as a file is, with that version's labels for the code.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "base/units.h"
#include "base/url.h"
#include "cmd.h"
#include "profile/granularity.h"
#include "profile/list.h"
#include "profile/top.h"
#include "source/source.h"
#include "store/remote.h"

static void list_help(FILE *f)
{
	fputs("usage: smolder list [options] REGEX SOURCE\n"
	      "       smolder list [options] REGEX --db PATH [--query SEL]\n"
	      "                    [--profile-type ID] ...\n"
	      "\n"
	      "For every function whose name matches REGEX: its lines with flat (the line is\n"
	      "where the sample was taken) and cum (the function was on that line), like\n"
	      "`go tool pprof -list`, with the source code when it can be found.\n"
	      "SOURCE is any profile `smolder view` reads.\n"
	      "\n"
	      "  -i, --sample-index NAME  sample type by name or index (default: the profile's)\n"
	      "  -f, --format FMT         text (default) or tsv: function, file, line, flat,\n"
	      "                           cum (and version, from a store or a server) with\n"
	      "                           exact integers, one row per line with a cost\n"
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "Where the code comes from (see `smolder resolve --help`):\n"
	      CMD_CODE_HELP
	      "\n" CMD_TRANSFORM_HELP
	      "      (list ignores --granularity, as pprof does: it always lists lines)\n",
	      f);
	fputs("\n" CMD_STORE_HELP
	      "\n"
	      "From a store or a server, line numbers of different versions of the service are\n"
	      "never added up.  When the series of the range carry several service_git_ref\n"
	      "labels, each version (in version order, at most 16: those with the most series)\n"
	      "is merged on its own, with the query plus service_git_ref=\"REF\", and listed\n"
	      "after a line such as\n"
	      "  Version service_git_ref=v1.2.0 (3 series, repository https://github.com/x/y)\n"
	      "with its code read at its own ref.  The series labels service_repository (an\n"
	      "http(s) URL only), service_git_ref and service_root_path fill in what --repo,\n"
	      "--ref and --root leave unset, also with one version.  With --format tsv a sixth\n"
	      "column, version, holds each row's service_git_ref (empty for series without one)\n"
	      "instead of the Version lines; a file has no such column.\n"
	      "\n" CMD_PPROF_SAMPLE_HELP,
	      f);
}

static void put_safe(const struct prof *p, uint32_t id)
{
	cmd_put_safe(stdout, prof_str(p, id), prof_strlen(p, id), true);
}

/*
 * File id as pprof's reports name it (granularity_file_name(): Bazel's /proc/self/cwd/
 * trimmed, cleaned), escaped.  Only shown: the code is read by the raw name.
 */
static void put_file(const struct prof *p, uint32_t id)
{
	struct buf shown = BUF_INIT;

	if (granularity_file_name(&shown, prof_str(p, id), prof_strlen(p, id)) == 0 && shown.data)
		cmd_put_safe(stdout, shown.data, shown.len, true);
	else  /* out of memory: the raw name says as much */
		put_safe(p, id);
	buf_release(&shown);
}

/* Where code_line() left off: the start of line `no` (1-based), or no = 0 (not yet). */
struct line_cursor {
	const char *p;
	int64_t no;
};

/*
 * The code of line `no` (1-based) in f, or NULL; *len gets its length.  Lines asked for in
 * increasing order go on from where the last one was found (c): printing a window of a
 * long file is one pass over it, not one per line.
 */
static const char *code_line(const struct source_file *f, struct line_cursor *c, int64_t no,
			     size_t *len)
{
	const char *p = f->data, *end = f->data + f->len, *nl;
	int64_t i = 1;

	if (c->no > 0 && c->no <= no) {
		p = c->p;
		i = c->no;
	}
	for (; i < no && p < end; i++) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			return NULL;
		p = nl + 1;
	}
	if (p >= end)
		return NULL;
	c->p = p;
	c->no = no;
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	if (*len && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

/*
 * One version's first code lookup, done before anything is printed.  An option
 * source_find() cannot work with (--ref without --repo, a --repo that is not there)
 * fails every routine of the version alike: found on the first routine, it is said
 * once as the verb's usage error instead of under each routine.  print_text() takes
 * the result over, so no routine is looked up twice.
 */
struct list_code {
	struct labelset labels;  /* the version's (source_version_labels) */
	uint32_t routine;        /* the routine looked up; l->n: none wants code */
	int rc;                  /* what source_find() returned for it */
	struct source_file f;    /* rc 0: its code (print_text() takes it) */
	struct buf why;          /* rc != 0: the message */
};

/* Whether print_text() reads routine r's code: it has a file and line numbers. */
static bool wants_code(const struct prof *p, const struct list_routine *r)
{
	return prof_strlen(p, r->file) && list_first_numbered(r) < r->nlines;
}

/*
 * Fills code (zeroed) for version v, whose matching routines are l: its labels and the
 * first lookup.  0, or ERR_NOMEM (message set).
 */
static int code_probe(const struct source_version *v, const struct list *l,
		      const struct source_opts *so, struct list_code *code)
{
	const struct list_routine *r;
	uint32_t i;
	int rc;

	if ((rc = source_version_labels(v, &code->labels)))
		return rc;
	for (i = 0; i < l->n && !wants_code(v->prof, &l->r[i]); i++)
		;
	code->routine = i;
	if (i == l->n)
		return 0;
	r = &l->r[i];
	code->rc = source_find(so, code->labels.n ? &code->labels : NULL,
			       prof_str(v->prof, r->name), prof_str(v->prof, r->file), &code->f,
			       NULL);
	if (code->rc && buf_puts(&code->why, err_last()))
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

static void code_release(struct list_code *code)
{
	labelset_free(&code->labels);
	source_file_release(&code->f);
	buf_release(&code->why);
}

/*
 * The rows of r's lines k.. without code: each line with a cost, "..." where lines
 * between them have none.
 */
static void print_bare_lines(const struct list_routine *r, uint32_t k, const char *unit)
{
	char a[UNITS_MAX], b[UNITS_MAX];
	uint32_t k1 = k;

	for (; k < r->nlines; k++) {
		const struct list_line *ln = &r->lines[k];

		if (k > k1 && ln->line > r->lines[k - 1].line + 1)
			printf("%10s %10s %6s\n", "", "", "...");
		units_format(a, sizeof(a), ln->flat, unit);
		units_format(b, sizeof(b), ln->cum, unit);
		printf("%10s %10s %6lld\n", ln->flat ? a : ".", ln->cum ? b : ".", (long long)ln->line);
	}
}

/*
 * code: code_probe()'s for this version.  mi: how a store or server merged it over
 * range (its "Aggregation:" line), or NULL.
 */
static void print_text(const struct prof *p, const struct list *l, uint32_t type,
		       const struct source_opts *so, struct list_code *code,
		       const struct merge_info *mi, const struct time_range *range)
{
	const struct labelset *labels = code->labels.n ? &code->labels : NULL;
	const char *unit = prof_str(p, p->sample_types[type].unit);
	char a[UNITS_MAX], b[UNITS_MAX], pct[UNITS_MAX];
	uint32_t i, k;

	if (mi)
		cmd_put_merge_note(stdout, mi, range->from_ns, range->to_ns, NULL);
	units_format(a, sizeof(a), l->total, unit);
	printf("Total: %s\n", a);
	for (i = 0; i < l->n; i++) {
		const struct list_routine *r = &l->r[i];
		struct source_file f = SOURCE_FILE_INIT;
		uint32_t k0 = list_first_numbered(r);
		int64_t first, last;
		const char *why;
		bool found;

		if (prof_strlen(p, r->file) == 0) {
			/* no file: as pprof, which lists the function's other files (routines
			 * sort by name, then file: "" first) or says there is no source */
			if (i + 1 < l->n && l->r[i + 1].name == r->name)
				continue;
			printf("No source information for ");
			put_safe(p, r->name);
			putchar('\n');
			continue;
		}
		if (k0 == r->nlines) {
			/* a file but no line numbers: not a listing of "line 0" */
			printf("No source information for ");
			put_safe(p, r->name);
			printf(": the profile has no line numbers in ");
			put_safe(p, r->file);
			putchar('\n');
			continue;
		}
		/* pprof's window, LIST_MARGIN lines either side; line numbers are the profile's,
		 * any int64 (2^63-1 is one): the end is held there, not wrapped round */
		first = r->lines[k0].line - LIST_MARGIN;  /* lines[k0].line >= 1 */
		last = r->lines[r->nlines - 1].line;
		last = last > INT64_MAX - LIST_MARGIN ? INT64_MAX : last + LIST_MARGIN;
		printf("ROUTINE ======================== ");
		put_safe(p, r->name);
		printf(" in ");
		put_file(p, r->file);
		units_format(a, sizeof(a), r->flat, unit);
		/* pprof's header: the sum of the lines' cum, not the function's cum */
		units_format(b, sizeof(b), r->cum_lines, unit);
		units_percent(pct, sizeof(pct), r->cum_lines, l->total);
		printf("\n%10s %10s (flat, cum) %s of Total\n", a, b, pct);
		if (i == code->routine) {  /* looked up already */
			f = code->f;
			code->f = (struct source_file)SOURCE_FILE_INIT;
			found = code->rc == 0;
			why = code->why.data ? code->why.data : "";
		} else {
			found = source_find(so, labels, prof_str(p, r->name), prof_str(p, r->file),
					    &f, NULL) == 0;
			why = err_last();
		}
		if (!found) {
			struct buf m = BUF_INIT;

			text_safe(&m, why, strlen(why), cmd_ascii(stdout));
			printf(" (no code: %.*s)\n", (int)m.len, m.data ? m.data : "");
			buf_release(&m);
		}
		if (first < 1)
			first = 1;
		if (k0 > 0) {
			/* some samples have no line: their cost on a row of its own */
			int64_t fl = 0, cu = 0;

			for (k = 0; k < k0; k++) {
				fl += r->lines[k].flat;
				cu += r->lines[k].cum;
			}
			units_format(a, sizeof(a), fl, unit);
			units_format(b, sizeof(b), cu, unit);
			printf("%10s %10s %6s: (no line number)\n", fl ? a : ".", cu ? b : ".", "?");
		}
		if (found) {
			/* pprof's window: the lines with a cost, and 5 around them */
			struct line_cursor cur = { NULL, 0 };
			int64_t no, shown = first - 1;

			for (no = first, k = k0;; no++) {
				size_t len = 0;
				const char *txt = code_line(&f, &cur, no, &len);
				struct buf t = BUF_INIT;

				if (!txt)
					break;
				while (k < r->nlines && r->lines[k].line < no)
					k++;
				if (k < r->nlines && r->lines[k].line == no) {
					units_format(a, sizeof(a), r->lines[k].flat, unit);
					units_format(b, sizeof(b), r->lines[k].cum, unit);
				}
				text_code(&t, txt, len, 4, false);
				printf("%10s %10s %6lld: %.*s\n",
				       k < r->nlines && r->lines[k].line == no && r->lines[k].flat ? a : ".",
				       k < r->nlines && r->lines[k].line == no && r->lines[k].cum ? b : ".",
				       (long long)no, (int)t.len, t.data ? t.data : "");
				buf_release(&t);
				shown = no;
				if (no == last)  /* last may be INT64_MAX: no++ would wrap */
					break;
			}
			/*
			 * Lines with a cost that the file does not reach (the code of another
			 * version, or a line number no compiler wrote) are listed without code:
			 * pprof leaves them out, and the rows would not add up to the header.
			 */
			while (k < r->nlines && r->lines[k].line <= shown)
				k++;
			if (k < r->nlines) {
				printf("%10s %10s %6s  (the file ends before line %lld)\n", "", "", "...",
				       (long long)r->lines[k].line);
				print_bare_lines(r, k, unit);
			}
		} else {
			/* without the code: only the lines with a cost, and the gaps marked */
			print_bare_lines(r, k0, unit);
		}
		source_file_release(&f);
	}
}

/* The rows of l; version (NULL: no column) is the rows' service_git_ref. */
static void print_tsv(const struct prof *p, const struct list *l, const char *version)
{
	struct buf ver = BUF_INIT;
	uint32_t i, k;

	if (version)
		text_safe(&ver, version, strlen(version), cmd_ascii(stdout));
	for (i = 0; i < l->n; i++) {
		const struct list_routine *r = &l->r[i];

		for (k = 0; k < r->nlines; k++) {
			put_safe(p, r->name);
			putchar('\t');
			put_safe(p, r->file);
			printf("\t%lld\t%lld\t%lld", (long long)r->lines[k].line,
			       (long long)r->lines[k].flat, (long long)r->lines[k].cum);
			if (version)
				printf("\t%.*s", (int)ver.len, ver.data ? ver.data : "");
			putchar('\n');
		}
	}
	buf_release(&ver);
}

/* How every version is listed. */
struct list_ctx {
	const char *regex, *sample_index;
	const struct cmd_store_src *st;  /* --timeout and --seconds, for a SOURCE URL */
	bool tsv;
	bool versioned;  /* from a store or a server: the data has versions */
	const struct cmd_transform *tr;
	const struct source_opts *so;
};

/*
 * "Version service_git_ref=v2 (3 series, repository https://h/x)": which version, and
 * where its code comes from (flags over labels, as source_find() takes them).
 */
static void print_version(const struct source_version *v, const struct source_opts *so)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;
	const char *repo;

	if (v->ref && *v->ref)
		buf_printf(&raw, "Version service_git_ref=%s (", v->ref);
	else
		buf_puts(&raw, "Version without service_git_ref (");
	buf_printf(&raw, "%u series", v->nseries);
	repo = so->repo ? so->repo : v->repo && source_label_repo_ok(v->repo) ? v->repo : NULL;
	if (repo) {
		buf_puts(&raw, ", repository ");
		if (source_label_repo_ok(repo)) /* an http(s) URL: no credentials on the screen */
			url_redact_buf(repo, &raw);
		else
			buf_puts(&raw, repo);
		if (so->repo)
			buf_puts(&raw, " (--repo)");
	} else if (v->repo) {
		buf_puts(&raw, ", its repository label is not an http(s) URL: --repo sets one");
	}
	if (so->ref)
		buf_printf(&raw, ", code at --ref %s", so->ref);
	if (so->root)
		buf_printf(&raw, ", root %s (--root)", so->root);
	else if (v->root)
		buf_printf(&raw, ", root %s", v->root);
	if (v->mixed)
		buf_puts(&raw, ", its series name several repositories or roots: the most common is used");
	buf_puts(&raw, ")");
	text_safe(&safe, raw.data ? raw.data : "", raw.len, cmd_ascii(stdout));
	printf("%.*s\n", (int)safe.len, safe.data ? safe.data : "");
	buf_release(&raw);
	buf_release(&safe);
}

/*
 * v[i]'s routines in l[i], its sample type types[i]; v[i].prof NULL: no data.  mi[i]:
 * how v[i] was merged over range (NULL for a file).
 */
static int list_print(const struct source_version *v, size_t nv, size_t nall,
		      const struct list *l, const int *types, const struct list_ctx *c,
		      const struct merge_info *mi, const struct time_range *range)
{
	struct list_code *code = NULL;
	size_t i;
	int rc = 1;

	for (i = 0; i < nv && l[i].n == 0; i++)
		;
	if (i == nv) {
		fputs("smolder list: no function matches '", stderr);
		cmd_put_safe(stderr, c->regex, strlen(c->regex), true);  /* the user's: escaped */
		fputs("'\n", stderr);
		return 1;
	}
	if (!c->tsv) {
		if (!(code = calloc(nv, sizeof(*code)))) {
			fprintf(stderr, "smolder list: out of memory\n");
			return 1;
		}
		for (i = 0; i < nv; i++) {
			if (!v[i].prof || l[i].n == 0)
				continue;
			if (code_probe(&v[i], &l[i], c->so, &code[i])) {
				cmd_verb_errorf("list", "%s", err_last());
				goto done;
			}
			if (code[i].rc == ERR_USAGE) {
				cmd_verb_errorf("list", "%s", code[i].why.data ? code[i].why.data : "");
				rc = 2;
				goto done;
			}
		}
	} else {
		printf("function\tfile\tline\tflat\tcum%s\n", c->versioned ? "\tversion" : "");
	}
	for (i = 0; i < nv; i++) {
		if (c->tsv) {
			print_tsv(v[i].prof, &l[i], !c->versioned ? NULL : v[i].ref ? v[i].ref : "");
			continue;
		}
		if (nv > 1) {
			if (i)
				putchar('\n');
			print_version(&v[i], c->so);
			if (!v[i].prof) {
				printf(" (no profiles of this version in the range any more)\n");
				continue;
			}
			if (l[i].n == 0) {
				fputs(" (no function matches '", stdout);
				cmd_put_safe(stdout, c->regex, strlen(c->regex), true);
				fputs("' in this version)\n", stdout);
				continue;
			}
		}
		print_text(v[i].prof, &l[i], (uint32_t)types[i], c->so, &code[i], mi ? &mi[i] : NULL,
			   range);
	}
	if (nall > nv)
		fprintf(c->tsv ? stderr : stdout, "%s%zu more versions not shown; narrow --query\n",
			c->tsv ? "smolder list: " : "\n", nall - nv);
	rc = 0;
done:
	for (i = 0; code && i < nv; i++)
		code_release(&code[i]);
	free(code);
	return rc;
}

/*
 * A profile's routines: the filters (*p replaced), then the functions that match.  The
 * total ("Total:", "% of Total") is the unfiltered profile's, as pprof's (report.New
 * computes it before applyFocus; top and peek do the same).
 */
static int part_compute(struct prof **p, int type, const struct list_ctx *c, struct list *l)
{
	int64_t total = top_pprof_total(*p, (uint32_t)type);

	if (cmd_transform(p, c->tr))
		return 1;
	if (list_compute(*p, (uint32_t)type, c->regex, l)) {
		cmd_verb_errorf("list", "%s", err_last());
		return 1;
	}
	l->total = total;
	return 0;
}

static int list_file(const char *src, const struct cmd_env *env, const struct list_ctx *c)
{
	struct source_version v = { 0 };
	struct list l = { 0 };
	int type, rc = 1;

	if (cmd_load(src, env, c->st, c->sample_index, &v.prof, &type) == 0 &&
	    part_compute(&v.prof, type, c, &l) == 0)
		rc = list_print(&v, 1, 1, &l, &type, c, NULL, NULL);
	list_release(&l);
	prof_free(v.prof);
	return rc;
}

/*
 * One version's data: the query plus service_git_ref="REF" ("" selects the series
 * without the label).  Nothing left in the range (the series were listed a moment ago)
 * leaves v->prof NULL.
 */
static int merge_version(struct cmd_store_read *r, struct source_version *v,
			 struct merge_info *mi)
{
	struct selector *sel = NULL;
	struct query q = r->q;
	int rc;

	if (cmd_store_selector(r, "service_git_ref", v->ref, &sel))
		return 1;
	q.selector = sel;
	rc = r->be->ops->merge(r->be, &q, &v->prof, mi);
	selector_free(sel);
	if (rc && rc != ERR_NOTFOUND) {
		cmd_verb_errorf("list", "version '%s': %s", v->ref, err_last());
		return 1;
	}
	return 0;
}

static int list_store(const struct cmd_store_src *st, const struct cmd_env *env,
		      const struct list_ctx *c)
{
	struct cmd_store_read r;
	struct selector *sel = NULL;
	struct labelset_list series = { 0 };
	struct source_version *v = NULL;
	struct list *l = NULL;
	struct merge_info *mi = NULL;
	int *types = NULL;
	size_t nv = 0, nall = 0, i;
	int rc = 1;

	if ((rc = cmd_store_open(st, false, env, &r)))
		return rc;  /* 2: options that do not go together, an empty range */
	rc = 1;
	/* the versions: the series of the query and the type (series are not typed) */
	if (cmd_store_selector(&r, "__profile_type__", r.q.profile_type, &sel))
		goto done;
	if (r.be->ops->series(r.be, sel, NULL, 0, r.q.range, &series) ||
	    source_versions_group(series.v, series.n, &v, &nv, &nall)) {
		cmd_verb_errorf("list", "%s", err_last());
		goto done;
	}
	if (nv == 0) { /* no series, yet a type: one unlabelled part, errors as merge says them */
		if (!(v = calloc(1, sizeof(*v)))) {
			fprintf(stderr, "smolder list: out of memory\n");
			goto done;
		}
		nv = nall = 1;
	}
	if (!(l = calloc(nv, sizeof(*l))) || !(types = calloc(nv, sizeof(*types))) ||
	    !(mi = calloc(nv, sizeof(*mi)))) {
		fprintf(stderr, "smolder list: out of memory\n");
		goto done;
	}
	for (i = 0; i < nv; i++) {
		/* one version: the query as it is, as every verb merges it */
		if (nv == 1 ? cmd_store_merge(&r, NULL, &v[i].prof, &mi[i]) :
			      merge_version(&r, &v[i], &mi[i]))
			goto done;
		if (!v[i].prof)
			continue;
		if ((types[i] = cmd_sample_index(v[i].prof, c->sample_index)) < 0 ||
		    part_compute(&v[i].prof, types[i], c, &l[i]))
			goto done;
	}
	rc = list_print(v, nv, nall, l, types, c, mi, &r.q.range);
done:
	for (i = 0; l && i < nv; i++)
		list_release(&l[i]);
	free(l);
	free(mi);
	free(types);
	source_versions_free(v, nv);
	labelset_list_release(&series);
	selector_free(sel);
	cmd_store_close(&r);
	return rc;
}

int cmd_list(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "source-path", required_argument, NULL, 'S' },
		{ "source_path", required_argument, NULL, 'S' },
		{ "trim-path", required_argument, NULL, 'P' },
		{ "trim_path", required_argument, NULL, 'P' },
		{ "repo", required_argument, NULL, 'R' },
		{ "ref", required_argument, NULL, 'F' },
		{ "root", required_argument, NULL, 'O' },
		{ "offline", no_argument, NULL, 'N' },
		{ "github-api", required_argument, NULL, 'W' },
		CMD_TRANSFORM_OPTIONS,
		CMD_STORE_OPTIONS,
		CMD_SECONDS_OPTION,
		CMD_PPROF_SAMPLE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS, .pprof_names = true };
	struct cmd_store_src st = { 0 };
	struct source_opts so = { 0 };
	struct list_ctx ctx = { .tr = &tr, .so = &so };
	int c, rc;

	optind = 1;
	while ((c = cmd_getopt("list", argc, argv, "i:f:h", opts)) != -1) {
		switch (c) {
		case 'i': ctx.sample_index = optarg; break;
		case 'f': format = optarg; break;
		case 'S': so.source_path = optarg; break;
		case 'P': so.trim_path = optarg; break;
		case 'R': so.repo = optarg; break;
		case 'F': so.ref = optarg; break;
		case 'O': so.root = optarg; break;
		case 'N': so.offline = true; break;
		case 'W': so.github_api = optarg; break;
		case 'h': list_help(stdout); return 0;
		case '?': return 2;
		default:
			switch (cmd_shared_opt(c, optarg, &ctx.sample_index, &st, &tr)) {
			case 1: continue;
			case -1: return 2;
			}
			list_help(stderr);
			return 2;
		}
	}
	/* pprof's list is always per line (applyCommandOverrides sets granularity=lines for
	   it, which its listing reads as functions with their lines): the option is ignored */
	tr.granularity = GRAN_FUNCTIONS;
	if (cmd_check_format("list", format, (const char *const[]){ "text", "tsv", NULL }))
		return 2;
	if (cmd_check_args("list", &st, argc - optind, argv + optind,
			   (const char *const[]){ "REGEX", "SOURCE", NULL }, 1))
		return 2;
	if (cmd_check_re2("REGEX", argv[optind]) ||
	    cmd_check_seconds("list", &st,
			      (const char *const[]){ st.used ? NULL : argv[optind + 1] }, 1))
		return 2;
	ctx.regex = argv[optind];
	ctx.st = &st;
	ctx.tsv = strcmp(format, "tsv") == 0;
	ctx.versioned = st.used;
	so.cancel = env->cancel;
	if (!so.repo && !so.source_path)
		so.source_path = "."; /* pprof's default search path */
	/* one memory for the run: each file, config and failed server is asked once, not
	   once per routine */
	if (source_memo_new(&so.memo)) {
		cmd_verb_errorf("list", "%s", err_last());
		return 1;
	}
	rc = st.used ? list_store(&st, env, &ctx) : list_file(argv[optind + 1], env, &ctx);
	source_memo_free(so.memo);
	return rc;
}
