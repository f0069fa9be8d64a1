/* json.c - a small, strict JSON reader (see json.h).
 *
 * Each function reads one piece of JSON at j->pos and moves past it, or records
 * the first error (with the byte it happened at) in j->error and returns -1.
 * Strings are decoded in place: an escape like \u00e9 is never shorter in the
 * text than the UTF-8 it stands for, so the decoded bytes fit where the text was. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int json_fail(Json *j, const char *what)
{
    if (!j->error[0])
        snprintf(j->error, sizeof j->error, "%s at byte %zu", what, j->pos);
    return -1;
}

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void json_skip_space(Json *j)
{
    while (j->pos < j->len && is_json_space(j->s[j->pos]))
        j->pos++;
}

/* The next non-space character, without consuming it; -1 at the end. */
int json_peek(Json *j)
{
    json_skip_space(j);
    return j->pos < j->len ? (unsigned char)j->s[j->pos] : -1;
}

int json_expect(Json *j, char c)
{
    if (json_peek(j) != (unsigned char)c) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", c);
        return json_fail(j, what);
    }
    j->pos++;
    return 0;
}

static int json_hex4(Json *j, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++, j->pos++) {
        if (j->pos >= j->len)
            return json_fail(j, "unterminated \\u escape");
        char c = j->s[j->pos];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return json_fail(j, "bad hex digit in a \\u escape");
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 0;
}

/* After "\u": one code point (two escapes for a surrogate pair), written as UTF-8. */
static int json_unicode(Json *j, char **dst)
{
    unsigned cp, low;
    if (json_hex4(j, &cp) != 0)
        return -1;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return json_fail(j, "lone low surrogate in a \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (j->pos + 2 > j->len || j->s[j->pos] != '\\' || j->s[j->pos + 1] != 'u')
            return json_fail(j, "high surrogate without its low half");
        j->pos += 2;
        if (json_hex4(j, &low) != 0)
            return -1;
        if (low < 0xDC00 || low > 0xDFFF)
            return json_fail(j, "bad low surrogate in a \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0)
        return json_fail(j, "\\u0000 in a string");
    char *d = *dst;
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | cp >> 6);
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | cp >> 12);
        *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | cp >> 18);
        *d++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    *dst = d;
    return 0;
}

/* A string; *out points at its decoded, NUL-terminated bytes inside j->s. */
int json_string(Json *j, char **out)
{
    if (json_expect(j, '"') != 0)
        return -1;
    char *dst = j->s + j->pos;
    *out = dst;
    for (;;) {
        if (j->pos >= j->len)
            return json_fail(j, "unterminated string");
        unsigned char c = (unsigned char)j->s[j->pos++];
        if (c == '"')
            break;
        if (c < 0x20)
            return json_fail(j, "control character in a string");
        if (c != '\\') {
            *dst++ = (char)c;
            continue;
        }
        if (j->pos >= j->len)
            return json_fail(j, "unterminated string");
        char e = j->s[j->pos++];
        switch (e) {
        case '"': case '\\': case '/': *dst++ = e; break;
        case 'b': *dst++ = '\b'; break;
        case 'f': *dst++ = '\f'; break;
        case 'n': *dst++ = '\n'; break;
        case 'r': *dst++ = '\r'; break;
        case 't': *dst++ = '\t'; break;
        case 'u':
            if (json_unicode(j, &dst) != 0)
                return -1;
            break;
        default:
            j->pos--;
            return json_fail(j, "bad escape in a string");
        }
    }
    *dst = '\0';   /* at or before the closing quote, which has been read */
    return 0;
}

/* A non-negative integer: digits only, no sign, fraction, exponent or leading zero. */
int json_uint(Json *j, uint64_t *out)
{
    int c = json_peek(j);
    if (c < '0' || c > '9')
        return json_fail(j, "expected a non-negative integer");
    if (c == '0' && j->pos + 1 < j->len && j->s[j->pos + 1] >= '0' && j->s[j->pos + 1] <= '9')
        return json_fail(j, "number with a leading zero");
    uint64_t v = 0;
    while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9') {
        unsigned d = (unsigned)(j->s[j->pos] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return json_fail(j, "number too large");
        v = v * 10 + d;
        j->pos++;
    }
    char next = j->pos < j->len ? j->s[j->pos] : ' ';
    if (next == '.' || next == 'e' || next == 'E')
        return json_fail(j, "expected an integer");
    *out = v;
    return 0;
}

static int json_digits(Json *j)   /* one or more digits; how many */
{
    size_t start = j->pos;
    while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
        j->pos++;
    return (int)(j->pos - start);
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? checked first, then strtod on a copy
 * (the text is not NUL-terminated after the number). */
int json_number(Json *j, double *out)
{
    json_skip_space(j);
    size_t start = j->pos;
    if (j->pos < j->len && j->s[j->pos] == '-')
        j->pos++;
    if (j->pos >= j->len || j->s[j->pos] < '0' || j->s[j->pos] > '9') {
        j->pos = start;
        return json_fail(j, "expected a number");
    }
    int lead_zero = j->s[j->pos] == '0';
    if (json_digits(j) > 1 && lead_zero)
        return json_fail(j, "number with a leading zero");
    if (j->pos < j->len && j->s[j->pos] == '.') {
        j->pos++;
        if (json_digits(j) == 0)
            return json_fail(j, "expected digits after '.'");
    }
    if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
            j->pos++;
        if (json_digits(j) == 0)
            return json_fail(j, "expected digits in an exponent");
    }
    char copy[64];
    size_t n = j->pos - start;
    if (n >= sizeof copy) {
        j->pos = start;
        return json_fail(j, "number too long");
    }
    memcpy(copy, j->s + start, n);
    copy[n] = '\0';
    double v = strtod(copy, NULL);
    if (!isfinite(v)) {
        j->pos = start;
        return json_fail(j, "number too large");
    }
    *out = v;
    return 0;
}

/* [a, b, ...] of at most max integers. */
int json_uint_array(Json *j, uint64_t *out, int max, int *count)
{
    if (json_expect(j, '[') != 0)
        return -1;
    *count = 0;
    if (json_peek(j) == ']') {
        j->pos++;
        return 0;
    }
    for (;;) {
        if (*count == max) {
            char what[48];
            snprintf(what, sizeof what, "more than %d numbers in an array", max);
            return json_fail(j, what);
        }
        if (json_uint(j, &out[*count]) != 0)
            return -1;
        (*count)++;
        int c = json_peek(j);
        j->pos++;
        if (c == ']')
            return 0;
        if (c != ',') {
            j->pos--;
            return json_fail(j, "expected ',' or ']'");
        }
    }
}

/* After a member: 1 if a ',' follows (more members), 0 at the closing '}', -1 otherwise. */
int json_next_member(Json *j)
{
    int c = json_peek(j);
    if (c == ',' || c == '}') {
        j->pos++;
        return c == ',';
    }
    return json_fail(j, "expected ',' or '}'");
}

int json_valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || (size_t)extra >= n - i)   /* a bad lead byte, or cut off at the end */
            return 0;
        uint32_t cp = extra == 0 ? c : c & (0x3Fu >> extra);
        for (int k = 1; k <= extra; k++) {
            if ((s[i + (size_t)k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + (size_t)k] & 0x3Fu);
        }
        static const uint32_t smallest[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += (size_t)extra + 1;
    }
    return 1;
}
