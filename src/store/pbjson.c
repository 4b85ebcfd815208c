/*
 * pbjson.c — protobuf-c messages in binary and in the protobuf JSON mapping (pbjson.h).
 *
 * Both directions walk the message descriptor: fields in number order (as protojson
 * writes them), each field's storage found through its offset (and its quantifier:
 * the element count of a list, the has_ flag of a proto2 optional scalar, the case of
 * a oneof).  Decoding fills a message made by the descriptor's own initialiser, so
 * fields the JSON leaves out keep their defaults.
 */
#include "pbjson.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/jsonbound.h"
#include "base/text.h"

#define MAX_DEPTH 64

/* ---- the budget ---- */

static int budget_fail(const struct pb_budget *b)
{
	if (b->over)
		return err_set(ERR_TOOBIG, "the message needs more than %zu MiB to decode",
			       b->limit >> 20);
	return err_set(ERR_NOMEM, "out of memory");
}

/* ---- fields ---- */

/* `bytes` fields here that are `string` upstream: JSON strings, not base64. */
static bool text_bytes(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f)
{
	static const char *const tab[][2] = {
		{"types.v1.LabelPair", "name"},
		{"types.v1.LabelPair", "value"},
		{"types.v1.ProfileAnnotation", "key"},
		{"types.v1.ProfileAnnotation", "value"},
		{"push.v1.RawSample", "ID"},
		{"perftools.profiles.Profile", "string_table"},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(d->name, tab[i][0]) == 0 && strcmp(f->name, tab[i][1]) == 0)
			return true;
	return false;
}

/* protoc's JSON name: underscores dropped, the letter after one upper-cased. */
static void json_name(const char *name, char *out, size_t n)
{
	size_t k = 0;
	bool up = false;

	for (; *name && k + 1 < n; name++) {
		if (*name == '_') {
			up = true;
			continue;
		}
		out[k++] = up && *name >= 'a' && *name <= 'z' ? (char)(*name - 'a' + 'A') : *name;
		up = false;
	}
	out[k] = '\0';
}

static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

static bool is_scalar(ProtobufCType t)
{
	return t != PROTOBUF_C_TYPE_STRING && t != PROTOBUF_C_TYPE_BYTES &&
	       t != PROTOBUF_C_TYPE_MESSAGE;
}

/* ---- writing ---- */

static int put_base64(struct buf *out, const uint8_t *p, size_t n)
{
	int rc;

	if ((rc = buf_add(out, "\"", 1)) || (rc = base64_encode(out, p, n)))
		return rc;
	return buf_add(out, "\"", 1);
}

int pbjson_put_double(struct buf *out, double v)
{
	char tmp[40], *c;
	const char *dp = localeconv()->decimal_point;

	if (isnan(v))
		return buf_puts(out, "\"NaN\"");
	if (isinf(v))
		return buf_puts(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof(tmp), "%.17g", v);
	/* the locale's decimal point (one byte in every locale glibc ships) becomes '.' */
	if (dp && dp[0] && dp[0] != '.' && (c = strchr(tmp, dp[0])))
		*c = '.';
	return buf_puts(out, tmp);
}

static int put_value(struct buf *out, const ProtobufCMessageDescriptor *md,
		     const ProtobufCFieldDescriptor *f, const void *p, int depth);

static int put_message(struct buf *out, const ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	char name[128];
	unsigned i;
	bool first = true;
	int rc;

	if (depth > MAX_DEPTH)
		return err_set(ERR_TOOBIG, "messages nested too deep");
	if ((rc = buf_add(out, "{", 1)))
		return rc;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m;
		const void *p = base + f->offset;
		size_t n = 1, k, es = elem_size(f->type);
		bool present;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(base + f->quantifier_offset);
			present = n > 0;
			p = *(const void *const *)p;
		} else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			present = *(const uint32_t *)(base + f->quantifier_offset) == f->id;
		} else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
			   (is_scalar(f->type) || f->type == PROTOBUF_C_TYPE_BYTES)) {
			present = *(const protobuf_c_boolean *)(base + f->quantifier_offset);
		} else if (f->type == PROTOBUF_C_TYPE_STRING) {
			const char *s = *(const char *const *)p;

			present = s && (f->label != PROTOBUF_C_LABEL_NONE || *s);
		} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			present = *(const void *const *)p != NULL;
		} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
			present = ((const ProtobufCBinaryData *)p)->len > 0;
		} else {
			static const char zero[8];

			present = f->label == PROTOBUF_C_LABEL_REQUIRED || memcmp(p, zero, es) != 0;
		}
		if (!present)
			continue;
		json_name(f->name, name, sizeof(name));
		if ((rc = buf_printf(out, "%s\"%s\":", first ? "" : ",", name)))
			return rc;
		first = false;
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			if ((rc = put_value(out, d, f, p, depth)))
				return rc;
			continue;
		}
		if ((rc = buf_add(out, "[", 1)))
			return rc;
		for (k = 0; k < n; k++)
			if ((k && (rc = buf_add(out, ",", 1))) ||
			    (rc = put_value(out, d, f, (const char *)p + k * es, depth)))
				return rc;
		if ((rc = buf_add(out, "]", 1)))
			return rc;
	}
	return buf_add(out, "}", 1);
}

