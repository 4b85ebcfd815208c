/*
 * text.h — making untrusted strings safe for a terminal (and for JSON), and measuring them.
 *
 * Every string that comes from a profile passes through text_safe() before it is drawn
 * or printed: control characters (C0, DEL, C1) are shown as \xNN escapes, never sent;
 * invisible characters that change how a terminal draws what is around them (bidi
 * controls, zero-width spaces and joiners, BOM, tag characters, the emoji presentation
 * selectors U+FE0E/U+FE0F; see is_invisible() in text.c) as \uNNNN, in ASCII mode too
 * (where other non-ASCII characters become '?'); invalid UTF-8 becomes U+FFFD (or '?'
 * in ASCII mode).  Widths are display cells (wcwidth), never bytes; after text_safe()
 * every terminal draws a string in the cells text_width() counts (an emoji ZWJ sequence
 * would be 2 cells in some, 6 in others).  Strings leaving as JSON are made valid the same
 * way (text_json_string).  All output goes into a caller-owned struct buf.
 */
#ifndef SMOLDER_TEXT_H
#define SMOLDER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * ASCII classes, the same in every locale: isspace(), isalnum() and tolower() follow the
 * one main() sets, and a single-byte locale (Latin-1) takes bytes of UTF-8 sequences for
 * letters and spaces.  Protocols (HTTP, MIME, label names) are defined over ASCII.
 */
static inline bool text_ascii_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool text_ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char text_ascii_lower(unsigned char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* The length (1 to 4) of the valid UTF-8 sequence starting s[0..n), or 0 if it is none. */
size_t text_utf8_len(const char *s, size_t n);
/* Appends the terminal-safe form of s[0..n) to out.  ascii: non-ASCII becomes '?'. */
int text_safe(struct buf *out, const char *s, size_t n, bool ascii);
/*
 * text_safe() one character at a time, for callers that cannot allocate (err.c): writes
 * the safe form of the character at s[0..n) to out (not NUL-terminated), its length to
 * *outlen, and returns how many bytes of s it took (0 only when n is 0).
 */
#define TEXT_SAFE_CHAR_MAX 12
size_t text_safe_char(const char *s, size_t n, bool ascii, char out[TEXT_SAFE_CHAR_MAX],
		      size_t *outlen);
/*
 * Whether the locale's codeset (LC_CTYPE, as main()'s setlocale() set it) is UTF-8.  When
 * it is not, the terminal is not taken to show UTF-8 and wcwidth() knows no character
 * beyond ASCII: what goes to the terminal (the explorer, the CLI's output and messages)
 * is made safe in ascii mode, so text_width() measures what is printed.
 */
bool text_locale_utf8(void);
/* Display width of a valid UTF-8 string (as produced by text_safe). */
int text_width(const char *s, size_t n);
/*
 * Appends s (valid UTF-8) cut to at most maxw cells by removing its middle and putting
 * an ellipsis there ("…", or "~" in ascii mode).  Returns the width appended.
 */
int text_middle_truncate(struct buf *out, const char *s, size_t n, int maxw, bool ascii);
/*
 * Appends a function name fitted into maxw cells: first whole; then without the package
 * path (github.com/x/y/pkg.(*T).M → pkg.(*T).M), then without the package
 * ((*T).M), then without the receiver (M); only then middle-truncated.  The name is made
 * terminal-safe first.  Returns the width appended.
 */
int text_fit_name(struct buf *out, const char *name, size_t len, int maxw, bool ascii);
/* Appends s (valid UTF-8) cut at the end to at most maxw cells, ending in an ellipsis. */
int text_tail_truncate(struct buf *out, const char *s, size_t n, int maxw, bool ascii);
/* Appends s right-aligned in `width` cells (display width, so "µs" lines up). */
int text_pad_left(struct buf *out, const char *s, int width);

/* Returns a pointer to the package part of a Go-style name and its length (for colour). */
size_t text_package(const char *name, const char **pkg);

/*
 * Source code for display: tabs expanded to the next multiple of tabw columns (counting
 * display cells), then made terminal-safe like text_safe().  Appends to out.
 */
void text_code(struct buf *out, const char *s, size_t n, int tabw, bool ascii);

/*
 * Appends s[0..n) as a JSON string, quotes included, that every JSON reader takes: invalid
 * UTF-8 becomes U+FFFD; the quote, the backslash, C0 controls and DEL are escaped (\n, \t,
 * \r, else \u00XX).  s may be NULL when n is 0.  The one JSON string writer (the Connect
 * codec, render answers, /ingest's error bodies), so any name a profile holds makes valid
 * JSON.  Output does not depend on the locale.
 */
int text_json_string(struct buf *out, const char *s, size_t n);

/* The value of a hex digit, or -1. */
int text_hexval(int c);
/*
 * Percent-decodes s[0..n) into out (reset first; never NULL data on success), '+' as a
 * space when plus (Go's url.QueryUnescape); -1 on a bad escape or out of memory.
 */
int text_unescape(const char *s, size_t n, bool plus, struct buf *out);

#endif
