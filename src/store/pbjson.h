/*
 * pbjson.h — the two codecs of the Connect protocol for any protobuf-c message:
 * binary protobuf (protobuf-c) and the protobuf JSON mapping (protojson, as connect-go
 * reads and writes it), the latter driven by the message descriptors so that every
 * querier.v1 / types.v1 / pprof message gets it without per-message code.
 *
 * The JSON mapping (spec §3.1):
 *   - keys are lowerCamelCase of the proto name (profile_typeID → profileTypeID,
 *     max_self → maxSelf, ID stays ID); decoding takes the proto name too (both at
 *     once is an error), ignores unknown keys, and takes null as "absent";
 *   - 64-bit integers are written as strings, read from strings or numbers; other
 *     integers are numbers; doubles are numbers ("NaN", "Infinity", "-Infinity" as
 *     strings); enums are written by name, read by name or number (an unknown name is
 *     ignored, as connect-go's DiscardUnknown does); bytes are base64 (written
 *     standard and padded, read standard or URL-safe, padded or not);
 *   - proto3 fields with their default value and empty lists are left out; a proto2
 *     `optional` field is written when it is present, whatever its value;
 *   - a few `bytes` fields are strings upstream (label names and values, pprof's
 *     string table: see pbjson.c) and are written and read as JSON strings;
 *   - strings are written as valid UTF-8 (invalid bytes become U+FFFD) and their
 *     control characters escaped, so any name a profile holds makes valid JSON.
 * Output does not depend on the locale.
 *
 * Untrusted input is bounded: a JSON text with more than PBJSON_MAX_VALUES values is
 * refused before jansson parses it (ERR_TOOBIG), and every decoded message — binary or
 * JSON — is allocated from a struct pb_budget whose limit the caller sets.  Errors are
 * ERR_PARSE (ERR_TOOBIG past the budget) with one line naming the field path
 * ("levels[3].values[7]: expected an integer").
 *
 * Ownership: a decoded message lives in its budget's arena and dies with
 * pb_budget_release(); nothing else needs freeing.  Encoders append to a caller's buf.
 */
#ifndef SMOLDER_PBJSON_H
#define SMOLDER_PBJSON_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/pbbudget.h"
#include "base/text.h"

#define PBJSON_MAX_VALUES ((size_t)1 << 23)

enum pb_codec { PB_PROTO, PB_JSON };

/* Appends msg in the codec's form. */
int pb_encode(const ProtobufCMessage *msg, enum pb_codec codec, struct buf *out);
/* Decodes data[0..len) as a message of type desc; *out lives in bu. */
int pb_decode(const ProtobufCMessageDescriptor *desc, enum pb_codec codec, const uint8_t *data,
	      size_t len, struct pb_budget *bu, ProtobufCMessage **out);

int pbjson_encode(const ProtobufCMessage *msg, struct buf *out);
int pbjson_decode(const ProtobufCMessageDescriptor *desc, const char *data, size_t len,
		  struct pb_budget *bu, ProtobufCMessage **out);

/*
 * Appends s[0..n) as a JSON string (quotes included), repaired and escaped as above: the
 * codec's name for text_json_string(), the one writer /ingest's error bodies use too.
 */
static inline int pbjson_put_string(struct buf *out, const char *s, size_t n)
{
	return text_json_string(out, s, n);
}
/* Appends a double as protojson writes it (locale-independent, shortest exact form). */
int pbjson_put_double(struct buf *out, double v);

#endif