static int put_value(struct buf *out, const ProtobufCMessageDescriptor *md,
		     const ProtobufCFieldDescriptor *f, const void *p, int depth)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
		return buf_printf(out, "%d", (int)*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		return buf_printf(out, "%u", (unsigned)*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		return buf_printf(out, "\"%lld\"", (long long)*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		return buf_printf(out, "\"%llu\"", (unsigned long long)*(const uint64_t *)p);
	case PROTOBUF_C_TYPE_FLOAT:
		return pbjson_put_double(out, (double)*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return pbjson_put_double(out, *(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return buf_puts(out, *(const protobuf_c_boolean *)p ? "true" : "false");
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(f->descriptor, v);

		return ev ? buf_printf(out, "\"%s\"", ev->name) : buf_printf(out, "%d", v);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return pbjson_put_string(out, s ? s : "", s ? strlen(s) : 0);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;

		if (text_bytes(md, f))
			return pbjson_put_string(out, (const char *)b->data, b->len);
		return put_base64(out, b->data, b->len);
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(const ProtobufCMessage *const *)p;

		return m ? put_message(out, m, depth + 1) : buf_puts(out, "{}");
	}
	}
	return err_set(ERR_UNSUPPORTED, "field %s: unknown type", f->name);
}

int pbjson_encode(const ProtobufCMessage *msg, struct buf *out)
{
	return put_message(out, msg, 0);
}

/* ---- reading ---- */

struct dec {
	struct pb_budget *bu;
	struct buf path;  /* "levels[3].values" */
	size_t idx;       /* the element of a list of scalars being read, or SIZE_MAX */
};

static int dec_fail(struct dec *d, const char *what)
{
	if (d->idx != SIZE_MAX)
		return err_set(ERR_PARSE, "%s[%zu]: %s", d->path.len ? d->path.data : "the message",
			       d->idx, what);
	return err_set(ERR_PARSE, "%s: %s", d->path.len ? d->path.data : "the message", what);
}

static int dec_base64(struct dec *d, const char *s, size_t n, ProtobufCBinaryData *out)
{
	uint8_t *p = pb_budget_alloc(d->bu, base64_max_decoded(n));
	size_t len;

	if (!p)
		return budget_fail(d->bu);
	if (base64_decode(s, n, false, p, &len))
		return dec_fail(d, "invalid base64");
	out->data = p;
	out->len = len;
	return 0;
}

/* A JSON number or numeric string as an integer in [lo, hi] (unsigned when lo == 0). */
static int dec_int(struct dec *d, json_t *v, long double lo, long double hi, int64_t *out,
		   uint64_t *uout)
{
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		if ((long double)x < lo || (long double)x > hi)
			return dec_fail(d, "integer out of range");
		*out = (int64_t)x;
		*uout = (uint64_t)x;
		return 0;
	}
	if (json_is_real(v)) {
		double x = json_real_value(v);

		if (x != floor(x) || (long double)x < lo || (long double)x > hi)
			return dec_fail(d, "expected an integer");
		if (lo < 0) {
			*out = (int64_t)x;
			*uout = (uint64_t)*out;
		} else {
			*uout = (uint64_t)x;
			*out = (int64_t)*uout;
		}
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), i = 0;
		bool neg = false;
		uint64_t acc = 0;

		if (n && s[0] == '-')
			neg = true, i = 1;
		if (i == n || n > 24)
			return dec_fail(d, "expected an integer");
		for (; i < n; i++) {
			uint64_t digit = (uint64_t)(s[i] - '0');

			if (s[i] < '0' || s[i] > '9')
				return dec_fail(d, "expected an integer");
			/*
			 * Overflow is decided with the digit in hand: protojson writes
			 * uint64 as decimal strings and a kernel mapping's memory_limit is
			 * 18446744073709551615, which a test before the digit refused.
			 */
			if (acc > UINT64_MAX / 10 ||
			    (acc == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
				return dec_fail(d, "integer out of range");
			acc = acc * 10 + digit;
		}
		if (neg) {
			if (acc > (uint64_t)INT64_MAX + 1 || -(long double)acc < lo)
				return dec_fail(d, "integer out of range");
			*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
			*uout = (uint64_t)*out;
			return 0;
		}
		if ((long double)acc > hi)
			return dec_fail(d, "integer out of range");
		*out = (int64_t)acc;
		*uout = acc;
		return 0;
	}
	return dec_fail(d, "expected an integer");
}

static int dec_double(struct dec *d, json_t *v, double *out)
{
	json_error_t e;
	json_t *num;

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return dec_fail(d, "expected a number");
	if (strcmp(json_string_value(v), "NaN") == 0)
		*out = NAN;
	else if (strcmp(json_string_value(v), "Infinity") == 0)
		*out = INFINITY;
	else if (strcmp(json_string_value(v), "-Infinity") == 0)
		*out = -INFINITY;
	else {
		/* a number in a string: jansson parses it without the locale's help */
		num = json_loadb(json_string_value(v), json_string_length(v), JSON_DECODE_ANY, &e);
		if (!json_is_number(num)) {
			json_decref(num);
			return dec_fail(d, "expected a number");
		}
		*out = json_number_value(num);
		json_decref(num);
	}
	return 0;
}

static int dec_message(struct dec *d, const ProtobufCMessageDescriptor *desc, json_t *obj,
		       ProtobufCMessage **out, int depth);

/* One value of field f into storage p. */
static int dec_value(struct dec *d, const ProtobufCMessageDescriptor *md,
		     const ProtobufCFieldDescriptor *f, json_t *v, void *p, int depth)
{
	int64_t i = 0;
	uint64_t u = 0;
	int rc;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
		if ((rc = dec_int(d, v, INT32_MIN, INT32_MAX, &i, &u)))
			return rc;
		*(int32_t *)p = (int32_t)i;
		return 0;
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		if ((rc = dec_int(d, v, 0, UINT32_MAX, &i, &u)))
			return rc;
		*(uint32_t *)p = (uint32_t)u;
		return 0;
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
		if ((rc = dec_int(d, v, (long double)INT64_MIN, (long double)INT64_MAX, &i, &u)))
			return rc;
		*(int64_t *)p = i;
		return 0;
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		if ((rc = dec_int(d, v, 0, (long double)UINT64_MAX, &i, &u)))
			return rc;
		*(uint64_t *)p = u;
		return 0;
	case PROTOBUF_C_TYPE_FLOAT: {
		double x;

		if ((rc = dec_double(d, v, &x)))
			return rc;
		*(float *)p = (float)x;
		return 0;
	}
	case PROTOBUF_C_TYPE_DOUBLE:
		return dec_double(d, v, (double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return dec_fail(d, "expected true or false");
		*(protobuf_c_boolean *)p = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM:
		if (json_is_string(v)) {
			const ProtobufCEnumValue *ev =
				protobuf_c_enum_descriptor_get_value_by_name(f->descriptor,
									     json_string_value(v));

			if (ev) /* an unknown name keeps the default, as DiscardUnknown does */
				*(int *)p = ev->value;
			return 0;
		}
		if ((rc = dec_int(d, v, INT32_MIN, INT32_MAX, &i, &u)))
			return rc;
		*(int *)p = (int)i;
		return 0;
	case PROTOBUF_C_TYPE_STRING: {
		char *s;

		if (!json_is_string(v))
			return dec_fail(d, "expected a string");
		if (!(s = pb_budget_alloc(d->bu, json_string_length(v) + 1)))
			return budget_fail(d->bu);
		memcpy(s, json_string_value(v), json_string_length(v) + 1);
		*(char **)p = s;
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;

		if (!json_is_string(v))
			return dec_fail(d, "expected a string");
		if (!text_bytes(md, f))
			return dec_base64(d, json_string_value(v), json_string_length(v), b);
		b->len = json_string_length(v);
		if (!(b->data = pb_budget_alloc(d->bu, b->len + 1)))
			return budget_fail(d->bu);
		memcpy(b->data, json_string_value(v), b->len + 1);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		return dec_message(d, f->descriptor, v, (ProtobufCMessage **)p, depth + 1);
	}
	return dec_fail(d, "unknown field type");
}

/* The field a key names (JSON or proto name), or NULL. */
static const ProtobufCFieldDescriptor *find_field(const ProtobufCMessageDescriptor *desc,
						  const char *key, unsigned *idx)
{
	char name[128];
	unsigned i;

	for (i = 0; i < desc->n_fields; i++) {
		json_name(desc->fields[i].name, name, sizeof(name));
		if (strcmp(key, name) == 0 || strcmp(key, desc->fields[i].name) == 0) {
			*idx = i;
			return &desc->fields[i];
		}
	}
	return NULL;
}

static int dec_field(struct dec *d, const ProtobufCMessageDescriptor *desc,
		     const ProtobufCFieldDescriptor *f, json_t *v, char *base, int depth)
{
	size_t es = elem_size(f->type), n, k, mark = d->path.len;
	void *p = base + f->offset;
	char *arr;
	int rc;

	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		if ((rc = dec_value(d, desc, f, v, p, depth)))
			return rc;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + f->quantifier_offset) = f->id;
		else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
			 (is_scalar(f->type) || f->type == PROTOBUF_C_TYPE_BYTES))
			*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
		return 0;
	}
	if (!json_is_array(v))
		return dec_fail(d, "expected a list");
	if ((n = json_array_size(v)) == 0)
		return 0;
	if (!(arr = pb_budget_alloc(d->bu, n * es)))
		return budget_fail(d->bu);
	memset(arr, 0, n * es);
	for (k = 0; k < n; k++) {
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if ((rc = buf_printf(&d->path, "[%zu]", k)))
				return rc;
		} else {
			d->idx = k;
		}
		rc = dec_value(d, desc, f, json_array_get(v, k), arr + k * es, depth);
		if (rc)
			return rc;
		d->idx = SIZE_MAX;
		d->path.len = mark;
		if (d->path.data)
			d->path.data[mark] = '\0';
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && !*(void **)(arr + k * es))
			return dec_fail(d, "null in a list");
	}
	*(size_t *)(base + f->quantifier_offset) = n;
	*(void **)p = arr;
	return 0;
}

