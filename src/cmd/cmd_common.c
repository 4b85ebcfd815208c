/* cmd_common.c — what every verb that reads a profile shares (see cmd.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/text.h"
#include "base/url.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/demangle.h"
#include "profile/granularity.h"
#include "profile/labels.h"
#include "profile/prune.h"
#include "profile/re2.h"
#include "profile/recursion.h"
#include "store/remote.h"
#include "store/store.h"

bool cmd_ascii(FILE *f)
{
	return !text_locale_utf8() && isatty(fileno(f));
}

int cmd_put_safe(FILE *f, const char *s, size_t n, bool print)
{
	struct buf b = BUF_INIT;
	int w = 0;

	if (text_safe(&b, s, n, cmd_ascii(f)) == 0 && b.data) {
		w = text_width(b.data, b.len);
		if (print)
			fwrite(b.data, 1, b.len, f);
	}
	buf_release(&b);
	return w;
}

int cmd_safe(struct buf *out, const char *s)
{
	return text_safe(out, s, strlen(s), cmd_ascii(stderr));
}

int cmd_check_tenant(const char *verb, const char *tenant)
{
	if (!tenant || !*tenant || store_tenant_valid(tenant))
		return 0;
	/* a server would refuse it (serve does): never store or read what none could serve */
	if (verb)
		cmd_verb_errorf(verb, "invalid --tenant '%s': %s", tenant, STORE_TENANT_RULE);
	else
		cmd_errorf("invalid --tenant '%s': %s", tenant, STORE_TENANT_RULE);
	return 2;
}

int cmd_source_name(const char *src, struct buf *out)
{
	buf_reset(out);
	if (load_is_url(src))
		return url_redact_buf(src, out);
	return buf_puts(out, src);
}

/* "smolder[ VERB]: " and fmt's text, made safe for stderr as a whole (see cmd_errorf) */
static void errorv(const char *verb, const char *fmt, va_list ap) ERR_PRINTF(2, 0);
static void errorv(const char *verb, const char *fmt, va_list ap)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;
	va_list aq;
	int n;

	/* buf_printf takes no va_list: measure, then format into place */
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n >= 0 && buf_grow(&raw, (size_t)n + 1) == 0) {
		vsnprintf(raw.data, (size_t)n + 1, fmt, ap);
		raw.len = (size_t)n;
	}
	if (raw.data && text_safe(&safe, raw.data, raw.len, cmd_ascii(stderr)) == 0 &&
	    safe.data)
		fprintf(stderr, "smolder%s%s: %.*s\n", verb ? " " : "", verb ? verb : "",
			(int)safe.len, safe.data);
	else
		fprintf(stderr, "smolder%s%s: out of memory\n", verb ? " " : "", verb ? verb : "");
	buf_release(&raw);
	buf_release(&safe);
}

void cmd_errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errorv(NULL, fmt, ap);
	va_end(ap);
}

void cmd_verb_errorf(const char *verb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errorv(verb, fmt, ap);
	va_end(ap);
}

int cmd_sample_index(const struct prof *p, const char *arg)
{
	/* pprof's -sample_index= (empty) is its default, as no option */
	int i = arg && *arg ? prof_find_type(p, arg) : (int)p->default_type;
	uint32_t k;

	if (i < 0) {
		struct buf b = BUF_INIT;

		buf_puts(&b, "unknown sample index '");
		cmd_safe(&b, arg);
		buf_puts(&b, "'; this profile has:");
		for (k = 0; k < p->ntypes; k++) {
			buf_puts(&b, " ");
			text_safe(&b, prof_str(p, p->sample_types[k].type),
				  prof_strlen(p, p->sample_types[k].type), cmd_ascii(stderr));
		}
		fprintf(stderr, "smolder: %s\n", b.data ? b.data : "");
		buf_release(&b);
	}
	return i;
}

static int load_profile_shown(const char *src, const struct cmd_store_src *st,
			      const struct cmd_env *env, bool empty_ok, bool progress,
			      struct prof **out)
{
	struct load_opts lo = { env->cancel, progress, st->timeout_s };
	struct buf url = BUF_INIT;
	int rc = 0;

	*out = NULL;
	/* pprof's -seconds: the URL asks for that long a profile, and the timeout follows */
	if (st->seconds > 0 && load_is_url(src) &&
	    (rc = load_url_seconds(src, st->seconds, &url)) == 0)
		src = url.data;
	if (rc == 0)
		rc = (empty_ok ? load_profile_empty_ok : load_profile)(src, &lo, out);
	buf_release(&url);
	return rc;
}

