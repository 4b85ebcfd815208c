/*
 * cmd_view.c — the verbs that open the explorer: `smolder [view] SOURCE` on one
 * profile, and `smolder diff BASE NEW` (or `view --base BASE NEW`) on the difference
 * of two.  When stdout is not a terminal, or with --format, `diff` prints the diff
 * table instead (base %, new %, change per function).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "base/timeparse.h"
#include "base/units.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/diff.h"
#include "profile/granularity.h"
#include "profile/merge.h"
#include "profile/top.h"
#include "source/source.h"
#include "store/store.h"
#include "tui/tui.h"

#define SYSTEM_STORE "/var/lib/smolder/smolder.db"

#define VIEW_OPTIONS_HELP                                                                 \
	"  -i, --sample-index NAME  start on this sample type (name or index)\n"             \
	"      --theme NAME         dark (default), light, mono, or a .yaml theme file\n"   \
	"      --no-color           no colours (also when NO_COLOR is set)\n"                \
	"      --no-mouse           leave the mouse to the terminal\n"                     \
	"Where the source pane (4) finds code (see `smolder resolve --help`):\n"          \
	CMD_CODE_HELP                                                                     \
	"  From a store or a server the series labels service_repository (an http(s)\n"   \
	"  URL), service_git_ref and service_root_path fill in what these leave unset; in\n" \
	"  the explorer :repo= :ref= :root= :source_path= override both for the session.\n"

#define DIFF_OPTIONS_HELP                                                                 \
	"      --absolute           colour by absolute change (default: proportional, the\n" \
	"                           change of each side's share of its own total); `a`\n" \
	"                           switches inside the explorer\n"                      \
	"      --threshold PCT      changes under PCT % of the total are neutral (0.1)\n"    \
	"      --color-blind        blue/red scale instead of green/red\n"

static void view_help(FILE *f)
{
	fputs("usage: smolder [view] [options] SOURCE\n"
	      "       smolder view [options] --db PATH [--query SEL] [--profile-type ID] ...\n"
	      "\n"
	      "Open the interactive explorer (flame graph, top table, sandwich) on one profile.\n"
	      CMD_SOURCE_HELP
	      "\n" VIEW_OPTIONS_HELP,
	      f);
	fputs("      --base BASE          open the diff of SOURCE against BASE (smolder diff)\n"
	      DIFF_OPTIONS_HELP
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "\n" CMD_TRANSFORM_HELP
	      "  (in the explorer these are the first filters of its stack: F pops them)\n"
	      "\n" CMD_STORE_HELP
	      "      --base-from T, --base-to T  open the diff of the range against this one\n"
	      "\n"
	      "Inside, press ? for every key.\n",
	      f);
}

static void diff_help(FILE *f)
{
	fputs("usage: smolder diff [options] BASE NEW\n"
	      "       smolder diff [options] --db PATH [--query SEL] [--profile-type ID]\n"
	      "                    [--from T --to T] [--base-from T --base-to T]\n"
	      "\n"
	      "The difference of two profiles of the same kind (e.g. before and after a\n"
	      "change).  On a terminal it opens the explorer in diff mode: frame widths are\n"
	      "base + new, so removed frames stay visible; colour is the change (red more,\n"
	      "green less, grey unchanged); + and - mark frames only in NEW / only in BASE;\n"
	      "`c` shows the two side by side.  Otherwise (or with --format) it prints the\n"
	      "diff table.\n"
	      "BASE and NEW are any source `smolder view` reads.\n"
	      "\n" VIEW_OPTIONS_HELP,
	      f);
	fputs(DIFF_OPTIONS_HELP
	      "  -f, --format F           print the table: text or tsv (no explorer)\n"
	      "  -n, --nodecount N        at most N rows in the table (0 or less: all)\n"
	      CMD_SECONDS_HELP
	      "\n" CMD_TRANSFORM_HELP
	      "  -h, --help               this help\n"
	      "\n" CMD_STORE_HELP
	      "      --base-from T, --base-to T  the baseline range (default: the same length\n"
	      "                           just before --from: the previous period)\n",
	      f);
}

struct view_args {
	struct tui_opts to;
	struct source_opts so;
	const char *sample_index, *base, *format;
	long nodecount;
	struct cmd_transform tr;
	struct cmd_store_src st;
	/* from a store or server: the diff table's "Aggregation (base|new):" lines */
	struct buf note, base_note;
	/* and what was merged (the new side's), for the source pane's versions */
	struct buf ptype;
	int64_t from_ns, to_ns;
};

