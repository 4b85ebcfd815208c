/*
 * cmd_export.c — `smolder export SOURCE --format pprof|folded|speedscope|svg -o FILE`:
 * the profile, after pprof's filters and granularity, written back out (encode.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/outfile.h"
#include "base/text.h"
#include "cmd.h"
#include "ingest/encode.h"
#include "profile/granularity.h"
#include "profile/merge.h"

static void export_help(FILE *f)
{
	fputs("usage: smolder export [options] SOURCE -o FILE\n"
	      "       smolder export [options] --db PATH [--query SEL] [--profile-type ID] ...\n"
	      "                      -o FILE\n"
	      "\n"
	      "Write SOURCE back out, after the filters below: as a gzipped pprof profile\n"
	      "(every sample type; `go tool pprof` reads it), as folded stacks, as a\n"
	      "speedscope JSON file (https://www.speedscope.app) or as a standalone SVG\n"
	      "flame graph (click a frame to zoom in a browser).  A difference (negative\n"
	      "values: pprof's -diff_base form) keeps its signed values in pprof and folded;\n"
	      "speedscope and svg, which cannot draw them, get its new side.\n"
	      CMD_SOURCE_HELP,
	      f);
	fputs("\n"
	      "  -o, --output FILE        where to write; - is standard output (on a terminal:\n"
	      "                           text formats only, control characters escaped)\n"
	      "  -f, --format FMT         pprof (default), folded, speedscope or svg\n"
	      "  -i, --sample-index NAME  the sample type folded, speedscope and svg show\n"
	      "                           (default: the profile's)\n"
	      CMD_SECONDS_HELP
	      "  -h, --help               this help\n"
	      "\n" CMD_TRANSFORM_HELP "\n" CMD_STORE_HELP "\n" CMD_PPROF_SAMPLE_HELP,
	      f);
}

/*
 * Text for a terminal: every line made terminal-safe (names in a folded or speedscope
 * export may hold escape sequences), the newlines kept.
 */
static int terminal_safe(const struct buf *in, bool ascii, struct buf *out)
{
	const char *p = in->data ? in->data : "", *end = p + in->len, *nl;
	int rc = 0;

	for (; p < end && !rc; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		rc = text_safe(out, p, (size_t)(nl - p), ascii);
		if (!rc && nl < end)
			rc = buf_add(out, "\n", 1);
	}
	return rc;
}

/*
 * Writes b to path: a file through outfile_write() (a failed write leaves an existing
 * file whole and no partial one; a FIFO or a device is written as it is), standard
 * output (to_stdout: -, or a path that names it) or a terminal named as the path (tty, from
 * cmd_open_terminal(), or -1) through its descriptor, made terminal-safe on a terminal.
 * stdio holds none of it, so a failure is this one line and main's close_stdout() has
 * nothing to add; a reader that went away (EPIPE) is not worth one, as there.
 */
static int write_out(const char *path, bool to_stdout, int tty, const struct buf *in)
{
	struct buf safe = BUF_INIT, what = BUF_INIT;
	const struct buf *b = in;
	int rc = 0;

	if (tty >= 0) {
		if ((rc = buf_printf(&what, "'%s'", path)) ||
		    (rc = terminal_safe(in, !text_locale_utf8(), &safe)) ||
		    (rc = outfile_write_fd(tty, safe.data, safe.len, what.data)))
			cmd_errorf("%s", err_last());
		buf_release(&what);
		buf_release(&safe);
		return rc ? 1 : 0;
	}
	if (!to_stdout) {
		if (outfile_write(path, in->data, in->len, OUTFILE_REPLACE | OUTFILE_IN_PLACE) == 0)
			return 0;
		cmd_errorf("%s", err_last());
		return 1;
	}
	if (isatty(STDOUT_FILENO)) {
		if ((rc = terminal_safe(in, cmd_ascii(stdout), &safe)))
			cmd_errorf("%s", err_last());
		b = &safe;
	}
	if (!rc && (rc = outfile_write_fd(STDOUT_FILENO, b->data, b->len, "standard output")) &&
	    errno != EPIPE)
		cmd_errorf("%s", err_last());
	buf_release(&safe);
	return rc ? 1 : 0;
}

/* What speedscope and the SVG call the profile: a file's base name, else SOURCE. */
static const char *display_name(const char *src)
{
	const char *slash = strrchr(src, '/');

	if (strcmp(src, "-") == 0)
		return "stdin";
	return slash && !strstr(src, "://") ? slash + 1 : src;
}

static int encode(const char *format, const struct prof *p, uint32_t type, const char *name,
		  struct buf *out)
{
	if (strcmp(format, "folded") == 0)
		return encode_folded(p, type, out);
	if (strcmp(format, "speedscope") == 0)
		return encode_speedscope(p, type, name, out);
	if (strcmp(format, "svg") == 0)
		return encode_svg(p, type, name, out);
	return encode_pprof(p, out);
}

