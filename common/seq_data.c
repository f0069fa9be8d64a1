/* seq_data.c - character tables, padded pairs, and the addition and date generators. */
#include "seq_data.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "time_layers.h"
#include "util.h"

/* ---- characters ------------------------------------------------------------------------ */

void char_table_init(CharTable *t, const char *s)
{
    int seen[128] = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 128)
            die("CharTable: byte 0x%02x is not 7-bit ASCII", *p);
        seen[*p] = 1;
    }
    t->size = 0;
    for (int c = 0; c < 128; c++) {
        t->id[c] = seen[c] ? t->size : -1;
        if (seen[c])
            t->chars[t->size++] = (char)c;
    }
}

int char_table_id(const CharTable *t, int c)
{
    return c > 0 && c < 128 ? t->id[c] : -1;
}

const char *char_table_string(const CharTable *t, char *buf, int size)
{
    int n = t->size < size - 1 ? t->size : size - 1;
    memcpy(buf, t->chars, (size_t)n);
    buf[n] = '\0';
    return buf;
}

/* ---- pairs -------------------------------------------------------------------------------- */

void text_pairs_alloc(TextPairs *p, int capacity, int qw, int aw)
{
    memset(p, 0, sizeof *p);
    p->qw = qw, p->aw = aw;
    p->stride_q = qw + 1, p->stride_a = aw + 1;
    p->q = xcalloc((size_t)capacity * p->stride_q + 1, 1);
    p->a = xcalloc((size_t)capacity * p->stride_a + 1, 1);
}

void text_pairs_add(TextPairs *p, const char *q, const char *a)
{
    if ((int)strlen(q) > p->qw || (int)strlen(a) > p->aw)
        die("TextPairs: '%s' -> '%s' is longer than %d -> %d characters", q, a, p->qw, p->aw);
    strcpy(p->q + (size_t)p->count * p->stride_q, q);
    strcpy(p->a + (size_t)p->count * p->stride_a, a);
    p->count++;
}

void text_pairs_free(TextPairs *p)
{
    free(p->q);
    free(p->a);
    memset(p, 0, sizeof *p);
}

void text_pairs_split(const TextPairs *all, int held, TextPairs *train, TextPairs *test)
{
    if (held < 0 || held > all->count)
        die("TextPairs: cannot hold out %d of %d pairs", held, all->count);
    int n = all->count - held;
    text_pairs_alloc(train, n, all->qw, all->aw);
    text_pairs_alloc(test, held, all->qw, all->aw);
    for (int i = 0; i < all->count; i++)
        text_pairs_add(i < n ? train : test, pair_question(all, i), pair_answer(all, i));
}

/* A set of strings, to keep questions unique: open addressing on FNV-1a. */
typedef struct {
    const char **slot;
    size_t mask;
} StringSet;

static void string_set_init(StringSet *s, int count)
{
    size_t cap = 16;
    while (cap < (size_t)count * 2)
        cap *= 2;
    s->slot = xcalloc(cap, sizeof *s->slot);
    s->mask = cap - 1;
}

/* 1 if str was added, 0 if it was there already. str must outlive the set. */
static int string_set_add(StringSet *s, const char *str)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
        if (!s->slot[i]) {
            s->slot[i] = str;
            return 1;
        }
        if (strcmp(s->slot[i], str) == 0)
            return 0;
    }
}

/* Add (q, a) if q is new; returns 1 if added. */
static int add_unique(TextPairs *p, StringSet *seen, const char *q, const char *a)
{
    text_pairs_add(p, q, a);
    if (string_set_add(seen, pair_question(p, p->count - 1)))
        return 1;
    p->count--;         /* seen before: take it back */
    return 0;
}

/* ---- addition ------------------------------------------------------------------------------- */

static int random_number(Rng *rng)
{
    static const int lo[3] = {0, 10, 100}, span[3] = {10, 90, 900};
    int digits = rng_int(rng, 3);
    return lo[digits] + rng_int(rng, span[digits]);
}

