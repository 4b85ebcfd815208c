/*
 * cmd_source.c — the store or a server as a verb's source: --db or --url, --query
 * --profile-type --from --to (--aggregate, --tenant, diff's --base-from/--base-to, the
 * remote options) turned into one merged profile through a backend (see cmd.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strvec.h"
#include "base/timeparse.h"
#include "base/url.h"
#include "cmd.h"
#include "profile/selector.h"
#include "store/remote.h"
#include "store/store.h"

/* The store options' names in messages, by code (less CMD_OPT_BASE + 200). */
static const char *const store_opt_names[] = {
	"--db", "--query", "--profile-type", "--from", "--to", "--aggregate", "--tenant",
	"--base-from", "--base-to", "--url", "--codec", "--username", "--password", "--token",
	"--ca-cert", "--insecure-skip-verify",
};

/* --timeout's and --seconds' value: 1 to a week, digits only; 1, or -1 after the line. */
static int seconds_opt(const char *name, const char *arg, long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || *out <= 0 || *out > 86400 * 7) {
		cmd_errorf("%s wants a number of seconds (1 to 604800), not '%s'", name, arg);
		return -1;
	}
	return 1;
}

/*
 * A time, --profile-type, --aggregate, --codec or --query value checked when the option
 * is read, so that a bad one is a usage error (status 2) like any other option's, before
 * anything is opened; 0, or -1 after the line.
 */
static int check_value(int c, const char *arg)
{
	struct selector *sel = NULL;
	struct profile_type pt;
	enum aggregate agg;
	enum remote_codec codec;
	int64_t t;

	switch (c - CMD_OPT_BASE) {
	case 201:
		if (selector_parse(arg, &sel)) {
			cmd_errorf("--query: %s", err_last());
			return -1;
		}
		selector_free(sel);
		return 0;
	case 202:
		if (profile_type_parse(arg, &pt)) {
			cmd_errorf("--profile-type: %s", err_last());
			return -1;
		}
		profile_type_release(&pt);
		return 0;
	case 203: case 204: case 207: case 208:
		/* the syntax: whether the range is empty is known against the clock only */
		if (timeparse(arg, time_now_ns(), &t)) {
			cmd_errorf("%s: %s", store_opt_names[c - CMD_OPT_BASE - 200], err_last());
			return -1;
		}
		return 0;
	case 205:
		if (aggregate_parse(arg, &agg)) {
			cmd_errorf("%s", err_last());
			return -1;
		}
		return 0;
	case 210:
		if (remote_codec_parse(arg, &codec)) {
			cmd_errorf("%s", err_last());
			return -1;
		}
		return 0;
	}
	return 0;
}

int cmd_store_opt(int c, const char *arg, struct cmd_store_src *src)
{
	switch (c - CMD_OPT_BASE) {
	case 200: src->db = arg; break;
	case 201: src->query = arg; break;
	case 202: src->profile_type = arg; break;
	case 203: src->from = arg; break;
	case 204: src->to = arg; break;
	case 205: src->aggregate = arg; break;
	case 206: src->tenant = arg; break;
	case 207: src->base_from = arg; break;
	case 208: src->base_to = arg; break;
	case 209: src->url = arg; break;
	case 210: src->codec = arg; break;
	case 211: src->username = arg; break;
	case 212: src->password = arg; break;
	case 213: src->token = arg; break;
	case 214: src->ca_cert = arg; break;
	case 215: src->insecure = true; break;
	/* a SOURCE's options as much as a store's: they leave src->used alone */
	case 216: return seconds_opt("--timeout", arg, &src->timeout_s);
	case 217: return seconds_opt("--seconds", arg, &src->seconds);
	default: return 0;
	}
	if (check_value(c, arg))
		return -1;
	if (!src->used)
		src->used_by = store_opt_names[c - CMD_OPT_BASE - 200];
	src->used = true;
	return 1;
}

static const char *env_or(const char *v, const char *name)
{
	const char *e = getenv(name);

	return v ? v : e && *e ? e : NULL;
}