/*
 * cmd_transform(), whose granularity a pprof file gets in pprof's form (granularity.h:
 * `go tool pprof -lines` of it reads the functions, not "F file:line" keys).  0, or 1
 * with the message given.
 */
static int export_transform(const char *format, struct prof **p, const struct cmd_transform *tr)
{
	struct cmd_transform before = *tr;
	struct prof *shown = NULL, *pprof = NULL;

	if (strcmp(format, "pprof") != 0)
		return cmd_transform(p, tr);
	before.granularity = GRAN_FUNCTIONS;
	if (cmd_transform(p, &before))
		return 1;
	if (tr->granularity == GRAN_FUNCTIONS)
		return 0;
	if (prof_granularity(*p, (enum granularity)tr->granularity, &shown) ||
	    granularity_pprof(shown, *p, (enum granularity)tr->granularity, &pprof)) {
		cmd_errorf("%s", err_last());
		prof_free(shown);
		return 1;
	}
	prof_free(*p);
	if (pprof) {
		prof_free(shown);
		shown = pprof;
	}
	*p = shown;
	return 0;
}

int cmd_export(int argc, char **argv, const struct cmd_env *env)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "sample-index", required_argument, NULL, 'i' },
		{ "sample_index", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		CMD_TRANSFORM_OPTIONS,
		CMD_STORE_OPTIONS,
		CMD_SECONDS_OPTION,
		CMD_PPROF_SAMPLE_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_transform tr = { .granularity = GRAN_FUNCTIONS };
	struct cmd_store_src st = { 0 };
	struct cmd_loaded ld = { 0 };
	const char *out = NULL, *format = "pprof", *sample_index = NULL;
	struct prof *p = NULL, *side = NULL;
	struct buf b = BUF_INIT, name = BUF_INIT;
	const char *title;
	int c, type, rc = 1, tty = -1;
	bool to_stdout;

	optind = 1;
	while ((c = cmd_getopt("export", argc, argv, "o:f:i:h", opts)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'i':
			sample_index = optarg;
			break;
		case 'h':
			export_help(stdout);
			return 0;
		case '?':
			return 2;
		default:
			switch (cmd_shared_opt(c, optarg, &sample_index, &st, &tr)) {
			case 1: continue;
			case -1: return 2;
			}
			export_help(stderr);
			return 2;
		}
	}
	if (cmd_check_format("export", format,
			     (const char *const[]){ "pprof", "folded", "speedscope", "svg", NULL }))
		return 2;
	if (cmd_check_args("export", &st, argc - optind, argv + optind,
			   (const char *const[]){ "SOURCE", NULL }, 0))
		return 2;
	if (!out) {
		fprintf(stderr, "smolder export: -o FILE is missing (- for standard output) (see "
				"smolder export --help)\n");
		return 2;
	}
	if (cmd_check_seconds("export", &st, (const char *const[]){ st.used ? NULL : argv[optind] },
			      1))
		return 2;
	to_stdout = strcmp(out, "-") == 0 || outfile_is_fd(out, STDOUT_FILENO);
	if (!to_stdout)
		tty = cmd_open_terminal(out);
	if (strcmp(format, "pprof") == 0 && ((to_stdout && isatty(STDOUT_FILENO)) || tty >= 0)) {
		if (tty >= 0)
			close(tty);
		/* curl's rule: binary output is not for a terminal */
		fprintf(stderr, "smolder export: a pprof profile is binary: not written to a terminal "
				"(use -o FILE, or pipe it)\n");
		return 2;
	}
	if ((rc = cmd_load_any(&st, argv[optind], env, sample_index, &p, &type, &ld)))
		goto done;
	rc = 1;
	if (export_transform(format, &p, &tr))
		goto done;
	if (!st.used && cmd_source_name(argv[optind], &name)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	title = st.used ? ld.ptype.data : display_name(name.data);
	/* pprof and folded keep the signed values (go tool pprof reads them as a diff) */
	if ((strcmp(format, "svg") == 0 || strcmp(format, "speedscope") == 0) &&
	    prof_is_signed(p)) {
		if (prof_new_side(p, (uint32_t)type, &side)) {
			cmd_errorf("%s", err_last());
			goto done;
		}
		cmd_errorf("'%s' is a difference (negative values): the %s file has its new side only "
			   "(pprof and folded keep both)", title, format);
	}
	if (encode(format, side ? side : p, (uint32_t)type, title, &b)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	rc = write_out(out, to_stdout, tty, &b);
done:
	if (tty >= 0)
		close(tty);
	cmd_loaded_release(&ld);
	buf_release(&name);
	buf_release(&b);
	prof_free(side);
	prof_free(p);
	return rc;
}