int cmd_load_profile(const char *src, const struct cmd_store_src *st,
		     const struct cmd_env *env, bool empty_ok, struct prof **out)
{
	return load_profile_shown(src, st, env, empty_ok, true, out);
}

static void *bg_load_run(void *arg)
{
	struct cmd_bg_load *bg = arg;

	bg->rc = load_profile_shown(bg->src, bg->st, &bg->own, bg->empty_ok, false, &bg->out);
	if (bg->rc)  /* messages are per thread: carried over by cmd_bg_load_finish */
		snprintf(bg->msg, sizeof(bg->msg), "%s", err_last());
	atomic_store(&bg->done, 1);
	return NULL;
}

void cmd_bg_load_start(struct cmd_bg_load *bg, const char *src, const struct cmd_store_src *st,
		       const struct cmd_env *env, bool empty_ok)
{
	memset(bg, 0, sizeof(*bg));
	bg->src = src;
	bg->st = st;
	bg->env = env;
	bg->empty_ok = empty_ok;
	bg->own.cancel = &bg->cancel;
	/* a URL waits on the network (for ?seconds=N): fetched while the caller loads */
	if (load_is_url(src))
		bg->started = pthread_create(&bg->th, NULL, bg_load_run, bg) == 0;
}

/*
 * Joins the thread; stop cancels its fetch first.  The fetch polls one flag, the
 * thread's own, so Ctrl-C's is handed on to it while waiting (the caller's load has
 * already seen it, or sees none).
 */
static void bg_join(struct cmd_bg_load *bg, bool stop)
{
	const struct timespec tick = { 0, 10 * 1000000L };

	if (stop)
		atomic_store(&bg->cancel, 1);
	while (!atomic_load(&bg->done)) {
		if (bg->env->cancel && atomic_load(bg->env->cancel))
			atomic_store(&bg->cancel, 1);
		nanosleep(&tick, NULL);
	}
	pthread_join(bg->th, NULL);
	bg->started = false;
}

void cmd_bg_load_abandon(struct cmd_bg_load *bg)
{
	if (!bg->started)
		return;
	bg_join(bg, true);
	prof_free(bg->out);
	bg->out = NULL;
}

int cmd_bg_load_finish(struct cmd_bg_load *bg, struct prof **out)
{
	if (!bg->started)
		return cmd_load_profile(bg->src, bg->st, bg->env, bg->empty_ok, out);
	bg_join(bg, false);
	*out = bg->out;
	bg->out = NULL;
	return bg->rc ? err_set(bg->rc, "%s", bg->msg) : 0;
}

int cmd_check_seconds(const char *verb, const struct cmd_store_src *st,
		      const char *const *srcs, size_t n)
{
	size_t i;

	if (!st->seconds)
		return 0;
	for (i = 0; i < n; i++)
		if (srcs[i] && load_is_url(srcs[i]))
			return 0;
	fprintf(stderr, "smolder %s: --seconds applies to an http(s) profile URL, not to a file, "
			"standard input, --db or --url\n", verb);
	return 2;
}

