/*
 * url.h — the one URL redactor: what every message, trace, pane and cache directory
 * name shows of a URL that may carry credentials.
 *
 * A URL is shown as scheme://host[:port]/path: the user information (up to the LAST
 * '@' before the path, so "bob:p@ss@host" loses "bob:p@ss"), the query and the fragment
 * are dropped (a query is where tokens travel: "?token=..." or "?private_token=..."; its
 * values cannot be told from its names, so all of it goes).  A password holding an
 * unencoded '/', '?' or '#' ends the authority early ("http://bob:se/cret@host" reads as
 * host "bob", port "se"): such a URL does not parse (libcurl's parser decides), and all
 * up to its last '@' is taken for user information.  A password of digits then '/'
 * does parse, as a port and a path ("http://bob:2024/S3cret@host"): a ':' in an authority
 * without '@' and an '@' after it before the query are taken for that, and all up to that
 * last '@' goes ("http://host:8080/a@b" is shown as "http://b").  A URL without a scheme
 * ("user:pw@host:4040/p", "git@github.com:o/r.git") loses the same parts; a local path
 * (starting with '/', '.' or '~': "/srv/repo@2", "./a?b") is shown whole.
 *
 * Ownership: url_redact() returns a string the caller frees (NULL: out of memory);
 * url_redact_buf() and url_redact_text() append to a caller-owned struct buf and return 0
 * or ERR_NOMEM.  Nothing is kept between calls.
 */
#ifndef SMOLDER_URL_H
#define SMOLDER_URL_H

#include "buf.h"

/* Appends url without user information, query and fragment to out. */
int url_redact_buf(const char *url, struct buf *out);
/* The same as a new string (free()), or NULL when out of memory. */
char *url_redact(const char *url);
/*
 * Appends text (a library's message about url, which may quote it whole or in part) to
 * out with every occurrence of url replaced by its redaction, and, in the text between
 * those occurrences, every occurrence of url's password, of its user information when it
 * holds a password, and of its query by "***" (those of three characters or more: shorter
 * ones would take letters out of every word).  A user name without a password ("git" in
 * git@host) is left alone unless it is long enough to be a token (20 characters or more).
 */
int url_redact_text(const char *text, const char *url, struct buf *out);

#endif