void addition_pairs(TextPairs *p, int count, uint64_t seed)
{
    if (count < 1 || count > 1000000)
        die("addition: %d problems asked, 1 to 1,000,000 possible", count);
    Rng rng;
    rng_seed(&rng, seed);
    text_pairs_alloc(p, count, ADDITION_QW, ADDITION_AW);
    StringSet seen;
    string_set_init(&seen, count);
    while (p->count < count) {
        int a = random_number(&rng), b = random_number(&rng);
        char q[16], s[16];
        snprintf(q, sizeof q, "%d+%d", a, b);
        snprintf(s, sizeof s, "%d", a + b);
        add_unique(p, &seen, q, s);
    }
    free(seen.slot);
}

/* ---- dates -------------------------------------------------------------------------------- */

static const char *const month_names[12] = {"january", "february", "march", "april", "may", "june", "july",
                                            "august", "september", "october", "november", "december"};
static const char *const day_names[7] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                         "saturday"};

/* Year, month (1-12) and day of days since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "september" as "september", "September", "SEPTEMBER", or its first 3 letters so. */
enum { LOWER, TITLE, UPPER };
static void word(char *out, const char *w, int letters, int style)
{
    int n = 0;
    for (; w[n] && n < letters; n++)
        out[n] = style == UPPER || (style == TITLE && n == 0) ? (char)toupper((unsigned char)w[n]) : w[n];
    out[n] = '\0';
}

static const char *ordinal(int d)
{
    if (d >= 11 && d <= 13)
        return "th";
    return d % 10 == 1 ? "st" : d % 10 == 2 ? "nd" : d % 10 == 3 ? "rd" : "th";
}

/* The formats, by example for Tuesday 27 September 1994. */
static const char *const date_formats[] = {
    "september 27, 1994", "September 27, 1994", "SEPTEMBER 27, 1994", "27 september 1994",
    "27 SEP 1994", "27 sep 94", "27 Sep 1994", "Sep 27, 1994",
    "sep 27, 94", "9/27/94", "9/27/1994", "09/27/1994",
    "27.09.1994", "27.9.94", "Tuesday, September 27, 1994", "tuesday, september 27, 1994",
    "Tue, 27 Sep 1994", "TUESDAY, SEPTEMBER 27, 1994", "the 27th of september, 1994", "1994/09/27",
};
#define DATE_FORMATS ((int)(sizeof date_formats / sizeof date_formats[0]))

int date_format_count(void)
{
    return DATE_FORMATS;
}

void date_iso(char *buf, long days)
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, DATE_AW + 1, "%04d-%02d-%02d", y, m, d);
}

void date_format(char *buf, int f, long days)
{
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int wd = (int)(((days % 7) + 7 + 4) % 7);       /* 1970-01-01 was a Thursday */
    char mon[16], mon3[8], day[16], day3[8];
    char tmp[128];
    const int yy = y % 100;
    int style = f == 1 || f == 6 || f == 7 || f == 14 || f == 16 ? TITLE : f == 2 || f == 4 || f == 17 ? UPPER : LOWER;
    word(mon, month_names[m - 1], 99, style);
    word(mon3, month_names[m - 1], 3, style);
    word(day, day_names[wd], 99, style);
    word(day3, day_names[wd], 3, style);
    switch (f) {
    case 0: case 1: case 2: snprintf(tmp, sizeof tmp, "%s %d, %d", mon, d, y); break;
    case 3: snprintf(tmp, sizeof tmp, "%d %s %d", d, mon, y); break;
    case 4: case 6: snprintf(tmp, sizeof tmp, "%d %s %d", d, mon3, y); break;
    case 5: snprintf(tmp, sizeof tmp, "%d %s %02d", d, mon3, yy); break;
    case 7: snprintf(tmp, sizeof tmp, "%s %d, %d", mon3, d, y); break;
    case 8: snprintf(tmp, sizeof tmp, "%s %d, %02d", mon3, d, yy); break;
    case 9: snprintf(tmp, sizeof tmp, "%d/%d/%02d", m, d, yy); break;
    case 10: snprintf(tmp, sizeof tmp, "%d/%d/%d", m, d, y); break;
    case 11: snprintf(tmp, sizeof tmp, "%02d/%02d/%d", m, d, y); break;
    case 12: snprintf(tmp, sizeof tmp, "%02d.%02d.%d", d, m, y); break;
    case 13: snprintf(tmp, sizeof tmp, "%d.%d.%02d", d, m, yy); break;
    case 14: case 15: case 17: snprintf(tmp, sizeof tmp, "%s, %s %d, %d", day, mon, d, y); break;
    case 16: snprintf(tmp, sizeof tmp, "%s, %d %s %d", day3, d, mon3, y); break;
    case 18: snprintf(tmp, sizeof tmp, "the %d%s of %s, %d", d, ordinal(d), mon, y); break;
    case 19: snprintf(tmp, sizeof tmp, "%d/%02d/%02d", y, m, d); break;
    default: die("date_format: no format %d (0 to %d)", f, DATE_FORMATS - 1);
    }
    if ((int)strlen(tmp) > DATE_QW)
        die("date_format: '%s' is longer than %d characters", tmp, DATE_QW);
    strcpy(buf, tmp);
}