int cmd_load(const char *src, const struct cmd_env *env, const struct cmd_store_src *st,
	     const char *sample_index, struct prof **out, int *type)
{
	if (cmd_load_profile(src, st, env, true, out)) {
		cmd_errorf("%s", err_last());
		return 1;
	}
	if ((*type = cmd_sample_index(*out, sample_index)) < 0) {
		prof_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

int cmd_check_re2(const char *what, const char *re)
{
	struct buf out = BUF_INIT;
	int rc = re2_to_pcre(re, &out);

	buf_release(&out);
	if (rc)
		cmd_errorf("%s: %s", what, err_last());
	return rc ? -1 : 0;
}

/*
 * pprof's -symbolize value: ':'-separated words; *mode is a demangle_mode, or -1 for
 * "none" (no symbolization, so names as sent).  smolder resolves no addresses itself, so
 * local, fastlocal, remote and force change nothing else.
 */
static int symbolize_parse(const char *arg, int *mode)
{
	const char *p = arg;

	*mode = DEMANGLE_DEFAULT;
	while (*p) {
		size_t n = strcspn(p, ":");
		char word[32];

		if (n >= sizeof(word))
			return -1;
		memcpy(word, p, n);
		word[n] = '\0';
		if (strcmp(word, "none") == 0 || strcmp(word, "no") == 0)
			*mode = -1;
		else if (strncmp(word, "demangle=", 9) == 0 && demangle_parse(word + 9) >= 0)
			*mode = *mode == -1 ? -1 : demangle_parse(word + 9);
		else if (strcmp(word, "local") && strcmp(word, "fastlocal") &&
			 strcmp(word, "remote") && strcmp(word, "force") && n)
			return -1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/*
 * Sets the granularity that option opt asks for.  pprof takes -functions, -files and
 * -lines (with -filefunctions and -addresses) as one choice: two of them is "conflicting
 * options set", not the last one winning.  The same one twice, or --granularity G beside
 * the option that is G, is one choice; --granularity (ours) given again replaces its
 * value, as any option with a value does.
 */
static int set_granularity(struct cmd_transform *t, enum granularity g, const char *opt)
{
	static const char value_opt[] = "--granularity ";
	bool again = t->granularity_opt &&
		     strncmp(t->granularity_opt, value_opt, sizeof(value_opt) - 1) == 0 &&
		     strncmp(opt, value_opt, sizeof(value_opt) - 1) == 0;

	if (t->granularity_opt && t->granularity != (int)g && !again) {
		cmd_errorf("%s and %s are two granularities: pick one", t->granularity_opt, opt);
		return -1;
	}
	t->granularity = (int)g;
	t->granularity_opt = opt;
	return 1;
}

int cmd_transform_opt(int c, const char *arg, struct cmd_transform *t)
{
	static const char *const gran_opts[] = {
		[GRAN_FUNCTIONS] = "--granularity functions",
		[GRAN_LINES] = "--granularity lines",
		[GRAN_FILES] = "--granularity files",
		[GRAN_PACKAGES] = "--granularity packages",
	};
	int g;

	static const char keys[] = "FXHSTUW";
	static const char *const names[] = { "--focus",	   "--ignore",	  "--hide", "--show-from",
					     "--tagfocus", "--tagignore", "--show" };
	int k = c - CMD_OPT_BASE;
	const char *which = k > 0 && k < 128 ? strchr(keys, k) : NULL;

	if (which && *which && cmd_check_re2(names[which - keys], arg))
		return -1;
	switch (c - CMD_OPT_BASE) {
	case 'F': t->filters.focus = arg; return 1;
	case 'X': t->filters.ignore = arg; return 1;
	case 'H': t->filters.hide = arg; return 1;
	case 'W': t->filters.show = arg; return 1;
	case 'S': t->filters.show_from = arg; return 1;
	case 'T': t->filters.tagfocus = arg; return 1;
	case 'U': t->filters.tagignore = arg; return 1;
	case 'f': return set_granularity(t, GRAN_FUNCTIONS, "--functions");
	case 'l': return set_granularity(t, GRAN_LINES, "--lines");
	case 'i': return set_granularity(t, GRAN_FILES, "--files");
	case 'p': return set_granularity(t, GRAN_PACKAGES, "--packages");
	case 'R': t->collapse_recursion = true; return 1;
	case 'Y': {
		int mode;

		if (symbolize_parse(arg, &mode)) {
			cmd_errorf("--symbolize is [local|fastlocal|remote|none][:force]"
				   "[:demangle=default|templates|full|none], not '%s'", arg);
			return -1;
		}
		t->symbolize = arg;
		return 1;
	}
	case 'g':
		if ((g = granularity_parse(arg)) < 0) {
			cmd_errorf("--granularity is functions, lines, files or packages, not '%s'",
				   arg);
			return -1;
		}
		return set_granularity(t, (enum granularity)g, gran_opts[g]);
	}
	return 0;
}

int cmd_shared_opt(int c, const char *arg, const char **sample_index, struct cmd_store_src *st,
		   struct cmd_transform *t)
{
	int rc;

	if (cmd_pprof_sample_index(c)) {
		*sample_index = cmd_pprof_sample_index(c);
		return 1;
	}
	if ((rc = cmd_store_opt(c, arg, st)) != 0)
		return rc;
	return cmd_transform_opt(c, arg, t);
}

/* pprof's warnings, in its order ("Focus expression matched no samples"); true if any. */
static bool filter_warn(const struct filter_opts *f, const struct filter_matched *m)
{
	const struct {
		const char *set;
		bool matched;
		const char *name;
	} warn[] = {
		{ f->focus, m->focus, "--focus" },
		{ f->ignore, m->ignore, "--ignore" },
		{ f->hide, m->hide, "--hide" },
		{ f->show, m->show, "--show" },
		{ f->show_from, m->show_from, "--show-from" },
		{ f->tagfocus, m->tagfocus, "--tagfocus" },
		{ f->tagignore, m->tagignore, "--tagignore" },
	};
	const struct {
		const char *spec;
		bool range;
		const char *name;
	} ranges[] = {
		{ f->tagfocus, m->tagfocus_range, "--tagfocus" },
		{ f->tagignore, m->tagignore_range, "--tagignore" },
	};
	bool warned = false;
	size_t i;

	/* pprof's "tagfocus:Interpreted '1kb:4kb' as range, not regexp" */
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		const char *v = ranges[i].spec, *eq;

		if (!ranges[i].range)
			continue;
		if ((eq = strchr(v, '=')))
			v = eq + 1;
		fprintf(stderr, "smolder: %s: interpreted '", ranges[i].name);
		cmd_put_safe(stderr, v, strlen(v), true);
		fputs("' as a range, not a regex\n", stderr);
	}
	for (i = 0; i < sizeof(warn) / sizeof(warn[0]); i++) {
		if (warn[i].set && *warn[i].set && !warn[i].matched) {
			fprintf(stderr, "smolder: %s matched no samples\n", warn[i].name);
			warned = true;
		}
	}
	return warned;
}

int cmd_transform(struct prof **p, const struct cmd_transform *t)
{
	struct prof *next;
	int mode = t->pprof_names ? DEMANGLE_DEFAULT : -1, rc;

	/* names first, as pprof demangles at load: filters match what is shown */
	if (t->symbolize)
		symbolize_parse(t->symbolize, &mode);
	if (mode >= 0) {
		if (prof_demangle(*p, (enum demangle_mode)mode, &next)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
		if (next) {
			prof_free(*p);
			*p = next;
		}
	}

	/*
	 * pprof prunes every profile it loads by the profile's own drop_frames/keep_frames
	 * (RemoveUninteresting), after symbolizing and before any filter; a bad regex there
	 * leaves the profile as it is, as in pprof, with a word on stderr.
	 */
	if ((rc = prof_remove_uninteresting(*p, &next)) == ERR_PARSE) {
		cmd_errorf("%s: not applied", err_last());
	} else if (rc) {
		cmd_errorf("%s", err_last());
		return 1;
	} else if (next) {
		prof_free(*p);
		*p = next;
	}
	if (!filter_is_empty(&t->filters)) {
		struct filter_matched m;

		if (prof_filter_matched(*p, &t->filters, &next, &m)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
		prof_free(*p);
		*p = next;
		if (!filter_warn(&t->filters, &m) && (*p)->nsamples == 0)
			fprintf(stderr, "smolder: the filters left no samples\n");
	}
	if (t->collapse_recursion) {
		if (prof_collapse_recursion(*p, &next)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
		prof_free(*p);
		*p = next;
	}
	if (t->granularity != GRAN_FUNCTIONS) {
		if (prof_granularity(*p, (enum granularity)t->granularity, &next)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
		prof_free(*p);
		*p = next;
	}
	return 0;
}

/*
 * An integer as Go's flag package reads one (strconv.ParseInt with base 0, what pprof's
 * -nodecount goes through): an optional sign, then 0x/0o/0b or a leading 0 (octal) or
 * decimal digits, '_' allowed between digits and after a prefix; nothing else, no blanks.
 */
static bool go_parse_int(const char *s, long *out)
{
	unsigned long long v = 0, lim;
	unsigned base = 10, d;
	bool neg = false, digit = false, prefix = false;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2, prefix = true;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, s += 2, prefix = true;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, s += 2, prefix = true;
	else if (s[0] == '0' && s[1])
		base = 8, s++, digit = true;  /* "0" itself is the decimal 0 */
	lim = neg ? (unsigned long long)LONG_MAX + 1 : (unsigned long long)LONG_MAX;
	for (; *s; s++) {
		if (*s == '_') {
			/* between digits, or right after a base prefix */
			if (!(digit || prefix) || !s[1] || s[1] == '_')
				return false;
			prefix = false;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d >= base || v > (lim - d) / base)
			return false;
		v = v * base + d;
		digit = true;
		prefix = false;
	}
	if (!digit)
		return false;
	*out = neg ? (long)(0 - v) : (long)v;
	return true;
}

int cmd_parse_nodecount(const char *verb, const char *arg, long *out)
{
	if (!go_parse_int(arg, out)) {
		fprintf(stderr, "smolder %s: --nodecount wants a number, not '", verb);
		cmd_put_safe(stderr, arg, strlen(arg), true);  /* the user's: escaped */
		fputs("'\n", stderr);
		return 2;
	}
	if (*out < 0)
		*out = 0;
	return 0;
}

/*
 * A terminal named as the target (-o /dev/tty, /dev/stderr on one), opened for writing;
 * else -1 (anything else, or a failure to open, is left to outfile_write()).  It gets
 * what -o - gets on a terminal: no pprof, control characters escaped.
 */
int cmd_open_terminal(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode))
		return -1;
	if ((fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return -1;
	if (isatty(fd))
		return fd;
	close(fd);
	return -1;
}

int cmd_check_format(const char *verb, const char *fmt, const char *const *allowed)
{
	size_t i, n;

	for (n = 0; allowed[n]; n++)
		if (strcmp(fmt, allowed[n]) == 0)
			return 0;
	fprintf(stderr, "smolder %s: --format is ", verb);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", allowed[i]);
	fputs(", not '", stderr);
	cmd_put_safe(stderr, fmt, strlen(fmt), true);  /* the user's: escaped */
	fputs("'\n", stderr);
	return 2;
}

const char *cmd_metric_name(const struct prof *p, const char *path)
{
	const char *n = labels_metric_name(p, NULL), *base = strrchr(path, '/');

	/* Go's block and mutex profiles are the same shape: the file name tells them apart */
	if (strcmp(n, "mutex") == 0 && strstr(base ? base + 1 : path, "block"))
		return "block";
	return n;
}

/* A Prometheus label name, [a-zA-Z_][a-zA-Z0-9_]*, is s[0..n). */
static bool is_label_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return false;
	return n > 0;
}

/*
 * Whether arg is a list of labels, NAME=VALUE,NAME=VALUE...: two pieces at least, each a
 * label name, '=' and a value without '=' (so tags=a,b and q=a?x=1,y=2 are one value).
 */
static bool is_label_list(const char *arg)
{
	const char *p = arg;
	size_t pieces = 0;

	for (;;) {
		size_t n = strcspn(p, ","), eq = strcspn(p, "=");

		if (eq >= n || !is_label_name(p, eq) || memchr(p + eq + 1, '=', n - eq - 1))
			return false;
		pieces++;
		if (!p[n])
			return pieces > 1;
		p += n + 1;
	}
}

static int add_extra_label(struct labelset *ls, const char *name, size_t n, const char *value,
			   size_t vn, bool reserved_ok)
{
	struct buf nb = BUF_INIT, vb = BUF_INIT;
	int rc;

	/* buf_add allocates even for 0 bytes: data is a string after it */
	if ((rc = buf_add(&nb, name, n)) || (rc = buf_add(&vb, value, vn)))
		goto done;
	if (!reserved_ok && strncmp(nb.data, "__", 2) == 0 &&
	    strcmp(nb.data, "__session_id__") != 0) {
		rc = err_set(ERR_USAGE, "--extra-labels: names starting with __ are reserved "
					"('%.100s')", nb.data);
		goto done;
	}
	rc = labelset_set(ls, nb.data, vb.data);
done:
	buf_release(&nb);
	buf_release(&vb);
	return rc;
}

int cmd_extra_labels(struct labelset *ls, const char *arg, bool reserved_ok)
{
	const char *p = arg;
	size_t n, sep;
	int rc;

	/* smolder's list form: env=prod,region=eu (see is_label_list) */
	if (is_label_list(arg)) {
		for (;;) {
			n = strcspn(p, ",");
			sep = strcspn(p, "=");
			rc = add_extra_label(ls, p, sep, p + sep + 1, n - sep - 1, reserved_ok);
			if (rc)
				return rc;
			if (!p[n])
				return 0;
			p += n + 1;
		}
	}
	/*
	 * else one label, as profilecli's kingpin StringMap reads a flag: split at the first
	 * ':' or '=', the rest is the value (env:prod, tags=a,b, url=http://h:1/?a=b)
	 */
	sep = strcspn(arg, ":=");
	if (!arg[sep] || sep == 0) {
		n = strlen(arg);
		return err_set(ERR_USAGE, "--extra-labels wants NAME=VALUE, not '%.*s'",
			       (int)(n < 100 ? n : 100), arg);
	}
	return add_extra_label(ls, arg, sep, arg + sep + 1, strlen(arg + sep + 1), reserved_ok);
}

/* ---- options: pprof's single-dash words, one-line errors ------------------------------ */

/*
 * pprof's flags that smolder has no equivalent for (driver/cli.go and its report
 * options), each with what to do instead when there is something.
 */
static const struct {
	const char *name, *hint;
} pprof_unsupported[] = {
	{ "http", "smolder view is the interactive explorer" },
	{ "no_browser", NULL },
	{ "mean", NULL },
	{ "mean_delay", "-total_delay and -contentions are" },
	{ "cum", NULL },
	{ "flat", NULL },
	{ "nodefraction", "every node is shown; --nodecount N limits the rows" },
	{ "edgefraction", NULL },
	{ "noinlines", NULL },
	{ "addresses", NULL },
	{ "addressnoinlines", NULL },
	{ "filefunctions", "--files and --functions are" },
	{ "normalize", NULL },
	{ "unit", NULL },
	{ "divide_by", NULL },
	{ "relative_percentages", NULL },
	{ "compact_labels", NULL },
	{ "call_tree", NULL },
	{ "trim", NULL },
	{ "prune_from", NULL },
	{ "tagshow", NULL },
	{ "taghide", NULL },
	{ "tagroot", NULL },
	{ "tagleaf", NULL },
	{ "drop_negative", NULL },
	{ "tools", NULL },
	{ "buildid", NULL },
	{ "add_comment", NULL },
	{ "comments", NULL },
	{ "seconds", "the verbs that read a profile URL take it" },
	{ "tls_cert", NULL },
	{ "tls_key", NULL },
	{ "tls_ca", NULL },
	{ "intel_syntax", NULL },
	{ "top", "smolder top is the verb" },
	{ "text", "smolder top is the verb" },
	{ "peek", "smolder peek is the verb" },
	{ "list", "smolder list is the verb" },
	{ "traces", NULL },
	{ "tree", NULL },
	{ "raw", NULL },
	{ "tags", NULL },
	{ "disasm", NULL },
	{ "weblist", NULL },
	{ "web", NULL },
	{ "dot", NULL },
	{ "svg", "smolder export --format svg" },
	{ "png", NULL },
	{ "pdf", NULL },
	{ "gif", NULL },
	{ "ps", NULL },
	{ "eog", NULL },
	{ "evince", NULL },
	{ "gv", NULL },
	{ "callgrind", NULL },
	{ "kcachegrind", NULL },
	{ "proto", "smolder export --format pprof" },
	{ "base", NULL },
	{ "diff_base", NULL },
	{ "source_path", NULL },
	{ "trim_path", NULL },
};

static const char *const pprof_samples[] = {
	"inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "delay", "contentions",
};

const char *cmd_pprof_sample_index(int c)
{
	c -= CMD_OPT_BASE + 300;
	return c >= 0 && c < (int)(sizeof(pprof_samples) / sizeof(*pprof_samples)) ?
		       pprof_samples[c] : NULL;
}

/* The option named name[0..n): exactly, else (prefix) the only one it abbreviates. */
static const struct option *find_long(const struct option *opts, const char *name, size_t n,
				      bool prefix)
{
	const struct option *o, *found = NULL;

	for (o = opts; o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	if (!prefix)
		return NULL;
	for (o = opts; o->name; o++)
		if (strncmp(o->name, name, n) == 0) {
			if (found && (found->has_arg != o->has_arg || found->val != o->val))
				return NULL;  /* ambiguous: getopt says so */
			found = o;
		}
	return found;
}

/* A short option's argument rule: 0 none, 1 required, -1 not an option. */
static int short_arg(const char *shortopts, int c)
{
	const char *p = c != ':' ? strchr(shortopts, c) : NULL;

	return !p ? -1 : p[1] == ':' ? 1 : 0;
}

/* "smolder VERB: <before><arg[0..n), made safe><after> (see smolder VERB --help)" */
static int bad_option(const char *verb, const char *before, const char *arg, size_t n,
		      const char *after)
{
	struct buf b = BUF_INIT;

	text_safe(&b, arg, n, cmd_ascii(stderr));
	fprintf(stderr, "smolder %s: %s%s%s (see smolder %s --help)\n", verb, before,
		b.data ? b.data : "", after, verb);
	buf_release(&b);
	return '?';
}

/* Checks every option word before getopt sees one; '?' after the one-line error. */
static int check_words(const char *verb, int argc, char **argv, const char *shortopts,
		       const struct option *opts)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *name;
		const struct option *o;
		size_t n, k;
		bool dd;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || !a[1])
			continue;  /* SOURCE, REGEX, - */
		dd = a[1] == '-';
		if (!dd && !a[2]) {  /* -i VALUE */
			if (short_arg(shortopts, a[1]) == 1)
				i++;
			continue;
		}
		name = a + (dd ? 2 : 1);
		n = strcspn(name, "=");
		if ((o = find_long(opts, name, n, false))) {
			if (o->has_arg == required_argument && !name[n])
				i++;
			continue;
		}
		for (k = 0; k < sizeof(pprof_unsupported) / sizeof(*pprof_unsupported); k++)
			if (strlen(pprof_unsupported[k].name) == n &&
			    strncmp(pprof_unsupported[k].name, name, n) == 0) {
				struct buf after = BUF_INIT;
				int rc;

				buf_puts(&after, " is not supported here");
				if (pprof_unsupported[k].hint)
					buf_printf(&after, "; %s", pprof_unsupported[k].hint);
				rc = bad_option(verb, "pprof's -", name, n, after.data ? after.data : "");
				buf_release(&after);
				return rc;
			}
		if (dd) {  /* an abbreviation (getopt takes it or says why) */
			if ((o = find_long(opts, name, n, true)) && o->has_arg == required_argument &&
			    !name[n])
				i++;
			continue;
		}
		/* -n10: a short option with a number attached */
		if (short_arg(shortopts, a[1]) == 1 && strspn(a + 2, "0123456789") == strlen(a + 2))
			continue;
		return bad_option(verb, "unknown option '", a, strcspn(a, "="), "'");
	}
	return 0;
}

/* How many options' names start with name[0..n). */
static size_t prefix_matches(const struct option *opts, const char *name, size_t n)
{
	const struct option *o;
	size_t k = 0;

	for (o = opts; o->name; o++)
		k += strncmp(o->name, name, n) == 0;
	return k;
}

/*
 * An abbreviation of one option that has two names (--ten for --tenant and --tenant-id):
 * glibc's getopt_long_only calls any second prefix match ambiguous, though both are the
 * same option.  Taken here as getopt would take it: rest is "" or "=VALUE" after the name.
 */
static int long_abbrev(const char *verb, int argc, char **argv, const struct option *o,
		       const char *word, const char *rest)
{
	if (o->has_arg == no_argument && *rest)
		return bad_option(verb, "'", word, strcspn(word, "="), "' takes no value");
	if (o->has_arg == required_argument) {
		if (*rest)
			optarg = (char *)rest + 1;
		else if (optind < argc)
			optarg = argv[optind++];
		else
			return bad_option(verb, "a value is missing after '", word, strlen(word), "'");
	} else {
		optarg = *rest ? (char *)rest + 1 : NULL;
	}
	if (o->flag) {
		*o->flag = o->val;
		return 0;
	}
	return o->val;
}

/*
 * Go's flag.Parse reads a boolean flag's value as strconv.ParseBool does: 1 if true,
 * 0 if false, -1 when it is neither.
 */
static int go_parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t k;

	for (k = 0; k < sizeof(yes) / sizeof(*yes); k++) {
		if (strcmp(s, yes[k]) == 0)
			return 1;
		if (strcmp(s, no[k]) == 0)
			return 0;
	}
	return -1;
}

/*
 * The option without a value that the word a names (--NAME, -NAME or --PREFIX, with or
 * without =VALUE), or NULL.  Single-dash words are whole names: check_words refused the
 * rest before getopt ran.
 */
static const struct option *bool_word(const struct option *opts, const char *a)
{
	const char *name = a + (a[1] == '-' ? 2 : 1);
	const struct option *o;

	if (a[0] != '-' || !a[1] || (a[1] != '-' && !a[2]))
		return NULL;
	o = find_long(opts, name, strcspn(name, "="), a[1] == '-');
	return o && o->has_arg == no_argument ? o : NULL;
}

/*
 * Whether the last word in argv[from..argc) for option o (by val and flag: an option's two
 * names are one option) sets it false: Go's flag package keeps a flag's last value, so
 * -cum -cum=false is false, and the earlier words for it are then skipped.
 */
static bool last_is_false(int argc, char **argv, int from, const char *shortopts,
			  const struct option *opts, const struct option *o)
{
	bool off = false;
	int i;

	for (i = from; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i], *name = a + (a[0] == '-' && a[1] == '-' ? 2 : 1);
		const struct option *w;

		if (a[0] != '-' || !a[1])
			continue;
		if (a[1] != '-' && !a[2]) {  /* -i VALUE */
			i += short_arg(shortopts, a[1]) == 1;
			continue;
		}
		w = find_long(opts, name, strcspn(name, "="), a[1] == '-');
		if (w && w->has_arg == required_argument && !strchr(name, '='))
			i++;  /* its value is the next word */
		else if (w && w->has_arg == no_argument && w->val == o->val && w->flag == o->flag)
			off = strchr(name, '=') && go_parse_bool(strchr(name, '=') + 1) == 0;
	}
	return off;
}

/* bool_option(): the option ends up false, as if it were not given */
#define BOOL_SKIP (-2)

/*
 * A boolean option's word: -NAME, or pprof's -NAME=true / -NAME=false (Go's flag package:
 * any strconv.ParseBool spelling).  What getopt returns for the option (its val, or 0
 * when it sets a flag), BOOL_SKIP, or '?' after the one-line error for another value.
 */
static int bool_option(const char *verb, int argc, char **argv, const char *shortopts,
		       const struct option *opts, const struct option *o, const char *a)
{
	const char *eq = strchr(a, '=');

	if (eq && go_parse_bool(eq + 1) < 0) {
		struct buf after = BUF_INIT;
		int rc;

		buf_puts(&after, "': ");
		text_safe(&after, a, (size_t)(eq - a), cmd_ascii(stderr));
		buf_puts(&after, " takes true or false");
		rc = bad_option(verb, "'", a, strlen(a), after.data ? after.data : "");
		buf_release(&after);
		return rc;
	}
	if ((eq && go_parse_bool(eq + 1) == 0) ||
	    last_is_false(argc, argv, optind, shortopts, opts, o))
		return BOOL_SKIP;
	if (o->flag) {
		*o->flag = o->val;
		return 0;
	}
	return o->val;
}

int cmd_getopt(const char *verb, int argc, char **argv, const char *shortopts,
	       const struct option *opts)
{
	const struct option *b;
	char so[64];
	int c;

	if (optind <= 1 && check_words(verb, argc, argv, shortopts, opts))
		return '?';
	snprintf(so, sizeof(so), ":%s", shortopts);  /* ':' tells a missing value apart */
	opterr = 0;
again:
	c = getopt_long_only(argc, argv, so, opts, NULL);
	/*
	 * A word for a boolean option: getopt refuses NAME=VALUE on one ("doesn't allow an
	 * argument", optopt its val), which pprof takes as Go's flag does
	 */
	if (c != -1 && c != ':' && optind > 1 && optind <= argc &&
	    (b = bool_word(opts, argv[optind - 1])) &&
	    (c == '?' ? optopt == b->val && strchr(argv[optind - 1], '=') :
			c == (b->flag ? 0 : b->val))) {
		c = bool_option(verb, argc, argv, shortopts, opts, b, argv[optind - 1]);
		if (c == BOOL_SKIP)
			goto again;
		return c;
	}
	if (c == '?' && optopt == 0 && optind > 1 && optind <= argc && argv[optind - 1][0] == '-') {
		/* a long option getopt refused: an abbreviation of one option's two names? */
		const char *a = argv[optind - 1], *name = a + (a[1] == '-' ? 2 : 1);
		size_t n = strcspn(name, "=");
		const struct option *o = find_long(opts, name, n, true);

		if (o)
			return long_abbrev(verb, argc, argv, o, a, name + n);
		if (prefix_matches(opts, name, n) > 1)
			return bad_option(verb, "ambiguous option '", a, strcspn(a, "="),
					  "': it abbreviates several (spell it out)");
	}
	if (c == ':' || c == '?') {
		const char *a = optind > 1 && optind <= argc ? argv[optind - 1] : "";
		char s[3] = { '-', (char)optopt, '\0' };

		/* a long option's word is argv[optind - 1]; a short one may be in a cluster */
		if (!(a[0] == '-' && (a[1] == '-' || strlen(a) > 2)) && optopt > 0 && optopt < 128)
			a = s;
		return bad_option(verb, c == ':' ? "a value is missing after '" : "unknown option '", a,
				  strcspn(a, "="), "'");
	}
	return c;
}
