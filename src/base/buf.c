/* buf.c — growable bytes and bounded file reading (see buf.h). */
#include "buf.h"
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int buf_grow(struct buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		return err_set(ERR_NOMEM, "buffer size overflow");
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	/* double, or jump straight to what is asked: never more than twice the need */
	cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	if (cap < 256)
		cap = 256;
	if (cap < want)
		cap = want;
	p = realloc(b->data, cap);
	if (!p)
		return err_set(ERR_NOMEM, "out of memory (%zu bytes)", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	int rc = buf_grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err_set(ERR_PARSE, "bad format");
	if ((rc = buf_grow(b, (size_t)n)))
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_read_stream(struct buf *b, FILE *f, const char *name, size_t limit)
{
	size_t n;
	int rc;

	for (;;) {
		if ((rc = buf_grow(b, 64 * 1024)))
			return rc;
		n = fread(b->data + b->len, 1, b->cap - b->len - 1, f);
		b->len += n;
		b->data[b->len] = '\0';
		if (b->len > limit)
			return err_set(ERR_TOOBIG, "'%s': larger than the %zu MiB input limit", name,
				       limit >> 20);
		if (n == 0) {
			if (ferror(f))
				return err_set(ERR_IO, "cannot read '%s': %s", name, strerror(errno));
			return 0;
		}
	}
}

int buf_read_file(struct buf *b, const char *path, size_t limit)
{
	struct stat st;
	FILE *f;
	int rc;

	if (strcmp(path, "-") == 0)
		return buf_read_stream(b, stdin, "<stdin>", limit);
	f = fopen(path, "rb");
	if (!f)
		return err_set(errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "cannot open '%s': %s", path,
			       strerror(errno));
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fclose(f);
			return err_set(ERR_IO, "cannot read '%s': is a directory", path);
		}
		if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size > limit) {
				fclose(f);
				return err_set(ERR_TOOBIG, "'%s': larger than the %zu MiB input limit",
					       path, limit >> 20);
			}
			if ((rc = buf_grow(b, (size_t)st.st_size + 1))) {
				fclose(f);
				return rc;
			}
		}
	}
	rc = buf_read_stream(b, f, path, limit);
	fclose(f);
	return rc;
}
