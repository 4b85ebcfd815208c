/* jsonbound.c — counting JSON values without parsing (jsonbound.h). */
#include "jsonbound.h"

#include <stdbool.h>

size_t json_count_values(const char *s, size_t n)
{
	size_t i, count = 1;
	bool in_str = false;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ',' || c == ':' || c == '[' || c == '{') {
			count++;
		}
	}
	return count;
}