/* Why src's options cannot go together, or NULL. */
static const char *store_conflict(const struct cmd_store_src *src)
{
	const char *url = src->url ? src->url : src->db ? NULL : env_or(NULL, "PROFILECLI_URL");

	if (src->db && src->url)
		return "--db and --url are two sources: pick one";
	if (!url && (src->codec || src->username || src->password || src->token || src->ca_cert ||
		     src->insecure))
		return "--codec, --username, --password, --token, --ca-cert and "
		       "--insecure-skip-verify go with --url";
	return NULL;
}

/* "smolder VERB: <text, arg made safe> (see smolder VERB --help)"; returns 2. */
static int usage_line(const char *verb, const char *before, const char *arg, const char *after)
{
	struct buf b = BUF_INIT;

	if (arg)
		cmd_safe(&b, arg);
	fprintf(stderr, "smolder %s: %s%s%s (see smolder %s --help)\n", verb, before,
		b.data ? b.data : "", after, verb);
	buf_release(&b);
	return 2;
}

int cmd_check_args(const char *verb, const struct cmd_store_src *st, int n, char **args,
		   const char *const *words, int nstore)
{
	const char *why = st->used ? store_conflict(st) : NULL;
	struct buf b = BUF_INIT;
	int want = 0, i;

	if (why)
		return usage_line(verb, why, NULL, "");
	while (words[want])
		want++;
	if (st->used && n > nstore) {  /* a store option beside a SOURCE */
		if (st->db || st->url)
			return usage_line(verb, st->db ? "--db reads the store, not SOURCE '" :
							 "--url reads a server, not SOURCE '",
					  args[nstore], "': give one or the other");
		buf_printf(&b, "%s goes with --db or --url (the store or a server), not with "
			       "SOURCE '", st->used_by);
		usage_line(verb, b.data ? b.data : "", args[nstore], "'");
		buf_release(&b);
		return 2;
	}
	if (st->used)
		want = nstore;
	if (n > want)
		return usage_line(verb, "unexpected argument '", args[want], "'");
	if (n == want)
		return 0;
	for (i = n; i < want; i++)  /* "SOURCE", "REGEX and SOURCE" */
		buf_printf(&b, "%s%s", i == n ? "" : i + 1 == want ? " and " : ", ", words[i]);
	usage_line(verb, b.data ? b.data : "", NULL, want - n > 1 ? " are missing" : " is missing");
	buf_release(&b);
	return 2;
}

int cmd_open_backend(const struct cmd_store_src *src, const struct cmd_env *env,
		     struct backend **out, struct buf *name)
{
	const char *url = src->url ? src->url : src->db ? NULL : env_or(NULL, "PROFILECLI_URL");
	const char *why = store_conflict(src);
	int rc;

	*out = NULL;
	if (why) {
		fprintf(stderr, "smolder: %s\n", why);
		return 2;
	}
	if (url) {
		struct remote_opts o = { 0 };

		o.url = url;
		if (!src->url)
			o.url_from = "PROFILECLI_URL";
		/* credentials on the command line win; else profilecli's variables fill in */
		if (src->username || src->password || src->token) {
			o.username = src->username;
			o.password = src->password;
			o.token = src->token;
		} else {
			/* a refusal names the variable, not an option that was not given */
			o.username = env_or(NULL, "PROFILECLI_USERNAME");
			o.password = env_or(NULL, "PROFILECLI_PASSWORD");
			o.token = env_or(NULL, "PROFILECLI_TOKEN");
			o.username_from = "PROFILECLI_USERNAME";
			o.password_from = "PROFILECLI_PASSWORD";
			o.token_from = "PROFILECLI_TOKEN";
		}
		o.tenant = env_or(src->tenant, "PROFILECLI_TENANT_ID");
		if (!src->tenant)
			o.tenant_from = "PROFILECLI_TENANT_ID";
		o.ca_cert = src->ca_cert;
		o.insecure = src->insecure;
		o.timeout_ms = src->timeout_s * 1000;
		o.progress = !src->quiet && isatty(STDERR_FILENO) ? stderr : NULL;
		if ((src->codec && (rc = remote_codec_parse(src->codec, &o.codec))) ||
		    (rc = remote_backend_open(&o, out)) || (rc = url_redact_buf(url, name))) {
			cmd_errorf("%s", err_last());
			backend_close(*out);
			*out = NULL;
			/* a bad --codec, URL, tenant or credential: the command line's fault */
			return rc == ERR_USAGE ? 2 : 1;
		}
	} else {
		if (cmd_check_tenant(NULL, src->tenant))
			return 2;
		rc = src->db ? buf_puts(name, src->db) : store_default_path(name);
		if (rc || store_backend_open(name->data, src->tenant, out)) {
			cmd_errorf("%s", err_last());
			return 1;
		}
	}
	(*out)->cancel = env->cancel;
	return 0;
}

