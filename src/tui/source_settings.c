/*
 * source_settings.c — where the source pane's code comes from: the repository, ref, root
 * path and source directory, each taken from what was typed at the ':' prompt
 * (`:repo=PATH|URL`, `:ref=REF`, `:root=PATH`, `:source_path=DIR`, for the session, as
 * Pyroscope's UI lets one edit them during an incident), else the command line's flags
 * (--repo --ref --root --source-path), else the labels of the version shown
 * (service_repository, service_git_ref, service_root_path) — the order source_find()
 * applies (src/source/source.h, step 1), with its rule that a repository label counts
 * only when it is an http(s) URL.  The pane's header shows each value and its origin.
 *
 * Pure functions over borrowed strings, except source_settings_set (copies into the
 * typed buffers).  Also the session's memo of what each place answered (source_memo,
 * src/source/source.h), shared by reference with the searches in flight, and made afresh
 * where a setting changes or the user asks to look again.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/url.h"
#include "tui_int.h"

static const char *const setting_names[SS_COUNT] = { "repo", "ref", "root", "source_path" };

const char *source_settings_name(enum source_setting_kind k)
{
	return setting_names[k];
}

int source_settings_kind(const char *name, size_t n)
{
	int k;

	for (k = 0; k < SS_COUNT; k++)
		if (strlen(setting_names[k]) == n && strncmp(name, setting_names[k], n) == 0)
			return k;
	if (n == 11 && strncmp(name, "source-path", 11) == 0)
		return SS_SOURCE_PATH;
	return -1;
}

static char *typed_slot(struct source_typed *t, enum source_setting_kind k)
{
	switch (k) {
	case SS_REPO: return t->repo;
	case SS_REF: return t->ref;
	case SS_ROOT: return t->root;
	case SS_SOURCE_PATH: return t->source_path;
	case SS_COUNT: break;
	}
	return NULL;
}

int source_settings_set(struct source_typed *t, enum source_setting_kind k, const char *value,
			const char *home)
{
	char *slot = typed_slot(t, k);
	size_t n;

	while (*value == ' ')
		value++;
	n = strlen(value);
	while (n && value[n - 1] == ' ')
		n--;
	/* a path typed with ~/ is the user's (the flags get this from the shell) */
	if ((k == SS_REPO || k == SS_SOURCE_PATH) && n >= 1 && value[0] == '~' &&
	    (n == 1 || value[1] == '/') && home && *home) {
		size_t hl = strlen(home);

		if (hl + n >= PROMPT_MAX)
			return err_set(ERR_TOOBIG, "%s: the path is too long", setting_names[k]);
		memcpy(slot, home, hl);
		memcpy(slot + hl, value + 1, n - 1);
		slot[hl + n - 1] = '\0';
		return 0;
	}
	if (n >= PROMPT_MAX)
		return err_set(ERR_TOOBIG, "%s: the value is too long", setting_names[k]);
	memcpy(slot, value, n);
	slot[n] = '\0';
	return 0;
}

void source_settings_resolve(const struct source_typed *t, const struct source_opts *o,
			     const struct source_version *v, struct source_setting out[SS_COUNT])
{
	const char *typed[SS_COUNT] = { t ? t->repo : NULL, t ? t->ref : NULL, t ? t->root : NULL,
					t ? t->source_path : NULL };
	const char *flag[SS_COUNT] = { o ? o->repo : NULL, o ? o->ref : NULL, o ? o->root : NULL,
				       o ? o->source_path : NULL };
	const char *label[SS_COUNT] = { v ? v->repo : NULL, v ? v->ref : NULL, v ? v->root : NULL,
					NULL };
	int k;

	for (k = 0; k < SS_COUNT; k++) {
		struct source_setting *s = &out[k];

		s->value = s->ignored = NULL;
		s->from = SF_NONE;
		if (typed[k] && *typed[k]) {
			s->value = typed[k];
			s->from = SF_TYPED;
		} else if (flag[k] && *flag[k]) {
			s->value = flag[k];
			s->from = SF_FLAG;
		} else if (label[k] && *label[k]) {
			if (k == SS_REPO && !source_label_repo_ok(label[k])) {
				s->from = SF_LABEL_IGNORED;
				s->ignored = label[k];
			} else {
				s->value = label[k];
				s->from = SF_LABEL;
			}
		}
	}
}

/*
 * A URL (a repository label, a typed :repo=) loses its user information, query and
 * fragment, where a token or a password rides (source.h: credentials are removed from
 * everything shown).  Paths and refs are shown as they are.
 */
void source_settings_shown(struct buf *out, const char *v)
{
	if (strstr(v, "://"))
		url_redact_buf(v, out); /* ERR_NOMEM: the value is left out, not shown raw */
	else
		buf_puts(out, v);
}

void source_settings_describe(const struct source_setting s[SS_COUNT], const char *dot,
			      struct buf *out)
{
	static const char *const from[] = { "", "flag", "label", "label", "typed" };
	int k;

	for (k = 0; k < SS_COUNT; k++) {
		if (k)
			buf_puts(out, dot);
		buf_printf(out, "%s ", setting_names[k]);
		if (s[k].from == SF_LABEL_IGNORED) {
			buf_puts(out, "- (label '");
			source_settings_shown(out, s[k].ignored);
			buf_printf(out, "' ignored: labels name http(s) URLs only; :%s= sets one)",
				   setting_names[k]);
		} else if (k == SS_SOURCE_PATH && s[k].from == SF_FLAG &&
			   strcmp(s[k].value, ".") == 0) {
			/* what the command line sets without --repo or --source-path (pprof's
			 * default): "(flag)" said the user gave one */
			buf_puts(out, ". (default)");
		} else if (s[k].value) {
			source_settings_shown(out, s[k].value);
			buf_printf(out, " (%s)", from[s[k].from]);
		} else {
			buf_puts(out, "-");
		}
	}
}

void source_settings_memo_put(struct source_memo_ref *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
		source_memo_free(r->memo);
		free(r);
	}
}

int source_settings_memo_new(struct tui_app *a)
{
	struct source_memo_ref *r;
	int rc;

	source_settings_memo_put(a->sctx.memo);
	a->sctx.memo = NULL;
	if (!(r = calloc(1, sizeof(*r))))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = source_memo_new(&r->memo))) {
		free(r);
		return rc;
	}
	atomic_init(&r->refs, 1);
	a->sctx.memo = r;
	return 0;
}

void source_settings_memo_free(struct tui_app *a)
{
	source_settings_memo_put(a->sctx.memo);
	a->sctx.memo = NULL;
}
