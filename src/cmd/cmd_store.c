/*
 * cmd_store.c — the store from the command line:
 *
 *   smolder ingest FILE... [--db PATH] [--service NAME] [--name NAME] [--extra-labels k=v]
 *   smolder query series|types|profile|timeline [--db PATH] [--query SEL] [--from T] ...
 *
 * `ingest` adds profile files offline, each loaded and prepared before it takes the
 * write lock and written in a transaction of its own (so a `serve` on the same store
 * waits only for the write, not for a URL's --seconds or a slow stdin); series labels
 * service_name (--service or --extra-labels service_name=, the last one given, as upload
 * takes them; else the file name up to its first '.'), __name__ (--name,
 * else Pyroscope's rule on the sample types) and the extra labels; the time is the
 * profile's time_nanos, or the file's modification time when the profile has none.
 * `query` follows profilecli's `query series` and `query profile` (flags --query
 * --from --to --profile-type --output; series as a table or JSON; profile to the
 * console as the top table or --output pprof=FILE, refusing to overwrite without
 * --force), plus `types` and `timeline`.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/outfile.h"
#include "base/strvec.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "cmd.h"
#include "ingest/encode.h"
#include "ingest/load.h"
#include "profile/selector.h"
#include "profile/top.h"
#include "profile/transform.h"
#include "store/remote.h"
#include "store/store.h"

#define NS_PER_YEAR (365LL * 86400 * 1000000000)

static void ingest_help(FILE *f)
{
	fputs("usage: smolder ingest [options] FILE...\n"
	      "\n"
	      "Add profiles to the store, as if their program pushed them to `smolder serve`.\n"
	      "FILE is anything `smolder view` reads (pprof, folded, perf script, speedscope).\n"
	      "Each sample type becomes a series with Pyroscope's labels: service_name,\n"
	      "__name__ (process_cpu, memory, ...) and __profile_type__\n"
	      "(e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds); pprof sample labels stay\n"
	      "with the samples and can be selected with --query in every verb.\n"
	      "\n"
	      "      --db PATH            the store (created when missing; default $SMOLDER_DB,\n"
	      "                           else $XDG_DATA_HOME/smolder/smolder.db)\n"
	      "      --service NAME       service_name (default: the file name, or a URL's\n"
	      "                           last path segment, up to its first dot;\n"
	      "                           unknown_service for standard input): the same as\n"
	      "                           --extra-labels service_name=NAME\n"
	      "                           (the last one wins, as in smolder upload)\n"
	      "      --name NAME          __name__ (default: from the sample types; a\n"
	      "                           contention profile whose file name says block is\n"
	      "                           block, else mutex)\n"
	      "      --extra-labels K=V   a series label (repeat it; K:V too): the value is\n"
	      "                           all after the first = or :, commas too (K=a,b),\n"
	      "                           unless every comma-separated piece is NAME=VALUE\n"
	      "                           with no other = (K=V,K2=V2: two labels)\n"
	      "      --tenant NAME        the tenant (default: anonymous; --tenant-id too)\n"
	      "      --timeout SECONDS    give up on a URL after this long (pprof's -timeout;\n"
	      "                           default: its ?seconds=N plus half, else 60)\n"
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "\n"
	      "The time is the profile's own (pprof time_nanos), else the file's\n"
	      "modification time.\n",
	      f);
}

/* "cpu.pb.gz" → "cpu"; "/x/y/app-heap.pprof" → "app-heap". */
static int service_from_path(const char *path, struct buf *out)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	if (strcmp(path, "-") == 0 || !*base)
		return buf_puts(out, "unknown_service");
	dot = strchr(base, '.');
	return buf_add(out, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* The profile's time, or the file's modification time, or now. */
static int64_t ingest_time(const struct prof *p, const char *path)
{
	struct stat st;

	/* Pyroscope: 0 or a time in 1970 (µs sent as ns by old clients) is not a time */
	if (p->time_nanos > NS_PER_YEAR)
		return p->time_nanos;
	if (strcmp(path, "-") != 0 && !load_is_url(path) && stat(path, &st) == 0)
		return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return time_now_ns();
}

/* Prints s made terminal-safe; returns its width in cells (print false: only measures). */
static int put_safe_w(FILE *f, const char *s, bool print)
{
	return cmd_put_safe(f, s, strlen(s), print);
}

static void put_safe(FILE *f, const char *s)
{
	put_safe_w(f, s, true);
}

/*
 * One FILE of ingest, ready to write.  Everything that may take long (a URL's
 * --seconds, a slow stdin, decoding, the hashing of store_prepare) happens before the
 * write lock is taken, so a `smolder serve` on the same store waits only for the write.
 */
struct ingest_file {
	struct prof *p;
	struct store_prep *prep;  /* reads p */
	struct labelset ls;       /* the series labels */
	int64_t time_ns;
};

static void ingest_file_release(struct ingest_file *f)
{
	store_prep_free(f->prep);
	labelset_free(&f->ls);
	prof_free(f->p);
}

/* f's series labels, time and prep for the profile f->p loaded from src. */
static int ingest_prepare(struct ingest_file *f, const char *src, const char *shown,
			  const struct labelset *extra, const char *name, struct buf *svc)
{
	struct prof *q = NULL;
	int rc;

	f->time_ns = ingest_time(f->p, src);
	if (prof_is_signed(f->p))
		return err_set(ERR_PARSE, "it is a difference (negative values), not a profile");
	/*
	 * Its sample types as a push stores them: '_' for '-' (perf script's cpu-clock), as
	 * upload sends a converted profile and serve stores one, for Pyroscope and serve
	 * refuse '-' in a sample type; ingest kept cpu-clock, a series no push merged with.
	 */
	if ((rc = prof_rename_types(f->p, '-', '_', NULL, &q)))
		return rc;
	if (q) {
		prof_free(f->p);
		f->p = q;
	}
	if ((rc = service_from_path(shown, svc)) || (rc = labelset_copy(&f->ls, extra)))
		return rc;
	/* an empty one (--service "") is no label: the default, as in a selector */
	if (!labelset_given(&f->ls, "service_name") &&
	    (rc = labelset_set(&f->ls, "service_name", svc->data)))
		return rc;
	if ((rc = labelset_set(&f->ls, "__name__", name ? name : cmd_metric_name(f->p, shown))))
		return rc;
	return store_prepare(f->p, &f->prep);
}

int cmd_ingest(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "service", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "extra-labels", required_argument, NULL, 'l' },
		{ "tenant", required_argument, NULL, 't' },
		{ "tenant-id", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		CMD_SECONDS_OPTION,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_store_src tmo = { 0 };  /* --timeout and --seconds, as every verb parses them */
	const char *db = NULL, *name = NULL, *tenant = NULL;
	struct labelset extra = LABELSET_INIT;
	struct buf path = BUF_INIT, svc = BUF_INIT, pt = BUF_INIT, shown = BUF_INIT;
	struct store *s = NULL;
	int c, i, rc = 1, failed = 0, stored = 0;
	bool stop = false;

	optind = 1;
	while ((c = cmd_getopt("ingest", argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 's':  /* --extra-labels service_name=NAME: the last one given wins */
			if (labelset_set(&extra, "service_name", optarg)) {
				cmd_errorf("%s", err_last());
				goto done;
			}
			break;
		/* --name "" is no name, as --service "" is: the store keeps the default then */
		case 'n': name = *optarg ? optarg : NULL; break;
		case 't': tenant = optarg; break;
		case 'T':  /* --timeout */
			if (cmd_store_opt(CMD_OPT_BASE + 216, optarg, &tmo) < 0) {
				rc = 2;
				goto done;
			}
			break;
		case CMD_OPT_BASE + 217:  /* --seconds */
			if (cmd_store_opt(c, optarg, &tmo) < 0) {
				rc = 2;
				goto done;
			}
			break;
		case 'l':
			if (cmd_extra_labels(&extra, optarg, false)) {
				cmd_verb_errorf("ingest", "%s", err_last());
				goto done;
			}
			break;
		case 'h':
			ingest_help(stdout);
			rc = 0;
			goto done;
		case '?':
			rc = 2;
			goto done;
		default:
			ingest_help(stderr);
			rc = 2;
			goto done;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "smolder ingest: FILE is missing (see smolder ingest --help)\n");
		rc = 2;
		goto done;
	}
	if ((rc = cmd_check_tenant("ingest", tenant)))
		goto done;  /* before the store is made */
	rc = 1;
	if (cmd_check_seconds("ingest", &tmo, (const char *const *)argv + optind,
			      (size_t)(argc - optind))) {
		rc = 2;
		goto done;
	}
	if ((db ? buf_puts(&path, db) : store_default_path(&path)) ||
	    store_make_parent_dir(path.data) || store_open(path.data, STORE_CREATE, &s)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	for (i = optind; i < argc; i++) {
		struct ingest_file f = { NULL, NULL, LABELSET_INIT, 0 };
		uint32_t k;
		char when[40];

		if (env->cancel && atomic_load(env->cancel)) {  /* Ctrl-C: no more files */
			cmd_verb_errorf("ingest", "interrupted (%d of the %d files were stored, as "
					"said above; the others were not)", stored, argc - optind);
			failed++;
			stop = true;
			break;
		}
		buf_reset(&svc);
		buf_reset(&pt);
		if (cmd_source_name(argv[i], &shown)) {  /* a URL without its user information */
			cmd_errorf("%s", err_last());
			failed++;
			continue;
		}
		/* loaded and prepared before the write lock, written in a transaction of its own */
		if (cmd_load_profile(argv[i], &tmo, env, false, &f.p)) {
			cmd_errorf("%s", err_last());
			failed++;
		} else if (ingest_prepare(&f, argv[i], shown.data, &extra, name, &svc)) {
			cmd_errorf("cannot ingest '%s': %s", shown.data, err_last());
			failed++;
		} else if ((rc = store_write_prepared(s, tenant, &f.ls, f.p, f.prep, f.time_ns,
						      f.p->duration_nanos))) {
			failed++;
			/* the store's own trouble (busy, full, damaged) would stop every file */
			stop = rc != ERR_PARSE && rc != ERR_TOOBIG;
			if (stop && stored)
				cmd_errorf("cannot ingest '%s': %s (%d of the %d files were "
					   "stored, as said above; the others were not)",
					   shown.data, err_last(), stored, argc - optind);
			else
				cmd_errorf("cannot ingest '%s': %s", shown.data, err_last());
		} else {
			for (k = 0; k < f.p->ntypes; k++) {
				buf_printf(&pt, "%s", k ? ", " : "");
				labels_profile_type(f.p, k, labelset_get(&f.ls, "__name__"), &pt);
			}
			time_format_rfc3339(f.time_ns, when, sizeof(when));
			/* the file name, the service and the types may hold escape sequences */
			put_safe(stdout, shown.data);
			fputs(": service_name=", stdout);
			put_safe(stdout, labelset_get(&f.ls, "service_name"));
			printf(" at %s: ", when);
			put_safe(stdout, pt.data ? pt.data : "");
			putchar('\n');
			stored++;
		}
		ingest_file_release(&f);
		if (stop)
			break;
	}
	if (stored && !stop) {
		printf("%d profile%s stored in ", stored, stored == 1 ? "" : "s");
		put_safe(stdout, path.data);
		putchar('\n');
	}
	rc = failed ? 1 : 0;
done:
	store_close(s);
	labelset_free(&extra);
	buf_release(&path);
	buf_release(&svc);
	buf_release(&pt);
	buf_release(&shown);
	return rc;
}

/* ---------------------------------------------------------------------------------- */

static void query_help(FILE *f)
{
	fputs("usage: smolder query series  [--db PATH] [--query SEL] [--from T] [--to T]\n"
	      "                             [--label-names A,B]... [--output table|json]\n"
	      "       smolder query types   [--db PATH] [--query SEL] [--from T] [--to T]\n"
	      "       smolder query profile [--db PATH] [--profile-type ID] [--query SEL]\n"
	      "                             [--from T] [--to T] [--aggregate sum|avg]\n"
	      "                             [--output console|pprof=FILE] [-f|--force]\n"
	      "       smolder query timeline [--db PATH] [--profile-type ID] [--query SEL]\n"
	      "                             [--from T] [--to T] [--aggregate sum|avg]\n"
	      "                             [--step D] [--group-by LABEL]\n"
	      "\n"
	      "What the store (or a server, with --url) holds, with profilecli's flags: series\n"
	      "(label sets with data in the range), profile types, one merged profile (a\n"
	      "header, then flat, cum and name per function as TSV, largest flat first; or\n"
	      "written as gzipped pprof), and a timeline (the value per step, as TSV).\n"
	      "`query merge` is `query profile`, as in profilecli.\n"
	      "\n"
	      "      --db PATH            the store (default $SMOLDER_DB, else\n"
	      "                           $XDG_DATA_HOME/smolder/smolder.db)\n"
	      "      --query SELECTOR     e.g. {service_name=\"app\", region=~\"eu-.*\"}\n"
	      "                           (default {})\n"
	      "      --from T, --to T     the range: now-1h (default), now, 1h (ago),\n"
	      "                           RFC 3339, Unix s/ms/us/ns\n"
	      "      --profile-type ID    profile, timeline: default the only one the query\n"
	      "                           has in the range\n"
	      "      --aggregate sum|avg  profile, timeline: gauges (inuse_*, goroutines)\n"
	      "                           average by default\n"
	      "      --label-names A,B    series: only these labels, each distinct set once\n"
	      "                           (repeat it, as profilecli)\n"
	      "  -o, --output FORMAT      series: table (default) or json; profile: console\n"
	      "                           (default) or pprof=FILE, gzipped, not over an\n"
	      "                           existing FILE unless -f, --force\n"
	      "      --step D, --group-by LABEL  timeline: the step (default: about 1,500\n"
	      "                           points over the range, at least 15s, as Pyroscope's\n"
	      "                           render), one series per value of LABEL\n"
	      "      --tenant NAME        the tenant (default: anonymous; --tenant-id too)\n"
	      "  -h, --help               this help\n"
	      "\n"
	      "An option of another subcommand is refused (series --step is an error).\n"
	      "\n" CMD_REMOTE_HELP,
	      f);
}

struct qargs {
	struct cmd_store_src st;
	const char *output, *step, *group_by;
	struct strvec label_names;  /* every --label-names A,B (repeatable, as profilecli's) */
	bool force;
};

/*
 * The backend (store or server), selector and range of a query; prints errors.  On
 * failure nothing is left to release (path included).
 */
static int q_open(const struct qargs *a, const struct cmd_env *env, struct backend **be,
		  struct selector **sel, struct time_range *r, struct buf *path)
{
	int64_t now = time_now_ns();
	int rc;

	*be = NULL;
	*sel = NULL;
	if (timeparse(a->st.from ? a->st.from : "now-1h", now, &r->from_ns)) {
		cmd_errorf("--from: %s", err_last());
		return 1;
	}
	if (timeparse(a->st.to ? a->st.to : "now", now, &r->to_ns)) {
		cmd_errorf("--to: %s", err_last());
		return 1;
	}
	if (r->from_ns >= r->to_ns) {
		fprintf(stderr, "smolder: the range is empty: --from must come before --to\n");
		return 2;
	}
	if (selector_parse(a->st.query ? a->st.query : "{}", sel)) {
		cmd_errorf("--query: %s", err_last());
		return 1;
	}
	if ((rc = cmd_open_backend(&a->st, env, be, path))) {
		/* path is filled before the store fails to open: the caller returns at once */
		buf_release(path);
		selector_free(*sel);
		*sel = NULL;
		return rc;  /* 2: a usage error (options that do not go together, a bad value) */
	}
	return 0;
}

/*
 * A JSON string of s: invalid UTF-8 becomes U+FFFD, as the table shows it (jansson
 * refuses invalid UTF-8: the label silently went missing).  Control characters stay,
 * for jansson escapes them.
 */
static json_t *json_repaired(const char *s)
{
	struct buf b = BUF_INIT;
	size_t i = 0, n = strlen(s), k;
	json_t *j;

	while (i < n) {
		if ((k = text_utf8_len(s + i, n - i)) == 0) {
			buf_add(&b, "\xef\xbf\xbd", 3);
			i++;
		} else {
			buf_add(&b, s + i, k);
			i += k;
		}
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_release(&b);
	return j;
}

/* Label sets in a stable order whatever the source: pairwise by name, then value. */
static int cmp_labelsets(const void *x, const void *y)
{
	const struct labelset *a = x, *b = y;
	size_t i;
	int r;

	for (i = 0; i < a->n && i < b->n; i++)
		if ((r = strcmp(a->v[i].name, b->v[i].name)) || (r = strcmp(a->v[i].value, b->v[i].value)))
			return r;
	return (a->n > b->n) - (a->n < b->n);
}

static int q_series(const struct qargs *a, const struct cmd_env *env)
{
	struct backend *be;
	struct selector *sel;
	struct time_range r;
	struct labelset_list l = { 0 };
	struct strvec cols = STRVEC_INIT, only = STRVEC_INIT;
	struct buf path = BUF_INIT;
	size_t i, k;
	int *width = NULL, rc = 1;
	bool json = a->output && strcmp(a->output, "json") == 0;

	if (a->output && !json && strcmp(a->output, "table") != 0) {
		struct buf sa = BUF_INIT;

		cmd_safe(&sa, a->output);
		fprintf(stderr, "smolder query series: --output is table or json, not '%s'\n",
			sa.data ? sa.data : "");
		buf_release(&sa);
		return 2;
	}
	if ((rc = q_open(a, env, &be, &sel, &r, &path)))
		return rc;
	rc = 1;
	for (i = 0; i < a->label_names.n; i++) {
		char *copy = strdup(a->label_names.v[i]), *tok, *save = NULL;

		for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save))
			strvec_push(&only, tok);
		free(copy);
	}
	/*
	 * --label-names goes to the backend (a server's Series label_names): it answers each
	 * distinct set of those labels once, as profilecli prints them — one row per
	 * service, not one per series, and not every series downloaded to be cut here.
	 */
	if (be->ops->series(be, sel, (const char *const *)only.v, only.n, r, &l)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	if (l.n)  /* qsort(NULL, 0, ...) is undefined */
		qsort(l.v, l.n, sizeof(*l.v), cmp_labelsets);
	for (i = 0; i < l.n; i++)
		for (k = 0; k < l.v[i].n; k++)
			strvec_push(&cols, l.v[i].v[k].name);
	strvec_sort_unique(&cols);
	if (json) {
		json_t *root = json_object(), *arr = json_array();
		char tf[40], tt[40];
		char *text;

		time_format_rfc3339(r.from_ns, tf, sizeof(tf));
		time_format_rfc3339(r.to_ns, tt, sizeof(tt));
		json_object_set_new(root, "from", json_string(tf));
		json_object_set_new(root, "to", json_string(tt));
		for (i = 0; i < l.n; i++) {
			json_t *o = json_object();

			for (k = 0; k < l.v[i].n; k++)
				if (strvec_contains(&cols, l.v[i].v[k].name)) {
					json_t *name = json_repaired(l.v[i].v[k].name);

					json_object_set_new(o, json_string_value(name),
							    json_repaired(l.v[i].v[k].value));
					json_decref(name);
				}
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "series", arr);
		/* jansson escapes only C0: on a terminal, C1 controls and bidi overrides in
		 * label values would reach it raw, so everything past ASCII is \u-escaped */
		text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					(isatty(STDOUT_FILENO) ? JSON_ENSURE_ASCII : 0));
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(root);
		rc = 0;
		goto done;
	}
	if (!cols.n) {  /* no series (or none with the columns asked for): nothing, as profilecli */
		rc = 0;
		goto done;
	}
	if (!(width = calloc(cols.n + 1, sizeof(*width))))
		goto done;
	/* names and values as they are printed: terminal-safe, measured in cells */
	for (k = 0; k < cols.n; k++) {
		width[k] = put_safe_w(stdout, cols.v[k], false);
		for (i = 0; i < l.n; i++) {
			const char *v = labelset_get(&l.v[i], cols.v[k]);
			int w = v ? put_safe_w(stdout, v, false) : 0;

			if (w > width[k])
				width[k] = w;
		}
	}
	for (k = 0; k < cols.n; k++) {
		int w;

		printf("%s", k ? "  " : "");
		w = put_safe_w(stdout, cols.v[k], true);
		if (k + 1 < cols.n)
			printf("%*s", width[k] - w, "");
	}
	putchar('\n');
	for (i = 0; i < l.n; i++) {
		for (k = 0; k < cols.n; k++) {
			const char *v = labelset_get(&l.v[i], cols.v[k]);
			int w;

			printf("%s", k ? "  " : "");
			w = put_safe_w(stdout, v ? v : "", true);
			if (k + 1 < cols.n)
				printf("%*s", width[k] - w, "");
		}
		putchar('\n');
	}
	rc = 0;
done:
	free(width);
	strvec_release(&cols);
	strvec_release(&only);
	labelset_list_release(&l);
	selector_free(sel);
	backend_close(be);
	buf_release(&path);
	return rc;
}

static int q_types(const struct qargs *a, const struct cmd_env *env)
{
	struct backend *be;
	struct selector *sel;
	struct time_range r;
	struct strvec types = STRVEC_INIT;
	struct buf path = BUF_INIT;
	size_t i;
	int rc = 1;

	if ((rc = q_open(a, env, &be, &sel, &r, &path)))
		return rc;
	rc = 1;
	if (be->ops->label_values(be, "__profile_type__", sel, r, &types)) {
		cmd_errorf("%s", err_last());
	} else {
		for (i = 0; i < types.n; i++) {
			put_safe(stdout, types.v[i]);
			putchar('\n');
		}
		rc = 0;
	}
	strvec_release(&types);
	selector_free(sel);
	backend_close(be);
	buf_release(&path);
	return rc;
}

/*
 * profilecli's pprof=FILE: a gzipped pprof, never over an existing file without --force.
 * Written next to FILE and renamed into place (outfile.h): a failed write leaves no
 * partial file (so a retry is not refused as "exists") and an existing one whole.
 */
static int write_pprof(const char *file, const struct prof *p, bool force)
{
	struct buf b = BUF_INIT;
	int rc = 1, e;

	if (!*file) {
		fprintf(stderr, "smolder: no file path after pprof=\n");
		return 1;
	}
	if ((e = cmd_open_terminal(file)) >= 0) {
		close(e);
		/* curl's rule, as export's: binary output is not for a terminal */
		fprintf(stderr, "smolder query profile: a pprof profile is binary: not written to a "
				"terminal (use pprof=FILE, or pipe it)\n");
		return 2;
	}
	if (encode_pprof(p, &b)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	e = outfile_write(file, b.data, b.len, force ? OUTFILE_REPLACE | OUTFILE_IN_PLACE : 0);
	if (e) {
		cmd_errorf("%s%s", err_last(), e == ERR_USAGE ? " (--force overwrites it)" : "");
		goto done;
	}
	rc = 0;
done:
	buf_release(&b);
	return rc;
}

static int q_profile(const struct qargs *a, const struct cmd_env *env)
{
	const char *out = a->output ? a->output : "console";
	struct cmd_loaded ld = { 0 };
	struct prof *p = NULL;
	int rc = 1;

	if (strcmp(out, "console") != 0 && strncmp(out, "pprof=", 6) != 0) {
		struct buf sa = BUF_INIT;

		cmd_safe(&sa, out);
		fprintf(stderr, "smolder query profile: --output is console or pprof=FILE, not '%s'\n",
			sa.data ? sa.data : "");
		buf_release(&sa);
		return 2;
	}
	if ((rc = cmd_load_src(&a->st, false, env, &p, &ld)))
		return rc;  /* 2: options that do not go together, an empty range */
	rc = 1;
	if (strncmp(out, "pprof=", 6) == 0) {
		rc = write_pprof(out + 6, p, a->force);
	} else {
		struct top top = { 0 };
		struct buf note = BUF_INIT;
		char v[64];
		uint32_t i;

		cmd_aggregation_note(&ld, &note);
		printf("Profile type: ");
		put_safe(stdout, ld.ptype.data);
		printf("\nQuery: ");
		put_safe(stdout, ld.desc.data);
		printf("\n%s\n", note.data);
		if (top_compute(p, 0, &top) == 0) {
			top_sort(&top, p, TOP_SORT_FLAT, false);
			printf("total\t%lld\nflat\tcum\tname\n", (long long)top.total);
			for (i = 0; i < top.n; i++) {
				struct buf nb = BUF_INIT;

				text_safe(&nb, prof_str(p, top.rows[i].name), prof_strlen(p, top.rows[i].name),
					  cmd_ascii(stdout));
				snprintf(v, sizeof(v), "%lld\t%lld", (long long)top.rows[i].flat,
					 (long long)top.rows[i].cum);
				printf("%s\t%s\n", v, nb.data ? nb.data : "");
				buf_release(&nb);
			}
			rc = 0;
		} else {
			cmd_errorf("%s", err_last());
		}
		top_release(&top);
		buf_release(&note);
	}
	cmd_loaded_release(&ld);
	prof_free(p);
	return rc;
}

/*
 * Whether r's profile type has profiles matching --query in the range: 0, else 1 after
 * the line a merge gives ("no T profiles match ..."; from a store, when it does have
 * some).  The timeline's answer cannot tell: a step is 0 where nothing matched as where
 * what matched adds up to 0, and that is data.  Only --profile-type needs the check:
 * without it cmd_store_open() took the one type the selector has in the range.
 */
static int timeline_matches(const struct cmd_store_read *r)
{
	struct strvec types = STRVEC_INIT;
	struct buf sb = BUF_INIT, msg = BUF_INIT;
	char a[40], z[40], f[40], l[40];
	int64_t first, last;
	size_t len = profile_type_id_len(r->ptype.data), i;
	int rc = 1;

	if (r->be->ops->label_values(r->be, "__profile_type__", r->sel, r->q.range, &types)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	/* the type's five fields: a sixth ":delta" is accepted and ignored, and no series
	 * carries it (as top's merge and the timeline read it) */
	for (i = 0; i < types.n; i++)
		if (strlen(types.v[i]) == len && memcmp(types.v[i], r->ptype.data, len) == 0) {
			rc = 0;
			goto done;
		}
	selector_format(r->sel, &sb);
	time_format_rfc3339(r->q.range.from_ns, a, sizeof(a));
	time_format_rfc3339(r->q.range.to_ns, z, sizeof(z));
	buf_printf(&msg, "no %s profiles match %s between %s and %s ", r->ptype.data,
		   sb.data ? sb.data : "{}", a, z);
	if (remote_backend_is(r->be)) {
		buf_printf(&msg, "on %s", r->name.data);
	} else {
		buf_printf(&msg, "in '%s'", r->name.data);
		/* the store can say when there is some (a server is not asked) */
		if (store_time_bounds(r->be, r->sel, r->ptype.data, &first, &last) == 0) {
			time_format_rfc3339(first, f, sizeof(f));
			time_format_rfc3339(last, l, sizeof(l));
			buf_printf(&msg, "; it has some from %s to %s (pick the range with --from "
					 "and --to)", f, l);
		}
	}
	cmd_errorf("%s", msg.data ? msg.data : "no profiles match");
done:
	strvec_release(&types);
	buf_release(&sb);
	buf_release(&msg);
	return rc;
}

static int q_timeline(const struct qargs *a, const struct cmd_env *env)
{
	struct cmd_store_read r;
	struct series_points_list l = { 0 };
	int64_t step_ns = 15000000000LL;  /* or as the range asks (below) */
	size_t i, k;
	int rc = 1;

	if (a->step && timeparse_duration(a->step, &step_ns)) {
		cmd_errorf("--step: %s", err_last());
		return 2;
	}
	if (a->step && step_ns < 1000000) {
		fprintf(stderr, "smolder: --step: at least 1ms\n");
		return 2;
	}
	/*
	 * the range, --aggregate and the profile type as every verb reads them: without
	 * --profile-type the only one, else an error listing them or saying when there is data
	 */
	if ((rc = cmd_store_open(&a->st, false, env, &r)))
		return rc;  /* 2: options that do not go together, an empty range */
	rc = 1;
	if (a->st.profile_type && timeline_matches(&r))
		goto done;
	/* without --step, Pyroscope's rule (about 1,500 points, at least 15 s), as render's */
	if (!a->step)
		step_ns = (int64_t)(backend_point_interval_s(r.q.range.from_ns / 1000000,
							     r.q.range.to_ns / 1000000) * 1e9);
	/* groups in Pyroscope's order (the larger total first), as a server sends them */
	if (r.be->ops->timeline(r.be, &r.q, (double)step_ns / 1e9, a->group_by, &l) ||
	    series_points_rank(&l, 0)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	printf("%stime\tvalue\n", a->group_by ? "group\t" : "");
	for (i = 0; i < l.n; i++)
		for (k = 0; k < l.v[i].n; k++) {
			char t[40];

			time_format_rfc3339(l.v[i].ts_ms[k] * 1000000, t, sizeof(t));
			if (a->group_by) {
				const char *g = labelset_get(&l.v[i].labels, a->group_by);

				put_safe(stdout, g ? g : "");
				putchar('\t');
			}
			printf("%s\t%.17g\n", t, l.v[i].values[k]);
		}
	rc = 0;
done:
	series_points_list_release(&l);
	cmd_store_close(&r);
	return rc;
}

enum { Q_SERIES = 1, Q_TYPES = 2, Q_PROFILE = 4, Q_TIMELINE = 8 };

/*
 * An option of another subcommand is refused rather than ignored: query series
 * --profile-type X printed every type, types --output json a text list, timeline
 * --output json its TSV.  Which subcommands take each follows profilecli's (series:
 * --label-names; profile: --profile-type, --output, --force) and smolder's own
 * (timeline: --profile-type, --aggregate, --step, --group-by; series' --output json).
 * The range, --query and the source's options (--db, --url, --tenant, ...) are
 * everyone's.  Returns nonzero (after the one line) when one was given to `what`.
 */
static int q_refuse_others(const char *what, unsigned takes, const struct qargs *a)
{
	const struct {
		const char *name;
		bool given;
		unsigned takes;
		const char *whose;
	} only[] = {
		{ "--profile-type", a->st.profile_type != NULL, Q_PROFILE | Q_TIMELINE,
		  "profile's and timeline's" },
		{ "--aggregate", a->st.aggregate != NULL, Q_PROFILE | Q_TIMELINE,
		  "profile's and timeline's" },
		{ "--output", a->output != NULL, Q_SERIES | Q_PROFILE, "series' and profile's" },
		{ "--force", a->force, Q_PROFILE, "profile's" },
		{ "--label-names", a->label_names.n > 0, Q_SERIES, "series'" },
		{ "--step", a->step != NULL, Q_TIMELINE, "timeline's" },
		{ "--group-by", a->group_by != NULL, Q_TIMELINE, "timeline's" },
	};
	size_t i;

	for (i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (!only[i].given || (only[i].takes & takes))
			continue;
		fprintf(stderr, "smolder query %s: %s is %s (see smolder query --help)\n", what,
			only[i].name, only[i].whose);
		return 1;
	}
	return 0;
}

int cmd_query(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		CMD_STORE_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "label-names", required_argument, NULL, 'L' },
		{ "step", required_argument, NULL, 'S' },
		{ "group-by", required_argument, NULL, 'G' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* profilecli's merge is profile; profile-types is types */
	static const struct {
		const char *name;
		unsigned takes;
		int (*run)(const struct qargs *, const struct cmd_env *);
	} subs[] = {
		{ "series", Q_SERIES, q_series },
		{ "types", Q_TYPES, q_types },
		{ "profile-types", Q_TYPES, q_types },
		{ "profile", Q_PROFILE, q_profile },
		{ "merge", Q_PROFILE, q_profile },
		{ "timeline", Q_TIMELINE, q_timeline },
	};
	struct qargs a = { 0 };
	const char *what;
	size_t i;
	int c, rc = 2;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		query_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	optind = 1;
	while ((c = cmd_getopt("query", argc, argv, "o:fh", opts)) != -1) {
		switch (c) {
		case 'o': a.output = optarg; break;
		case 'L': strvec_push(&a.label_names, optarg); break;
		case 'S': a.step = optarg; break;
		case 'G': a.group_by = optarg; break;
		case 'F':
		case 'f': a.force = true; break;  /* profilecli's -f */
		case 'h': query_help(stdout); rc = 0; goto done;
		case '?': goto done;
		default:
			switch (cmd_store_opt(c, optarg, &a.st)) {
			case 1: continue;
			case -1: goto done;
			}
			query_help(stderr);
			goto done;
		}
	}
	/* what to query, before or after the options (getopt moved the words to the end) */
	if (optind >= argc) {
		fprintf(stderr, "smolder query: say what to query: series, types, profile or "
				"timeline (see smolder query --help)\n");
		goto done;
	}
	what = argv[optind];
	if (optind + 1 < argc) {
		fputs("smolder query: unexpected argument '", stderr);
		cmd_put_safe(stderr, argv[optind + 1], strlen(argv[optind + 1]), true);
		fputs("' (see smolder query --help)\n", stderr);
		goto done;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(what, subs[i].name) == 0)
			break;
	if (i == sizeof(subs) / sizeof(subs[0])) {
		fputs("smolder query: '", stderr);
		cmd_put_safe(stderr, what, strlen(what), true);
		fputs("' is not series, types, profile or timeline (see smolder query --help)\n",
		      stderr);
		goto done;
	}
	if (q_refuse_others(what, subs[i].takes, &a))
		goto done;
	rc = subs[i].run(&a, env);
done:
	strvec_release(&a.label_names);
	return rc;
}
