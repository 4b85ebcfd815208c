/*
 * buf.h — a growable byte buffer, and whole-file reading with a size limit.
 *
 * Invariant: data[len] == '\0' whenever data != NULL, so text can be parsed in place.
 * The buffer owns data; buf_release() frees it.  buf_detach() hands it to the caller.
 */
#ifndef SMOLDER_BUF_H
#define SMOLDER_BUF_H

#include <stddef.h>
#include <stdio.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Ensures room for n more bytes (plus the NUL). */
int buf_grow(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void buf_reset(struct buf *b);

/*
 * Reads all of `path` ("-" is standard input) into b, failing with ERR_TOOBIG past
 * `limit` bytes.  The error message names the file.
 */
int buf_read_file(struct buf *b, const char *path, size_t limit);
int buf_read_stream(struct buf *b, FILE *f, const char *name, size_t limit);

#endif