static int dec_message(struct dec *d, const ProtobufCMessageDescriptor *desc, json_t *obj,
		       ProtobufCMessage **out, int depth)
{
	ProtobufCMessage *m;
	const char *key;
	json_t *v;
	uint8_t *seen;
	int rc;

	*out = NULL;
	if (depth > MAX_DEPTH)
		return dec_fail(d, "nested too deep");
	if (!json_is_object(obj))
		return dec_fail(d, "expected an object");
	if (!(m = pb_budget_alloc(d->bu, desc->sizeof_message)) ||
	    !(seen = pb_budget_alloc(d->bu, desc->n_fields + 1)))
		return budget_fail(d->bu);
	desc->message_init(m);
	memset(seen, 0, desc->n_fields + 1);
	json_object_foreach(obj, key, v) {
		const ProtobufCFieldDescriptor *f;
		size_t mark = d->path.len;
		unsigned idx = 0;

		if (!(f = find_field(desc, key, &idx)) || json_is_null(v))
			continue;
		if ((rc = buf_printf(&d->path, "%s%s", mark ? "." : "", key)))
			return rc;
		if (seen[idx])
			return dec_fail(d, "given twice (JSON and proto names)");
		seen[idx] = 1;
		if ((rc = dec_field(d, desc, f, v, (char *)m, depth)))
			return rc;
		d->path.len = mark;
		d->path.data[mark] = '\0';
	}
	*out = m;
	return 0;
}