void date_pairs(TextPairs *p, int count, uint64_t seed)
{
    if (count < 1 || count > 500000)
        die("dates: %d pairs asked, 1 to 500,000 possible", count);
    Rng rng;
    rng_seed(&rng, seed);
    const long first = days_from_civil(1950, 1, 1), span = days_from_civil(2049, 12, 31) - first + 1;
    text_pairs_alloc(p, count, DATE_QW, DATE_AW);
    StringSet seen;
    string_set_init(&seen, count);
    while (p->count < count) {
        long days = first + rng_int(&rng, (int)span);
        char q[DATE_QW + 1], a[DATE_AW + 1];
        date_format(q, rng_int(&rng, DATE_FORMATS), days);
        date_iso(a, days);
        add_unique(p, &seen, q, a);
    }
    free(seen.slot);
}

/* ---- speeches ---------------------------------------------------------------------------------- */

typedef struct {
    char name[64];
    char *text;             /* the speech on one line */
} Speech;

/* s with runs of spaces made one, trimmed */
static void squeeze(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++)
        if (*r != ' ' || (w > s && w[-1] != ' '))
            *w++ = *r;
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

/* the last (from_end) or first n characters of s, cut at a space when s is longer */
static void clip_words(char *out, const char *s, int n, int from_end)
{
    int len = (int)strlen(s);
    if (len <= n) {
        strcpy(out, s);
        return;
    }
    if (from_end) {
        const char *p = s + len - n;
        const char *sp = strchr(p, ' ');
        if (sp && sp[1] && p[-1] != ' ')
            p = sp + 1;             /* start at a whole word */
        strcpy(out, p);
    } else {
        int k = n;
        while (k > 0 && s[k] != ' ')
            k--;
        if (k == 0)
            k = n;                  /* one long word: cut it */
        memcpy(out, s, (size_t)k);
        out[k] = '\0';
    }
}

int speech_pairs(TextPairs *p, const char *text, int qw, int aw, const char *drop)
{
    size_t len = strlen(text);
    char *copy = xmalloc(len + 2);
    memcpy(copy, text, len + 1);
    int cap = 16, n = 0;
    Speech *sp = xmalloc((size_t)cap * sizeof *sp);
    /* blocks apart by blank lines; a block whose first line ends in ':' is a speech */
    for (char *block = copy; block && *block;) {
        char *end = strstr(block, "\n\n");
        if (end)
            *end = '\0';
        char *nl = strchr(block, '\n');
        size_t first = nl ? (size_t)(nl - block) : strlen(block);
        if (nl && first > 1 && first < sizeof sp[0].name && block[first - 1] == ':') {
            if (n == cap)
                sp = realloc(sp, (size_t)(cap *= 2) * sizeof *sp);
            if (!sp)
                die("out of memory");
            memcpy(sp[n].name, block, first - 1);
            sp[n].name[first - 1] = '\0';
            sp[n].text = nl + 1;
            for (char *c = sp[n].text; *c; c++) {
                unsigned char u = (unsigned char)*c;
                if (u < 32 || u >= 127 || (drop && strchr(drop, *c)))
                    *c = ' ';
            }
            squeeze(sp[n].text);
            if (sp[n].text[0])
                n++;
        }
        block = end ? end + 2 : NULL;
        while (block && *block == '\n')
            block++;
    }
    text_pairs_alloc(p, n > 0 ? n : 1, qw, aw);
    char *q = xmalloc((size_t)qw + 1), *a = xmalloc((size_t)aw + 1);
    for (int i = 0; i + 1 < n; i++) {
        if (strcmp(sp[i].name, sp[i + 1].name) == 0)
            continue;               /* the same speaker again: not a reply */
        clip_words(q, sp[i].text, qw, 1);
        clip_words(a, sp[i + 1].text, aw, 0);
        if (q[0] && a[0])
            text_pairs_add(p, q, a);
    }
    free(q), free(a), free(sp), free(copy);
    return p->count;
}