/* Options both verbs take; returns 1 when taken, 0 when not, -1 when bad. */
static int view_opt(int c, const char *arg, struct view_args *v, const char *verb)
{
	char *end;

	switch (c) {
	case 'i': v->sample_index = arg; return 1;
	case 'T': v->to.theme = arg; return 1;
	case 'C': v->to.no_color = true; return 1;
	case 'M': v->to.no_mouse = true; return 1;
	case 'B': v->base = arg; return 1;
	case 'A': v->to.diff_absolute = true; return 1;
	case 'K': v->to.color_blind = true; return 1;
	case 'f': v->format = arg; return 1;
	case 'S': v->so.source_path = arg; return 1;
	case 'P': v->so.trim_path = arg; return 1;
	case 'G': v->so.repo = arg; return 1;
	case 'F': v->so.ref = arg; return 1;
	case 'O': v->so.root = arg; return 1;
	case 'N': v->so.offline = true; return 1;
	case 'W': v->so.github_api = arg; return 1;
	case 'R':
		v->to.diff_threshold = strtod(arg, &end) / 100;
		if (*end || !(v->to.diff_threshold > 0 && v->to.diff_threshold < 1)) {
			fprintf(stderr, "smolder %s: --threshold wants a percentage in (0, 100), not '",
				verb);
			cmd_put_safe(stderr, arg, strlen(arg), true);  /* the user's: escaped */
			fputs("'\n", stderr);
			return -1;
		}
		return 1;
	case 'n':
		return cmd_parse_nodecount(verb, arg, &v->nodecount) ? -1 : 1;
	}
	switch (cmd_store_opt(c, arg, &v->st)) {
	case 1: return 1;
	case -1: return -1;
	}
	return cmd_transform_opt(c, arg, &v->tr);
}

