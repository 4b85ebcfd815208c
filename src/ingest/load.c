/* load.c — profile sources: files, standard input, URLs (see load.h). */
#include "load.h"

#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "decode.h"
#include "base/url.h"

bool load_is_url(const char *src)
{
	return strncasecmp(src, "http://", 7) == 0 || strncasecmp(src, "https://", 8) == 0;
}

int load_url_seconds(const char *url, long seconds, struct buf *out)
{
	size_t q = strcspn(url, "?#");
	const char *p = url + q, *end = p + strcspn(p, "#");
	bool set = false;

	buf_reset(out);
	if (buf_add(out, url, q))
		return err_set(ERR_NOMEM, "out of memory");
	/* p is at the '?' or '&' before each parameter; empty ones go, as Go's Encode drops them */
	while (p < end) {
		const char *s = p + 1;
		size_t n = strcspn(s, "&#"), k = strcspn(s, "=&#");
		bool sec = k == 7 && strncmp(s, "seconds", 7) == 0;
		int rc = 0;

		p = s + n;
		if (n == 0 || (sec && set))
			continue;
		if (sec) {
			rc = buf_printf(out, "%cseconds=%ld", out->len == q ? '?' : '&', seconds);
			set = true;
		} else {
			rc = buf_printf(out, "%c%.*s", out->len == q ? '?' : '&', (int)n, s);
		}
		if (rc)
			return err_set(ERR_NOMEM, "out of memory");
	}
	if ((!set && buf_printf(out, "%cseconds=%ld", out->len == q ? '?' : '&', seconds)) ||
	    buf_puts(out, end))
		return err_set(ERR_NOMEM, "out of memory");
	return 0;
}

static int load_any(const char *src, const struct load_opts *o, bool empty_ok, struct prof **out)
{
	struct buf b = BUF_INIT, shown = BUF_INIT;
	int rc;

	*out = NULL;
	if (load_is_url(src)) {
		/* messages name the URL without its user information */
		rc = fetch_url(src, o, DECODE_MAX_INPUT, &b);
		if (rc == 0 && url_redact_buf(src, &shown))
			rc = err_set(ERR_NOMEM, "out of memory");
	} else {
		rc = buf_read_file(&b, src, DECODE_MAX_INPUT);
	}
	if (rc == 0) {
		const char *name = strcmp(src, "-") == 0 ? "<stdin>" : shown.data ? shown.data : src;

		rc = (empty_ok ? decode_profile_empty_ok : decode_profile)(
			(const uint8_t *)b.data, b.len, name, out);
	}
	buf_release(&b);
	buf_release(&shown);
	return rc;
}

int load_profile(const char *src, const struct load_opts *o, struct prof **out)
{
	return load_any(src, o, false, out);
}

int load_profile_empty_ok(const char *src, const struct load_opts *o, struct prof **out)
{
	return load_any(src, o, true, out);
}