void cmd_loaded_release(struct cmd_loaded *info)
{
	buf_release(&info->desc);
	buf_release(&info->ptype);
}

int cmd_merge_note(const struct merge_info *mi, int64_t from_ns, int64_t to_ns,
		   const char *side, struct buf *out)
{
	char a[40], b[40];
	int rc;

	time_format_rfc3339(from_ns, a, sizeof(a));
	time_format_rfc3339(to_ns, b, sizeof(b));
	if ((rc = buf_printf(out, "Aggregation%s%s%s: ", side ? " (" : "", side ? side : "",
			     side ? ")" : "")))
		return rc;
	if (mi->remote)
		return buf_printf(out, "as the server merged it, %s to %s%s", a, b,
				  mi->truncated ? " (small subtrees folded into \"other\")" : "");
	if (mi->averaged && mi->nseries > 1)
		return buf_printf(out, "average of %llu profiles in %u series (each averaged over "
				       "time, then added), %s to %s",
				  (unsigned long long)mi->nprofiles, mi->nseries, a, b);
	return buf_printf(out, "%s of %llu profile%s, %s to %s", mi->averaged ? "average" : "sum",
			  (unsigned long long)mi->nprofiles, mi->nprofiles == 1 ? "" : "s", a, b);
}

int cmd_aggregation_note(const struct cmd_loaded *info, struct buf *out)
{
	return cmd_merge_note(&info->info, info->from_ns, info->to_ns, NULL, out);
}

void cmd_put_merge_note(FILE *f, const struct merge_info *mi, int64_t from_ns, int64_t to_ns,
			const char *side)
{
	struct buf note = BUF_INIT;

	if (cmd_merge_note(mi, from_ns, to_ns, side, &note) == 0) {
		cmd_put_safe(f, note.data, note.len, true);
		fputc('\n', f);
	}
	buf_release(&note);
}

/* The profile type: --profile-type, else the only one the selector has in the range. */
static int pick_type(struct backend *be, const struct cmd_store_src *src,
		     const struct selector *sel, struct time_range r, const char *db,
		     struct buf *out)
{
	struct strvec types = STRVEC_INIT;
	struct buf sb = BUF_INIT, list = BUF_INIT;
	char a[40], z[40];
	int64_t first, last;
	size_t i;
	int rc = 1;

	if (src->profile_type)
		return buf_puts(out, src->profile_type) ? 1 : 0;
	if (be->ops->label_values(be, "__profile_type__", sel, r, &types)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	selector_format(sel, &sb);
	if (types.n == 1) {
		rc = buf_puts(out, types.v[0]) ? 1 : 0;
		goto done;
	}
	time_format_rfc3339(r.from_ns, a, sizeof(a));
	time_format_rfc3339(r.to_ns, z, sizeof(z));
	if (types.n == 0) {
		if (store_time_bounds(be, sel, NULL, &first, &last) == 0) {
			char f[40], l[40];

			time_format_rfc3339(first, f, sizeof(f));
			time_format_rfc3339(last, l, sizeof(l));
			cmd_errorf("no profiles match %s between %s and %s in '%s'; it has some from %s "
				   "to %s (pick the range with --from and --to)", sb.data, a, z, db, f, l);
		} else {
			cmd_errorf("no profiles match %s in '%s'", sb.data, db);
		}
		goto done;
	}
	for (i = 0; i < types.n; i++)
		buf_printf(&list, "%s%s", i ? ", " : "", types.v[i]);
	cmd_errorf("%zu profile types match %s between %s and %s; pick one with --profile-type: %s",
		   types.n, sb.data, a, z, list.data);
done:
	strvec_release(&types);
	buf_release(&sb);
	buf_release(&list);
	return rc;
}

/* 2 (a usage error) after the line when s is not a time. */
static int parse_time(const char *opt, const char *s, int64_t now, int64_t *out)
{
	if (timeparse(s, now, out)) {
		cmd_errorf("%s: %s", opt, err_last());
		return 2;
	}
	return 0;
}

/*
 * [--from, --to) read against now (default: the last hour); a bad or empty range is a
 * usage error: 2 after the line.
 */
static int new_range(const struct cmd_store_src *src, int64_t now, struct time_range *out)
{
	if (parse_time("--from", src->from ? src->from : "now-1h", now, &out->from_ns) ||
	    parse_time("--to", src->to ? src->to : "now", now, &out->to_ns))
		return 2;
	if (out->from_ns >= out->to_ns) {
		fprintf(stderr, "smolder: the range is empty: --from must come before --to\n");
		return 2;
	}
	return 0;
}

/*
 * diff's baseline for the new range nr: --base-from/--base-to read against the same now,
 * a missing end the length of nr away from the other, and by default the length of nr
 * just before it.  Derived from nr itself, not from --from read again: a clock read
 * later (after the new side's merge) would move the baseline into the new range.
 */
static int base_range(const struct cmd_store_src *src, int64_t now, struct time_range nr,
		      struct time_range *out)
{
	int64_t len = nr.to_ns - nr.from_ns;