static const struct option view_opts[] = {
	{ "sample-index", required_argument, NULL, 'i' },
	{ "sample_index", required_argument, NULL, 'i' },
	{ "theme", required_argument, NULL, 'T' },
	{ "no-color", no_argument, NULL, 'C' },
	{ "no-colour", no_argument, NULL, 'C' },
	{ "no-mouse", no_argument, NULL, 'M' },
	{ "base", required_argument, NULL, 'B' },
	{ "absolute", no_argument, NULL, 'A' },
	{ "threshold", required_argument, NULL, 'R' },
	{ "color-blind", no_argument, NULL, 'K' },
	{ "colour-blind", no_argument, NULL, 'K' },
	{ "format", required_argument, NULL, 'f' },
	{ "nodecount", required_argument, NULL, 'n' },
	{ "source-path", required_argument, NULL, 'S' },
	{ "source_path", required_argument, NULL, 'S' },
	{ "trim-path", required_argument, NULL, 'P' },
	{ "trim_path", required_argument, NULL, 'P' },
	{ "repo", required_argument, NULL, 'G' },
	{ "ref", required_argument, NULL, 'F' },
	{ "root", required_argument, NULL, 'O' },
	{ "offline", no_argument, NULL, 'N' },
	{ "github-api", required_argument, NULL, 'W' },
	CMD_TRANSFORM_OPTIONS,
	CMD_STORE_OPTIONS,
	CMD_BASE_OPTIONS,
	CMD_SECONDS_OPTION,
	CMD_PPROF_SAMPLE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *display_name(const char *src)
{
	return strcmp(src, "-") == 0 ? "<stdin>" : src;
}

static int load_one(const char *src, const struct cmd_env *env,
		    const struct cmd_store_src *st, struct prof **out)
{
	if (!load_is_url(src) && isatty(STDERR_FILENO)) {
		fputs("\rreading ", stderr);
		cmd_put_safe(stderr, src, strlen(src), true);
		fputs("...", stderr);
	}
	if (cmd_load_profile(src, st, env, true, out)) {
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r\033[K");
		cmd_errorf("%s", err_last());
		return 1;
	}
	return 0;
}

/*
 * diff's two SOURCEs: a base URL is fetched while src loads (two ?seconds=N profiles
 * then cover the same N seconds, as pprof fetches them); one error line, src's first.
 */
static int load_two(const char *base_src, const char *src, const struct cmd_env *env,
		    const struct cmd_store_src *st, struct prof **base, struct prof **out)
{
	struct cmd_bg_load bg;
	int rc;

	if (!load_is_url(base_src))
		return load_one(base_src, env, st, base) || load_one(src, env, st, out);
	cmd_bg_load_start(&bg, base_src, st, env, true);
	if ((rc = load_one(src, env, st, out))) {
		cmd_bg_load_abandon(&bg);
		return rc;
	}
	if (cmd_bg_load_finish(&bg, base)) {
		if (isatty(STDERR_FILENO))  /* the "reading SRC..." line */
			fprintf(stderr, "\r\033[K");
		cmd_errorf("%s", err_last());
		return 1;
	}
	return 0;
}

/*
 * The diff table (text or tsv) of a prof_pair() profile, for sample type `type`; totals:
 * base then new, pprof's totals of the pair before any filter (percentages and changes
 * are of them, as pprof -diff_base and the explorer have them).
 */
static int print_diff(const struct prof *pair, uint32_t type, const int64_t totals[2],
		      const struct view_args *v, const char *base_src, const char *src)
{
	uint32_t nt = pair->ntypes / 2, i, n;
	struct diff_scale sc = { v->to.diff_absolute, v->to.diff_threshold };
	struct top sides[2] = { { 0 } };
	struct diff_top d = { 0 };
	bool tsv = strcmp(v->format, "tsv") == 0;
	const char *unit = prof_str(pair, pair->sample_types[type].unit);
	int rc = 1;

	if (sc.threshold <= 0)
		sc.threshold = DIFF_DEFAULT_THRESHOLD;
	if (top_compute(pair, type + nt, &sides[0]) || top_compute(pair, type, &sides[1]) ||
	    (sides[0].total = totals[0], sides[1].total = totals[1],
	     diff_top(&sides[0], &sides[1], &sc, pair, &d))) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	n = v->nodecount > 0 && (uint64_t)v->nodecount < d.n ? (uint32_t)v->nodecount : d.n;
	if (tsv) {
		printf("base_flat\tbase_cum\tnew_flat\tnew_cum\tbase_pct\tnew_pct\tchange_pct\tname\n");
		for (i = 0; i < n; i++) {
			const struct diff_row *r = &d.rows[i];
			struct buf nb = BUF_INIT;

			text_safe(&nb, prof_str(pair, r->name), prof_strlen(pair, r->name),
				  cmd_ascii(stdout));
			printf("%lld\t%lld\t%lld\t%lld\t%.4f\t%.4f\t%+.4f\t%.*s\n",
			       (long long)r->base_flat, (long long)r->base_cum, (long long)r->new_flat,
			       (long long)r->new_cum, d.base_total ? 100.0 * r->base_cum / d.base_total : 0,
			       d.new_total ? 100.0 * r->new_cum / d.new_total : 0, r->change * 100,
			       (int)nb.len, nb.data ? nb.data : "");
			buf_release(&nb);
		}
	} else {
		char b[UNITS_MAX], nw[UNITS_MAX];

		units_format(b, sizeof(b), d.base_total, unit);
		units_format(nw, sizeof(nw), d.new_total, unit);
		fputs("Base: ", stdout);
		cmd_put_safe(stdout, base_src, strlen(base_src), true);
		printf(" (%s total)\nNew:  ", b);
		cmd_put_safe(stdout, src, strlen(src), true);
		printf(" (%s total)\nType: ", nw);
		cmd_put_safe(stdout, prof_str(pair, pair->sample_types[type].type),
			     prof_strlen(pair, pair->sample_types[type].type), true);
		putchar('\n');
		if (v->base_note.len && v->note.len)
			printf("%s\n%s\n", v->base_note.data, v->note.data);
		printf("Change: %s; within %.3g%% is neutral\n",
		       sc.absolute ? "absolute, % of the base total (pprof -diff_base)" :
				     "proportional, percentage points of each side's own total",
		       sc.threshold * 100);
		printf("%10s %8s %10s %8s %9s  %s\n", "base", "base%", "new", "new%",
		       sc.absolute ? "diff%" : "diff pp", "name");
		for (i = 0; i < n; i++) {
			const struct diff_row *r = &d.rows[i];
			char v1[UNITS_MAX], v2[UNITS_MAX], p1[UNITS_MAX], p2[UNITS_MAX];
			struct buf nb = BUF_INIT;

			units_format(v1, sizeof(v1), r->base_cum, unit);
			units_format(v2, sizeof(v2), r->new_cum, unit);
			units_percent(p1, sizeof(p1), r->base_cum, d.base_total);
			units_percent(p2, sizeof(p2), r->new_cum, d.new_total);
			text_safe(&nb, prof_str(pair, r->name), prof_strlen(pair, r->name),
				  cmd_ascii(stdout));
			printf("%10s %8s %10s %8s %+9.2f  %s%.*s\n", v1, p1, v2, p2, r->change * 100,
			       r->base_cum == 0 && r->new_cum ? "+" : r->new_cum == 0 && r->base_cum ? "-" : "",
			       (int)nb.len, nb.data ? nb.data : "");
			buf_release(&nb);
		}
	}
	rc = 0;
done:
	diff_top_release(&d);
	top_release(&sides[0]);
	top_release(&sides[1]);
	return rc;
}

/* What a range of the store is called on screen: "<db> <selector> <from> to <to>". */
static int range_name(const struct cmd_loaded *l, struct buf *out)
{
	char a[40], b[40];

	time_format_rfc3339(l->from_ns, a, sizeof(a));
	time_format_rfc3339(l->to_ns, b, sizeof(b));
	return buf_printf(out, "%s %s to %s", l->desc.data, a, b);
}

/* From the store: the range, and with `diff` the baseline range too. */
static int load_store(struct view_args *v, bool diff, const struct cmd_env *env,
		      struct prof **p, struct prof **base, struct buf *name, struct buf *bname)
{
	struct cmd_loaded ln = { 0 }, lb = { 0 };
	int rc;

	if ((rc = diff ? cmd_load_src_pair(&v->st, env, p, &ln, base, &lb)
		       : cmd_load_src(&v->st, false, env, p, &ln)))
		goto done;
	range_name(&ln, name);
	cmd_merge_note(&ln.info, ln.from_ns, ln.to_ns, diff ? "new" : NULL, &v->note);
	buf_reset(&v->ptype);
	if (ln.ptype.data && buf_puts(&v->ptype, ln.ptype.data)) {
		cmd_errorf("%s", err_last());
		rc = 1;
		goto done;
	}
	v->from_ns = ln.from_ns;
	v->to_ns = ln.to_ns;
	if (diff) {
		range_name(&lb, bname);
		cmd_merge_note(&lb.info, lb.from_ns, lb.to_ns, "base", &v->base_note);
	}
	rc = 0;
done:
	cmd_loaded_release(&ln);
	cmd_loaded_release(&lb);
	return rc;
}

/*
 * Where the explorer's store browser starts: --query, --from/--to and --aggregate (all
 * checked when parsed).
 */
static void browser_start(struct view_args *v)
{
	enum aggregate agg = AGG_AUTO;

	v->to.browser_selector = v->st.query;
	v->to.browser_from = v->st.from;
	v->to.browser_to = v->st.to;
	if (v->st.aggregate && aggregate_parse(v->st.aggregate, &agg) == 0)
		v->to.aggregate = (int)agg;
}

/* Loads, pairs, transforms, and opens the explorer or prints the table. */
static int run(struct view_args *v, const char *base_src, const char *src,
	       const struct cmd_env *env, bool table)
{
	struct prof *p = NULL, *base = NULL, *pair = NULL;
	struct buf name = BUF_INIT, bname = BUF_INIT, bename = BUF_INIT;
	struct cmd_transform tr;
	int64_t totals[2] = { 0, 0 };
	int type, rc = 1;

	if (v->st.used) {
		if ((rc = load_store(v, base_src != NULL, env, &p, &base, &name, &bname)))
			goto done;
		rc = 1;
		src = name.data;
		base_src = base_src ? bname.data : NULL;
	} else {
		if (base_src ? load_two(base_src, src, env, &v->st, &base, &p)
			     : load_one(src, env, &v->st, &p))
			goto done;
		/* on screen from here: URLs without their user information */
		if (cmd_source_name(src, &name) || (base_src && cmd_source_name(base_src, &bname))) {
			cmd_errorf("%s", err_last());
			goto done;
		}
		src = name.data;
		base_src = base_src ? bname.data : NULL;
	}
	if ((type = cmd_sample_index(p, v->sample_index)) < 0)
		goto done;
	/* none asked for: pprof's from both headers (the base's default when p names none) */
	if (base_src && !(v->sample_index && *v->sample_index))
		type = (int)diff_default_type(base, p);
	if (base_src) {
		if (prof_pair(base, p, &pair)) {
			cmd_errorf("cannot compare %s with %s: %s", display_name(base_src),
				   display_name(src), err_last());
			goto done;
		}
		prof_free(p);
		prof_free(base);
		base = NULL;
		p = pair;
		v->to.diff = true;
		v->to.base_source = display_name(base_src);
	}
	/*
	 * The explorer takes the filters, granularity and recursion as the first entries of
	 * its filter stack (percentages of the unfiltered total, F pops them); the table
	 * applies them here.
	 */
	tr = v->tr;
	if (!table) {
		memset(&tr.filters, 0, sizeof(tr.filters));
		tr.granularity = GRAN_FUNCTIONS;
		tr.collapse_recursion = false;
		v->to.filters = &v->tr.filters;
		v->to.granularity = v->tr.granularity;
		v->to.collapse_recursion = v->tr.collapse_recursion;
	}
	if (table) {  /* p is the pair: the new side's types first, then the base's */
		totals[0] = top_pprof_total(p, (uint32_t)type + p->ntypes / 2);
		totals[1] = top_pprof_total(p, (uint32_t)type);
	}
	if (cmd_transform(&p, &tr))
		goto done;
	if (table) {
		rc = print_diff(p, (uint32_t)type, totals, v, display_name(base_src),
				display_name(src));
		goto done;
	}
	v->to.sample_type = type;
	v->to.source = display_name(src);
	v->so.cancel = env->cancel;
	if (!v->so.repo && !v->so.source_path)
		v->so.source_path = "."; /* pprof's default search path */
	v->to.source_opts = &v->so;
	v->to.progress = true;
	if (v->st.used) {
		/* T browses the store or server the profile came from (not opening it is no
		 * reason not to show the profile: the error is said, T then says why not) */
		const char *purl = getenv("PROFILECLI_URL");
		struct backend *be;
		struct buf path = BUF_INIT;

		v->st.quiet = true;
		if (cmd_open_backend(&v->st, env, &be, &path) == 0) {
			buf_printf(&bename, "%s%s", v->st.url || (!v->st.db && purl && *purl) ?
							    "" : "store ", path.data);
			v->to.backend = be; /* tui_run owns it */
			v->to.backend_name = bename.data;
			browser_start(v);
			/* the source pane splits the profile by version as it does one the
			 * browser opens: the same query on the same backend.  Not a diff: a
			 * version's merge is one side, and the pane would lose base/new/change */
			if (!v->to.diff) {
				v->to.opened_ptype = v->ptype.data;
				v->to.opened_selector = v->st.query;
				v->to.opened_from_ns = v->from_ns;
				v->to.opened_to_ns = v->to_ns;
			}
		}
		buf_release(&path);
	}
	rc = tui_run(p, &v->to) ? 1 : 0; /* tui_run owns p */
	p = NULL;
	if (rc)
		cmd_errorf("%s", err_last());
done:
	prof_free(p);
	prof_free(base);
	buf_release(&name);
	buf_release(&bname);
	buf_release(&bename);
	buf_release(&v->note);
	buf_release(&v->base_note);
	buf_release(&v->ptype);
	return rc;
}

static int parse(int argc, char **argv, struct view_args *v, const char *verb,
		 void (*help)(FILE *))
{
	const char *nc = getenv("NO_COLOR");
	int c;

	memset(v, 0, sizeof(*v));
	v->to.theme = "dark";
	v->to.no_color = nc && *nc;
	v->nodecount = -1;
	v->tr.granularity = GRAN_FUNCTIONS;
	optind = 1;
	while ((c = cmd_getopt(verb, argc, argv, "i:f:n:h", view_opts)) != -1) {
		if (c == 'h') {
			help(stdout);
			return 0;
		}
		if (c == '?')
			return 2;
		if (cmd_pprof_sample_index(c)) {
			v->sample_index = cmd_pprof_sample_index(c);
			continue;
		}
		switch (view_opt(c, optarg, v, verb)) {
		case 1:
			continue;
		case -1:
			return 2;
		}
		help(stderr);
		return 2;
	}
	return -1;
}

/*
 * The store `smolder` opens without a SOURCE: --db, else $SMOLDER_DB, else the user's own
 * ($XDG_DATA_HOME/smolder/smolder.db) when it exists, else the system one
 * (/var/lib/smolder/smolder.db, where the shipped systemd unit keeps it) when readable.
 */
static int default_store(const char *db, struct buf *out)
{
	const char *env = getenv("SMOLDER_DB");

	if (db)
		return buf_puts(out, db);
	if ((env && *env) || store_default_path(out))
		return env && *env ? buf_puts(out, env) : 1;
	if (access(out->data, F_OK) == 0 || access(SYSTEM_STORE, R_OK) != 0)
		return 0;
	buf_reset(out);
	return buf_puts(out, SYSTEM_STORE);
}

/* The store browser: services, types, a timeline; profiles open from it. */
static int run_browser(struct view_args *v, const struct cmd_env *env)
{
	struct buf path = BUF_INIT, name = BUF_INIT;
	struct backend *be = NULL;
	const char *purl = getenv("PROFILECLI_URL");
	int rc = 1;

	if (v->st.url || (!v->st.db && purl && *purl)) { /* a server (cmd_source.c) */
		v->st.quiet = true;  /* the explorer draws its own waiting */
		if ((rc = cmd_open_backend(&v->st, env, &be, &path)))
			goto done;
		rc = 1;
	} else if ((rc = cmd_check_tenant(NULL, v->st.tenant))) {
		goto done;
	} else if (default_store(v->st.db, &path) ||
		   store_backend_open(path.data, v->st.tenant, &be)) {
		/* a refusal is one line with status 1 (rc is the tenant check's 0 here); a
		 * default store that is not there yet says how to make one instead */
		rc = 1;
		if (!v->st.db && path.len && access(path.data, F_OK) != 0 && errno == ENOENT)
			cmd_errorf("no store at '%s' yet: `smolder demo` makes one from the bundled "
				   "examples; `smolder ingest FILE` or `smolder serve` fill one",
				   path.data);
		else
			cmd_errorf("%s", err_last());
		goto done;
	}
	buf_printf(&name, "%s%s", v->st.url || (!v->st.db && purl && *purl) ? "" : "store ",
		   path.data);
	v->to.backend = be;
	v->to.backend_name = name.data;
	v->to.start_in_browser = true;
	browser_start(v);
	v->to.source = name.data;
	v->to.sample_type = -1;
	/* the command line's filters apply to every profile opened from the browser */
	v->to.filters = &v->tr.filters;
	v->to.granularity = v->tr.granularity;
	v->to.collapse_recursion = v->tr.collapse_recursion;
	if (!v->so.repo && !v->so.source_path)
		v->so.source_path = ".";
	v->to.source_opts = &v->so;
	rc = tui_run(NULL, &v->to) ? 1 : 0; /* owns the backend */
	if (rc)
		cmd_errorf("%s", err_last());
done:
	buf_release(&path);
	buf_release(&name);
	return rc;
}

/* view's options that only a diff (or diff's table) uses: refused where they cannot apply */
static int view_check(const struct view_args *v)
{
	bool diff = v->base || v->st.base_from || v->st.base_to;

	if (v->format) {
		fprintf(stderr, "smolder view: --format prints a table: smolder top --format, or "
				"smolder diff --format\n");
		return 2;
	}
	if (v->nodecount >= 0) {
		fprintf(stderr, "smolder view: --nodecount limits a printed table: smolder top, or "
				"smolder diff --format text\n");
		return 2;
	}
	if (!diff && (v->to.diff_absolute || v->to.diff_threshold > 0 || v->to.color_blind)) {
		fprintf(stderr, "smolder view: --absolute, --threshold and --color-blind colour a "
				"diff: add --base BASE (or --base-from/--base-to)\n");
		return 2;
	}
	return 0;
}

int cmd_view(int argc, char **argv, const struct cmd_env *env)
{
	struct view_args v;
	int rc = parse(argc, argv, &v, "view", view_help);

	if (rc >= 0)
		return rc;
	if (view_check(&v) ||
	    cmd_check_seconds("view", &v.st,
			      (const char *const[]){ optind < argc ? argv[optind] : NULL,
						     v.base }, 2))
		return 2;
	if (optind == argc && !v.format && !v.base && !v.st.profile_type && !v.st.base_from &&
	    !v.st.base_to) {
		/* no SOURCE and no profile type: the store browser */
		if (!v.st.used && !isatty(STDOUT_FILENO)) {
			cmd_usage(stderr);
			return 2;
		}
		if (cmd_check_args("view", &v.st, 0, argv + optind, (const char *const[]){ NULL }, 0))
			return 2;
		return run_browser(&v, env);
	}
	if (cmd_check_args("view", &v.st, argc - optind, argv + optind,
			   (const char *const[]){ "SOURCE", NULL }, 0))
		return 2;
	if (v.st.used && v.base) {
		fprintf(stderr, "smolder view: --base BASE goes with a SOURCE; with --db or --url the "
				"baseline is --base-from/--base-to (see smolder view --help)\n");
		return 2;
	}
	if (v.st.used)
		return run(&v, v.st.base_from || v.st.base_to ? "" : NULL, NULL, env, false);
	return run(&v, v.base, argv[optind], env, false);
}

int cmd_diff(int argc, char **argv, const struct cmd_env *env)
{
	struct view_args v;
	int rc = parse(argc, argv, &v, "diff", diff_help);
	bool table;

	if (rc >= 0)
		return rc;
	if (v.base) {
		fprintf(stderr, "smolder diff: --base is view's: diff takes BASE NEW, or with --db or "
				"--url --base-from/--base-to (see smolder diff --help)\n");
		return 2;
	}
	if (cmd_check_args("diff", &v.st, argc - optind, argv + optind,
			   (const char *const[]){ "BASE", "NEW", NULL }, 0))
		return 2;
	if (cmd_check_seconds("diff", &v.st,
			      (const char *const[]){ v.st.used ? NULL : argv[optind],
						     v.st.used ? NULL : argv[optind + 1] }, 2))
		return 2;
	table = v.format || !isatty(STDOUT_FILENO);
	v.tr.pprof_names = table;  /* the table is pprof's report; the explorer keeps names */
	if (!v.format)
		v.format = "text";
	if (cmd_check_format("diff", v.format, (const char *const[]){ "text", "tsv", NULL }))
		return 2;
	if (v.st.used)
		return run(&v, "", NULL, env, table);
	return run(&v, argv[optind], argv[optind + 1], env, table);
}
