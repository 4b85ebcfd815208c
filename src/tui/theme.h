/*
 * theme.h — colour roles and YAML themes.
 *
 * Views never name colours: they draw with roles (header, selection, a flame palette
 * slot, ...).  A theme maps roles to colours; themes are YAML files (themes/NAME.yaml,
 * loaded with libyaml) and a compiled-in default needs no file.  Colours are "#rrggbb",
 * a basic name (black, red, ..., default) or a 0-255 palette index, and are mapped to
 * what the terminal has: direct colour, 256 or 8 colours, or none (NO_COLOR, or the
 * mono theme: attributes only).
 *
 * Ownership: struct theme is a plain value; no heap memory.
 */
#ifndef SMOLDER_THEME_H
#define SMOLDER_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
	ROLE_NORMAL,
	ROLE_HEADER,
	ROLE_TAB,
	ROLE_TAB_ACTIVE,
	ROLE_BREADCRUMB,
	ROLE_STATUS,
	ROLE_HINT,
	ROLE_MESSAGE,
	ROLE_ERROR,
	ROLE_SELECTED,
	ROLE_MATCH,
	ROLE_DIM,
	ROLE_PLUS,
	ROLE_TABLE_HEADER,
	ROLE_OVERLAY,
	ROLE_FLAME_TEXT,
	ROLE_COUNT
};

#define THEME_PALETTE_MAX 16
#define THEME_DIFF_STEPS 4
#define THEME_NONE (-2)      /* colour not set */
#define THEME_DEFAULT (-1)   /* the terminal's default colour */

struct theme_style {
	int32_t fg, bg;  /* 0x1000000 | rgb, a palette index 0-255, THEME_DEFAULT or THEME_NONE */
	unsigned attrs;  /* THEME_BOLD | THEME_REVERSE | THEME_DIM | THEME_UNDERLINE */
};

#define THEME_BOLD 1u
#define THEME_REVERSE 2u
#define THEME_DIM 4u
#define THEME_UNDERLINE 8u
#define THEME_RGB(r, g, b) (0x1000000 | ((r) << 16) | ((g) << 8) | (b))

struct theme {
	char name[64];
	struct theme_style roles[ROLE_COUNT];
	int32_t palette[THEME_PALETTE_MAX];  /* flame frame backgrounds, by package hash */
	int npalette;
	/* diff scale, weakest to strongest change: more (red), less (green), and the
	 * colour-blind "less" (blue) used when color_blind is set */
	int32_t diff_more[THEME_DIFF_STEPS], diff_less[THEME_DIFF_STEPS];
	int32_t diff_less_cb[THEME_DIFF_STEPS];
	int32_t diff_neutral;
	bool color_blind;
	bool mono;  /* no colours at all */
};

const char *theme_role_name(enum role r);
void theme_default(struct theme *t);
/* Loads NAME (searched in the theme directories) or a path ending in .yaml. */
int theme_load(struct theme *t, const char *name_or_path);
/* Parses YAML text on top of the current values (file names errors as `origin`). */
int theme_parse(struct theme *t, const char *yaml, size_t len, const char *origin);

#endif