	*out = nr;
	if ((src->base_from && parse_time("--base-from", src->base_from, now, &out->from_ns)) ||
	    (src->base_to && parse_time("--base-to", src->base_to, now, &out->to_ns)))
		return 2;
	if (!src->base_from)
		out->from_ns = (src->base_to ? out->to_ns : nr.from_ns) - len;
	if (!src->base_to)
		out->to_ns = out->from_ns + len;
	if (out->from_ns >= out->to_ns) {
		fprintf(stderr, "smolder: the range is empty: --base-from must come before "
				"--base-to\n");
		return 2;
	}
	return 0;
}

/* cmd_store_open() over a range already resolved. */
static int store_open_range(const struct cmd_store_src *src, struct time_range range,
			    const struct cmd_env *env, struct cmd_store_read *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->query = src->query ? src->query : "{}";
	/* usage errors (cmd_store_opt() checked these values already for the verbs) */
	if (src->aggregate && aggregate_parse(src->aggregate, &out->q.agg)) {
		cmd_errorf("%s", err_last());
		return 2;
	}
	if (selector_parse(out->query, &out->sel)) {
		cmd_errorf("--query: %s", err_last());
		return 2;
	}
	out->q.range = range;
	out->q.selector = out->sel;
	if ((rc = cmd_open_backend(src, env, &out->be, &out->name)) ||
	    (rc = pick_type(out->be, src, out->sel, out->q.range, out->name.data, &out->ptype))) {
		cmd_store_close(out);
		return rc;
	}
	out->q.profile_type = out->ptype.data;
	return 0;
}

/* One load's range against a clock reading of its own: new, or with base the baseline. */
static int one_range(const struct cmd_store_src *src, bool base, struct time_range *out)
{
	int64_t now = time_now_ns();
	struct time_range nr;
	int rc;

	if ((rc = new_range(src, now, &nr)))
		return rc;
	if (!base) {
		*out = nr;
		return 0;
	}
	return base_range(src, now, nr, out);
}

int cmd_store_open(const struct cmd_store_src *src, bool base, const struct cmd_env *env,
		   struct cmd_store_read *out)
{
	struct time_range r;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = one_range(src, base, &r)))
		return rc;
	return store_open_range(src, r, env, out);
}

void cmd_store_close(struct cmd_store_read *r)
{
	backend_close(r->be);
	selector_free(r->sel);
	buf_release(&r->name);
	buf_release(&r->ptype);
	memset(r, 0, sizeof(*r));
}