/* ---- padded ids ----------------------------------------------------------------------------- */

int seq_encode_question(int *xs, const char *q, const CharTable *t, const SeqFormat *f, int Tx, char *err,
                        int err_size)
{
    int n = (int)strlen(q);
    if (n > Tx) {
        snprintf(err, err_size, "'%s' has %d characters, at most %d fit", q, n, Tx);
        return -1;
    }
    for (int i = 0; i < Tx; i++) {
        int c = i < n ? (unsigned char)q[i] : f->pad;
        int id = char_table_id(t, c);
        if (id < 0) {
            if (c >= 32 && c < 127)
                snprintf(err, err_size, "'%s': the character '%c' is not one the model knows", q, c);
            else
                snprintf(err, err_size, "'%s': byte 0x%02x is not a character the model knows", q, c);
            return -1;
        }
        xs[f->reverse ? Tx - 1 - i : i] = id;
    }
    return 0;
}

int seq_set_encode(SeqSet *s, const TextPairs *p, const CharTable *t, const SeqFormat *f, int Tx, int Ty,
                   char *err, int err_size)
{
    memset(s, 0, sizeof *s);
    s->count = p->count, s->Tx = Tx, s->Ty = Ty;
    s->xs = xmalloc((size_t)p->count * Tx * sizeof(int));
    s->dec_in = xmalloc((size_t)p->count * Ty * sizeof(int));
    s->ts = xmalloc((size_t)p->count * Ty * sizeof(int));
    const int pad = char_table_id(t, f->pad), start = char_table_id(t, f->start), end = char_table_id(t, f->end);
    if (pad < 0 || start < 0 || end < 0) {
        snprintf(err, err_size, "the character table lacks the padding, start or end mark");
        seq_set_free(s);
        return -1;
    }
    for (int i = 0; i < p->count; i++) {
        const char *a = pair_answer(p, i);
        int n = (int)strlen(a);
        if (seq_encode_question(s->xs + (size_t)i * Tx, pair_question(p, i), t, f, Tx, err, err_size) != 0 ||
            n > Ty) {
            if (n > Ty)
                snprintf(err, err_size, "the answer '%s' has %d characters, at most %d fit", a, n, Ty);
            seq_set_free(s);
            return -1;
        }
        int *in = s->dec_in + (size_t)i * Ty, *ts = s->ts + (size_t)i * Ty;
        for (int k = 0; k < Ty; k++) {
            int id = k < n ? char_table_id(t, (unsigned char)a[k]) : end;
            if (id < 0) {
                snprintf(err, err_size, "the answer '%s': a character the table lacks", a);
                seq_set_free(s);
                return -1;
            }
            /* the decoder sees the previous character (the start mark first) and
             * must say the next: the answer, the end mark, then nothing asked */
            in[k] = k == 0 ? start : k - 1 < n ? ts[k - 1] : pad;
            ts[k] = k <= n ? id : IGNORE_LABEL;
        }
    }
    return 0;
}

void seq_set_free(SeqSet *s)
{
    free(s->xs);
    free(s->dec_in);
    free(s->ts);
    memset(s, 0, sizeof *s);
}

void seq_decode_answer(char *out, const int *ids, int Ty, const CharTable *t, const SeqFormat *f)
{
    int n = 0;
    for (; n < Ty; n++) {
        char c = ids[n] >= 0 && ids[n] < t->size ? t->chars[ids[n]] : '?';
        if (c == f->end)
            break;
        out[n] = c;
    }
    out[n] = '\0';
}
