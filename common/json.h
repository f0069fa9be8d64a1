/* json.h - a small, strict JSON reader: just what a safetensors header needs.
 *
 * A reader walks the text piece by piece: the caller knows the shape it
 * expects (model.c expects an object of objects) and asks for each piece in
 * turn: a '{', a string, a ':', an array of whole numbers, a ',' or a '}'.
 * There is no tree and no general nesting, so there is no depth to limit:
 * anything the caller did not ask for is a syntax error.
 *
 * It is strict where JSON is: the text must be valid UTF-8, strings may not
 * hold raw control characters or bad escapes, numbers are plain digits with no
 * leading zero. Every function returns 0 on success and -1 on failure, with the
 * first error kept in j->error ("expected ':' at byte 12"). */
#ifndef DL_JSON_H
#define DL_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *s;            /* the text; strings are decoded into it, in place */
    size_t len, pos;    /* its length, and where reading has got to */
    char error[160];    /* the first error, with the byte it happened at */
} Json;

/* 1 if s[0..n) is valid UTF-8 (no stray continuation bytes, overlong forms,
 * surrogates or code points past U+10FFFF), else 0. Check this first: JSON
 * text must be UTF-8. */
int json_valid_utf8(const unsigned char *s, size_t n);

/* Record "<what> at byte <pos>" as the error (if none is recorded yet); returns -1. */
int json_fail(Json *j, const char *what);

void json_skip_space(Json *j);
/* The next non-space character, without consuming it; -1 at the end. */
int json_peek(Json *j);
/* The character c, after any spaces. */
int json_expect(Json *j, char c);
/* A string; *out points at its decoded, NUL-terminated bytes inside j->s. */
int json_string(Json *j, char **out);
/* A non-negative integer that fits in 64 bits. */
int json_uint(Json *j, uint64_t *out);
/* Any JSON number (-12, 0.5, 1e-3), as a double; one that overflows a double is
 * an error. */
int json_number(Json *j, double *out);
/* [n, n, ...] of at most max non-negative integers, stored in out[0..*count). */
int json_uint_array(Json *j, uint64_t *out, int max, int *count);
/* After an object's member: 1 if a ',' follows (more members), 0 at the closing '}'. */
int json_next_member(Json *j);

#endif
