/* cmd_common.c — what every verb that reads a profile shares (see cmd.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "cmd.h"
#include "ingest/load.h"
#include "profile/granularity.h"
#include "profile/labels.h"
#include "profile/recursion.h"
#include "store/remote.h"

int cmd_put_safe(FILE *f, const char *s, size_t n, bool print)
{
	struct buf b = BUF_INIT;
	int w = 0;

	if (text_safe(&b, s, n, false) == 0 && b.data) {
		w = text_width(b.data, b.len);
		if (print)
			fwrite(b.data, 1, b.len, f);
	}
	buf_release(&b);
	return w;
}

int cmd_safe(struct buf *out, const char *s)
{
	return text_safe(out, s, strlen(s), false);
}

int cmd_source_name(const char *src, struct buf *out)
{
	buf_reset(out);
	if (load_is_url(src))
		return remote_url_redact(src, out);
	return buf_puts(out, src);
}

void cmd_errorf(const char *fmt, ...)
{
	struct buf raw = BUF_INIT, safe = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	/* buf_printf takes no va_list: measure, then format into place */
	{
		va_list aq;
		int n;

		va_copy(aq, ap);
		n = vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (n >= 0 && buf_grow(&raw, (size_t)n + 1) == 0) {
			vsnprintf(raw.data, (size_t)n + 1, fmt, ap);
			raw.len = (size_t)n;
		}
	}
	va_end(ap);
	if (raw.data && text_safe(&safe, raw.data, raw.len, false) == 0 && safe.data)
		fprintf(stderr, "smolder: %.*s\n", (int)safe.len, safe.data);
	else
		fprintf(stderr, "smolder: out of memory\n");
	buf_release(&raw);
	buf_release(&safe);
}

int cmd_sample_index(const struct prof *p, const char *arg)
{
	int i = arg ? prof_find_type(p, arg) : (int)p->default_type;
	uint32_t k;

	if (i < 0) {
		struct buf b = BUF_INIT;

		buf_puts(&b, "unknown sample index '");
		text_safe(&b, arg, strlen(arg), false);
		buf_puts(&b, "'; this profile has:");
		for (k = 0; k < p->ntypes; k++) {
			buf_puts(&b, " ");
			text_safe(&b, prof_str(p, p->sample_types[k].type),
				  prof_strlen(p, p->sample_types[k].type), false);
		}
		fprintf(stderr, "smolder: %s\n", b.data ? b.data : "");
		buf_release(&b);
	}
	return i;
}

int cmd_load(const char *src, const struct cmd_env *env, long timeout_s,
	     const char *sample_index, struct prof **out, int *type)
{
	struct load_opts lo = { env->cancel, true, timeout_s };

	*out = NULL;
	if (load_profile(src, &lo, out)) {
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

int cmd_transform_opt(int c, const char *arg, struct cmd_transform *t)
{
	switch (c - CMD_OPT_BASE) {
	case 'F': t->filters.focus = arg; return 1;
	case 'X': t->filters.ignore = arg; return 1;
	case 'H': t->filters.hide = arg; return 1;
	case 'S': t->filters.show_from = arg; return 1;
	case 'T': t->filters.tagfocus = arg; return 1;
	case 'U': t->filters.tagignore = arg; return 1;
	case 'f': t->granularity = GRAN_FUNCTIONS; return 1;
	case 'l': t->granularity = GRAN_LINES; return 1;
	case 'i': t->granularity = GRAN_FILES; return 1;
	case 'p': t->granularity = GRAN_PACKAGES; return 1;
	case 'R': t->collapse_recursion = true; return 1;
	case 'g':
		if ((t->granularity = granularity_parse(arg)) < 0) {
			fprintf(stderr, "smolder: --granularity is functions, lines, files or packages, "
					"not '%s'\n", arg);
			return -1;
		}
		return 1;
	}
	return 0;
}

int cmd_transform(struct prof **p, const struct cmd_transform *t)
{
	struct prof *next;

	if (!filter_is_empty(&t->filters)) {
		if (prof_filter(*p, &t->filters, &next)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
		prof_free(*p);
		*p = next;
		if ((*p)->nsamples == 0)
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

int cmd_check_format(const char *verb, const char *fmt, const char *const *allowed)
{
	size_t i, n;

	for (n = 0; allowed[n]; n++)
		if (strcmp(fmt, allowed[n]) == 0)
			return 0;
	fprintf(stderr, "smolder %s: --format is ", verb);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", allowed[i]);
	fprintf(stderr, ", not '%s'\n", fmt);
	return 2;
}

int cmd_extra_labels(struct labelset *ls, const char *arg, bool reserved_ok)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return err_set(ERR_NOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok) {
			rc = err_set(ERR_USAGE, "--extra-labels wants NAME=VALUE, not '%.100s'", tok);
			break;
		}
		*eq = '\0';
		if (!reserved_ok && strncmp(tok, "__", 2) == 0 && strcmp(tok, "__session_id__") != 0) {
			rc = err_set(ERR_USAGE, "--extra-labels: names starting with __ are reserved "
						"('%.100s')", tok);
			break;
		}
		rc = labelset_set(ls, tok, eq + 1);
	}
	free(copy);
	return rc;
}