int pbjson_decode(const ProtobufCMessageDescriptor *desc, const char *data, size_t len,
		  struct pb_budget *bu, ProtobufCMessage **out)
{
	struct dec d = { bu, BUF_INIT, SIZE_MAX };
	json_error_t e;
	json_t *root;
	int rc;

	*out = NULL;
	if (len == 0)
		return err_set(ERR_PARSE, "empty body (an empty JSON message is {})");
	if (json_count_values(data, len) > PBJSON_MAX_VALUES)
		return err_set(ERR_TOOBIG, "the JSON has more than %zu values", PBJSON_MAX_VALUES);
	if (!(root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &e)))
		return err_set(ERR_PARSE, "invalid JSON at line %d, column %d: %s", e.line,
			       e.column, e.text);
	rc = dec_message(&d, desc, root, out, 0);
	json_decref(root);
	buf_release(&d.path);
	return rc;
}

/* ---- either codec ---- */

int pb_encode(const ProtobufCMessage *msg, enum pb_codec codec, struct buf *out)
{
	size_t n;
	int rc;

	if (codec == PB_JSON)
		return pbjson_encode(msg, out);
	n = protobuf_c_message_get_packed_size(msg);
	if ((rc = buf_grow(out, n)))
		return rc;
	out->len += protobuf_c_message_pack(msg, (uint8_t *)out->data + out->len);
	out->data[out->len] = '\0';
	return 0;
}

int pb_decode(const ProtobufCMessageDescriptor *desc, enum pb_codec codec, const uint8_t *data,
	      size_t len, struct pb_budget *bu, ProtobufCMessage **out)
{
	if (codec == PB_JSON)
		return pbjson_decode(desc, (const char *)data, len, bu, out);
	*out = protobuf_c_message_unpack(desc, &bu->alloc, len, data);
	if (*out)
		return 0;
	if (bu->over)
		return budget_fail(bu);
	return err_set(ERR_PARSE, "not a valid %s protobuf message (%zu bytes)", desc->short_name,
		       len);
}