int cmd_store_selector(const struct cmd_store_read *r, const char *name, const char *value,
		       struct selector **out)
{
	/* parsed again: a selector has no copy, and --query parsed once already */
	if (selector_parse(r->query, out) || selector_add(*out, name, MATCH_EQ, value)) {
		cmd_errorf("%s", err_last());
		selector_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

/*
 * cmd_store_merge(); base: diff's baseline, whose errors say so, and whose "nothing in
 * the range" points at --base-from/--base-to rather than --from/--to.
 */
static int merge_side(struct cmd_store_read *r, const struct selector *sel, struct prof **out,
		      struct merge_info *info, bool base)
{
	struct query q = r->q;
	bool tty;
	int rc;

	if (sel)
		q.selector = sel;
	/* a long range of a big store takes a while: say what is going on (a server's
	   requests draw their own waiting line) */
	tty = isatty(STDERR_FILENO) && !remote_backend_is(r->be);
	if (tty) {
		fputs("\rmerging the profiles of ", stderr);
		cmd_put_safe(stderr, r->name.data, r->name.len, true);
		fputs("... (Ctrl-C aborts)", stderr);
		fflush(stderr);
	}
	rc = r->be->ops->merge(r->be, &q, out, info);
	if (tty)
		fputs("\r\033[K", stderr);
	if (rc) {
		struct buf msg = BUF_INIT;
		int64_t first, last;

		buf_printf(&msg, "%s%s", base ? "the baseline: " : "", err_last());
		if (rc == ERR_NOTFOUND &&
		    store_time_bounds(r->be, q.selector, q.profile_type, &first, &last) == 0) {
			char f[40], l[40];

			time_format_rfc3339(first, f, sizeof(f));
			time_format_rfc3339(last, l, sizeof(l));
			buf_printf(&msg, "; it has some from %s to %s (pick the %s)", f, l,
				   base ? "baseline with --base-from and --base-to" :
					  "range with --from and --to");
		}
		cmd_errorf("%s", msg.data);
		buf_release(&msg);
		return 1;
	}
	return 0;
}

int cmd_store_merge(struct cmd_store_read *r, const struct selector *sel, struct prof **out,
		    struct merge_info *info)
{
	return merge_side(r, sel, out, info, false);
}

/* cmd_load_src() over a range already resolved; base: diff's baseline (merge_side()). */
static int load_range(const struct cmd_store_src *src, struct time_range range, bool base,
		      const struct cmd_env *env, struct prof **out, struct cmd_loaded *info)
{
	struct cmd_store_read r;
	int rc;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	if ((rc = store_open_range(src, range, env, &r)))
		return rc;
	rc = 1;
	if (buf_puts(&info->ptype, r.ptype.data)) {
		cmd_errorf("%s", err_last());
		goto done;
	}
	if (merge_side(&r, NULL, out, &info->info, base))
		goto done;
	info->from_ns = r.q.range.from_ns;
	info->to_ns = r.q.range.to_ns;
	buf_printf(&info->desc, "%s ", r.name.data);
	selector_format(r.sel, &info->desc);
	rc = 0;
done:
	if (rc)
		cmd_loaded_release(info);
	cmd_store_close(&r);
	return rc;
}

int cmd_load_src(const struct cmd_store_src *src, bool base, const struct cmd_env *env,
		 struct prof **out, struct cmd_loaded *info)
{
	struct time_range r;
	int rc;

	*out = NULL;
	memset(info, 0, sizeof(*info));
	if ((rc = one_range(src, base, &r)))
		return rc;
	return load_range(src, r, base, env, out, info);
}

int cmd_load_src_pair(const struct cmd_store_src *src, const struct cmd_env *env,
		      struct prof **out, struct cmd_loaded *info, struct prof **base,
		      struct cmd_loaded *base_info)
{
	struct cmd_store_src bs = *src;
	int64_t now = time_now_ns();
	struct time_range nr, br;
	int rc;

	*out = *base = NULL;
	memset(info, 0, sizeof(*info));
	memset(base_info, 0, sizeof(*base_info));
	/* both ranges before either merge: one clock reading for the command */
	if ((rc = new_range(src, now, &nr)) || (rc = base_range(src, now, nr, &br)) ||
	    (rc = load_range(src, nr, false, env, out, info)))
		return rc;
	bs.profile_type = info->ptype.data;
	if ((rc = load_range(&bs, br, true, env, base, base_info))) {
		prof_free(*out);
		*out = NULL;
		cmd_loaded_release(info);
	}
	return rc;
}

int cmd_load_any(const struct cmd_store_src *st, const char *src, const struct cmd_env *env,
		 const char *sample_index, struct prof **out, int *type, struct cmd_loaded *ld)
{
	int rc;

	if (!st->used)
		return cmd_load(src, env, st, sample_index, out, type);
	if ((rc = cmd_load_src(st, false, env, out, ld)))
		return rc;
	if ((*type = cmd_sample_index(*out, sample_index)) < 0) {
		prof_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}
