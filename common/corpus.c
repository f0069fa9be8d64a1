/* corpus.c - a text file as character or word ids (see corpus.h).
 *
 * The file is read whole through zlib's gzread, which decompresses .gz files
 * and passes plain ones through, so one path reads both. The buffer grows with
 * the data that actually arrives and never past the cap, so a file (or a gzip
 * bomb) larger than CORPUS_MAX_BYTES costs at most that much before it is
 * refused. Then the text is checked before anything is built from it: a NUL
 * byte means a binary file, and every byte must be part of valid UTF-8. */
#include "corpus.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define READ_CHUNK (1u << 20)          /* gzread takes an unsigned int: read in pieces */
#define CODE_POINTS 0x110000u          /* Unicode: U+0000 to U+10FFFF */
#define PUNCTUATION ".,;:!?\"()"       /* each a word of its own */

/* ---- UTF-8 ------------------------------------------------------------------ */

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t smallest[5] = {0, 0, 0x80, 0x800, 0x10000};   /* below: overlong */
    if (n == 0)
        return 0;
    unsigned c = s[0];
    int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (size_t)len > n)   /* a continuation byte or 0xF8-0xFF first, or cut off */
        return 0;
    if (len == 1) {
        *cp = c;
        return 1;
    }
    uint32_t v = c & (0x7Fu >> len);   /* the lead byte's payload: 5, 4 or 3 bits */
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[k] & 0x3Fu);
    }
    if (v < smallest[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    int len;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        len = 1;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        len = 2;
    } else if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        len = 3;
    } else {
        o[0] = (unsigned char)(0xF0 | cp >> 18);
        o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        len = 4;
    }
    o[len] = '\0';
    return len;
}

/* The text must be UTF-8 without NUL bytes. offset is where text starts in the
 * file (3 after a byte-order mark), so that errors give the file's offsets. */
static int check_text(const char *text, size_t size, size_t offset, const char *path, char *err)
{
    const unsigned char *s = (const unsigned char *)text;
    const char *nul = memchr(text, '\0', size);
    if (nul)
        return file_error(err, path, "a binary file, not text: a NUL byte at byte %zu", offset + (size_t)(nul - text));
    size_t line = 1;
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        int len = s[i] < 0x80 ? 1 : utf8_decode(s + i, size - i, &cp);
        if (len == 0)
            return file_error(err, path, "invalid UTF-8 at byte %zu (line %zu): 0x%02x; the text must be UTF-8 "
                              "(Latin-1 converts with iconv -f latin1 -t utf-8)", offset + i, line, s[i]);
        if (s[i] == '\n')
            line++;
        i += (size_t)len;
    }
    return 0;
}

/* ---- reading the file ------------------------------------------------------- */

/* After the reads: if zlib saw corrupt or cut-off data, or a read failed, put it
 * in err and return -1. */
static int gz_check(gzFile f, int read_failed, const char *path, char *err)
{
    int errnum;
    const char *msg = gzerror(f, &errnum);
    if (!read_failed && errnum == Z_OK)
        return 0;
    if (errnum == Z_BUF_ERROR)
        return file_error(err, path, "truncated gzip data: the stream ends early");
    if (!msg || !*msg)
        msg = "unknown error";
    size_t n = strlen(path);   /* zlib writes "<path>: <message>"; file_error names the path already */
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        msg += n + 2;
    if (errnum == Z_ERRNO)
        return file_error(err, path, "read error (%s)", msg);
    return file_error(err, path, "corrupt gzip data (zlib: %s)", msg);
}

int corpus_read_text_max(const char *path, size_t max_bytes, char **text, size_t *size, char *err)
{
    *text = NULL;
    *size = 0;
    errno = 0;
    if (max_bytes > CORPUS_MAX_BYTES)
        max_bytes = CORPUS_MAX_BYTES;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return file_error(err, path, "cannot open (%s)", errno ? strerror(errno) : "out of memory");
    gzbuffer(f, 1 << 17);

    char *buf = NULL;
    size_t cap = 0, have = 0;
    int r = 0;
    for (;;) {
        if (have == cap) {
            /* double, but never past the cap and one byte: that byte tells "too large" */
            size_t next = cap ? 2 * cap : 64 * 1024;
            if (next > max_bytes + 1)
                next = max_bytes + 1;
            char *grown = realloc(buf, next + 1);   /* + 1 for the closing NUL */
            if (!grown) {
                file_error(err, path, "out of memory after reading %zu bytes", have);
                goto fail;
            }
            buf = grown;
            cap = next;
        }
        size_t want = cap - have < READ_CHUNK ? cap - have : READ_CHUNK;
        r = gzread(f, buf + have, (unsigned)want);
        if (r <= 0)
            break;
        have += (size_t)r;
        if (have > max_bytes) {
            if (max_bytes % (1 << 20) == 0)
                file_error(err, path, "too large: more than the %zu MB of text allowed", max_bytes >> 20);
            else
                file_error(err, path, "too large: more than the %zu bytes of text allowed", max_bytes);
            goto fail;
        }
    }
    if (gz_check(f, r < 0, path, err) != 0)
        goto fail;
    int rc = gzclose(f);
    f = NULL;
    if (rc != Z_OK) {
        file_error(err, path, "error closing the file (zlib error %d)", rc);
        goto fail;
    }

    /* Now the content. A UTF-8 byte-order mark (EF BB BF) is not part of the text. */
    size_t skip = have >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (have == 0) {
        file_error(err, path, "empty file: there is no text to learn from");
        goto fail;
    }
    if (have == skip) {
        file_error(err, path, "no text: the file holds only a byte-order mark");
        goto fail;
    }
    if (have >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b) {
        file_error(err, path, "a binary file, not text: gzip data inside gzip (compressed twice?)");
        goto fail;
    }
    if (check_text(buf + skip, have - skip, skip, path, err) != 0)
        goto fail;
    memmove(buf, buf + skip, have - skip);
    have -= skip;
    buf[have] = '\0';
    *text = buf;
    *size = have;
    return 0;

fail:
    free(buf);
    if (f)
        gzclose(f);
    return -1;
}

void corpus_text_path(const char *data, char *path, size_t size)
{
    struct stat st;
    if (stat(data, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, size, "%s/input.txt", data);
    else
        snprintf(path, size, "%s", data);
}

int corpus_read_text(const char *path, char **text, size_t *size, char *err)
{
    return corpus_read_text_max(path, CORPUS_MAX_BYTES, text, size, err);
}

/* ---- characters ------------------------------------------------------------- */

int char_vocab_id(const CharVocab *v, uint32_t cp)
{
    int lo = 0, hi = v->size - 1;   /* binary search: code_points is sorted */
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (v->code_points[mid] == cp)
            return mid;
        if (v->code_points[mid] < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* A vocabulary of V characters, code_points and chars allocated, to be filled. */
static void char_vocab_alloc(CharVocab *v, int V)
{
    v->size = V;
    v->code_points = xmalloc((size_t)V * sizeof *v->code_points);
    v->chars = xmalloc((size_t)V * sizeof *v->chars);
}

void char_vocab_free(CharVocab *v)
{
    free(v->code_points);
    free(v->chars);
    memset(v, 0, sizeof *v);
}

static int compare_code_points(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int char_corpus_from_text(const char *text, size_t size, const char *path, CharCorpus *c, char *err)
{
    memset(c, 0, sizeof *c);
    if (size == 0)
        return file_error(err, path, "no text: there is nothing to learn from");
    if (size > CORPUS_MAX_BYTES)
        return file_error(err, path, "too large: more than the %zu MB of text allowed", CORPUS_MAX_BYTES >> 20);
    if (check_text(text, size, 0, path, err) != 0)
        return -1;
    const unsigned char *s = (const unsigned char *)text;

    /* Which code points occur (a byte for each of them: 1.1 MB), how many
     * distinct ones, and how many characters. */
    unsigned char *seen = xcalloc(CODE_POINTS, 1);
    size_t count = 0;
    int V = 0;
    uint32_t cp;
    for (size_t i = 0; i < size; count++) {
        i += (size_t)utf8_decode(s + i, size - i, &cp);   /* valid: checked above */
        V += !seen[cp];
        seen[cp] = 1;
    }
    /* The distinct ones in order of appearance (seen 1 -> 2), then sorted. */
    char_vocab_alloc(&c->vocab, V);
    for (size_t i = 0, k = 0; i < size;) {
        i += (size_t)utf8_decode(s + i, size - i, &cp);
        if (seen[cp] == 1)
            c->vocab.code_points[k++] = cp;
        seen[cp] = 2;
    }
    free(seen);
    qsort(c->vocab.code_points, (size_t)V, sizeof *c->vocab.code_points, compare_code_points);
    for (int id = 0; id < V; id++)
        utf8_encode(c->vocab.code_points[id], c->vocab.chars[id]);

    c->ids = xmalloc(count * sizeof *c->ids);
    c->count = count;
    size_t n = 0;
    for (size_t i = 0; i < size; n++) {
        i += (size_t)utf8_decode(s + i, size - i, &cp);
        c->ids[n] = char_vocab_id(&c->vocab, cp);
    }
    return 0;
}

int char_corpus_load(const char *path, CharCorpus *c, char *err)
{
    char *text;
    size_t size;
    memset(c, 0, sizeof *c);
    if (corpus_read_text(path, &text, &size, err) != 0)
        return -1;
    int r = char_corpus_from_text(text, size, path, c, err);
    free(text);
    return r;
}

/* A missing file gets the hint that fetches the course's data. */
static void die_loading(const char *err)
{
    if (strstr(err, "cannot open"))
        die("%s (run `make data` to fetch Tiny Shakespeare, or pass --data DIR)", err);
    die("%s", err);
}

void char_corpus_load_or_die(const char *path, CharCorpus *c)
{
    char err[CORPUS_ERR_SIZE];
    if (char_corpus_load(path, c, err) != 0)
        die_loading(err);
}

void char_corpus_free(CharCorpus *c)
{
    char_vocab_free(&c->vocab);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

int char_vocab_encode(const CharVocab *v, const char *s, int *ids, int max, const char *what, char *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t size = strlen(s);
    int n = 0;
    for (size_t i = 0; i < size; n++) {
        uint32_t cp;
        int len = utf8_decode(u + i, size - i, &cp);
        if (len == 0)
            return file_error(err, what, "invalid UTF-8 at byte %zu", i);
        int id = char_vocab_id(v, cp);
        if (id < 0)
            return file_error(err, what, "'%.*s' (U+%04X, character %d) is not one of the %d characters "
                              "of the vocabulary", len, s + i, (unsigned)cp, n + 1, v->size);
        if (n == max)
            return file_error(err, what, "longer than %d characters", max);
        ids[n] = id;
        i += (size_t)len;
    }
    return n;
}

char *char_vocab_to_string(const CharVocab *v)
{
    char *s = xmalloc(4 * (size_t)v->size + 1), *p = s;   /* at most 4 bytes a character */
    for (int id = 0; id < v->size; id++)
        p += utf8_encode(v->code_points[id], p);
    *p = '\0';
    return s;
}

int char_vocab_from_string(const char *s, const char *source, CharVocab *v, char *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t size = strlen(s);
    memset(v, 0, sizeof *v);
    if (size == 0)
        return file_error(err, source, "character vocabulary: empty");

    /* First check it all and count, then fill. */
    int V = 0;
    uint32_t cp, prev = 0;
    for (size_t i = 0; i < size; V++) {
        int len = utf8_decode(u + i, size - i, &cp);
        if (len == 0)
            return file_error(err, source, "character vocabulary: invalid UTF-8 at byte %zu", i);
        if (V > 0 && cp == prev)
            return file_error(err, source, "character vocabulary: U+%04X appears twice (ids %d and %d)",
                              (unsigned)cp, V - 1, V);
        if (V > 0 && cp < prev)
            return file_error(err, source, "character vocabulary: U+%04X after U+%04X at byte %zu: "
                              "the characters must be in increasing order", (unsigned)cp, (unsigned)prev, i);
        prev = cp;
        i += (size_t)len;
    }
    char_vocab_alloc(v, V);
    size_t i = 0;
    for (int id = 0; id < V; id++) {
        i += (size_t)utf8_decode(u + i, size - i, &cp);
        v->code_points[id] = cp;
        utf8_encode(cp, v->chars[id]);
    }
    return 0;
}

/* ---- words: the vocabulary as a hash table ----------------------------------- */

/* FNV-1a: a simple hash that mixes every byte in. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

const char *word_vocab_word(const WordVocab *v, int id)
{
    return v->strings + v->offsets[id];
}

/* The slot holding the word s[0..len), or the empty slot where it would go
 * (linear probing: the table is never more than half full). */
static size_t find_slot(const WordVocab *v, const char *s, size_t len)
{
    size_t mask = v->slot_count - 1;
    size_t k = (size_t)hash_bytes(s, len) & mask;
    while (v->slots[k] >= 0) {
        const char *w = word_vocab_word(v, v->slots[k]);
        if (strncmp(w, s, len) == 0 && w[len] == '\0')
            return k;
        k = (k + 1) & mask;
    }
    return k;
}

int word_vocab_id(const WordVocab *v, const char *word)
{
    if (v->size == 0)
        return -1;
    return v->slots[find_slot(v, word, strlen(word))];
}

static void word_vocab_init(WordVocab *v)
{
    memset(v, 0, sizeof *v);
    v->cap = 1024;
    v->offsets = xmalloc(v->cap * sizeof *v->offsets);
    v->counts = xmalloc(v->cap * sizeof *v->counts);
    v->strings_cap = 8192;
    v->strings = xmalloc(v->strings_cap);
    v->slot_count = 2 * v->cap;
    v->slots = xmalloc(v->slot_count * sizeof *v->slots);
    for (size_t k = 0; k < v->slot_count; k++)
        v->slots[k] = -1;
}

void word_vocab_free(WordVocab *v)
{
    free(v->strings);
    free(v->offsets);
    free(v->counts);
    free(v->slots);
    memset(v, 0, sizeof *v);
}

static void *grow(void *p, size_t bytes)
{
    p = realloc(p, bytes);
    if (!p)
        die("out of memory (%zu bytes for the vocabulary)", bytes);
    return p;
}

/* Room for one more word of len bytes: the arrays double, and the hash table
 * doubles with them (every word put into its new slot). */
static void word_vocab_reserve(WordVocab *v, size_t len)
{
    while (v->strings_size + len + 1 > v->strings_cap) {
        v->strings_cap *= 2;
        v->strings = grow(v->strings, v->strings_cap);
    }
    if ((size_t)v->size < v->cap)
        return;
    v->cap *= 2;
    v->offsets = grow(v->offsets, v->cap * sizeof *v->offsets);
    v->counts = grow(v->counts, v->cap * sizeof *v->counts);
    free(v->slots);
    v->slot_count = 2 * v->cap;
    v->slots = xmalloc(v->slot_count * sizeof *v->slots);
    for (size_t k = 0; k < v->slot_count; k++)
        v->slots[k] = -1;
    for (int id = 0; id < v->size; id++) {
        const char *w = word_vocab_word(v, id);
        v->slots[find_slot(v, w, strlen(w))] = id;
    }
}

/* The id of s[0..len), added as a new word if it is not there yet; -1 (with
 * err) past WORD_VOCAB_MAX words. *added tells whether it was new. */
static int word_vocab_add(WordVocab *v, const char *s, size_t len, int *added, const char *path, char *err)
{
    size_t k = find_slot(v, s, len);
    *added = v->slots[k] < 0;
    if (!*added)
        return v->slots[k];
    if (v->size >= WORD_VOCAB_MAX)
        return file_error(err, path, "more than %d distinct words: is this natural-language text?", WORD_VOCAB_MAX);
    word_vocab_reserve(v, len);
    k = find_slot(v, s, len);   /* again: the table may have been rebuilt */
    int id = v->size++;
    v->offsets[id] = v->strings_size;
    memcpy(v->strings + v->strings_size, s, len);
    v->strings[v->strings_size + len] = '\0';
    v->strings_size += len + 1;
    v->counts[id] = 0;
    v->slots[k] = id;
    return id;
}

/* ---- words: preprocessing ------------------------------------------------------ */

/* Lower case, for the scripts a course text is likely in. Each capital and its
 * small letter are both 2 bytes of UTF-8 (or both 1), so lowering keeps the
 * text's length. */
static uint32_t lower_code_point(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)     /* Latin-1: À..Þ, but not × */
        return cp + 0x20;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)  /* Greek: Α..Ω (0x3A2 is unassigned) */
        return cp + 0x20;
    if (cp >= 0x410 && cp <= 0x42F)                 /* Cyrillic: А..Я */
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)                 /* Cyrillic: Ѐ..Џ */
        return cp + 0x50;
    return cp;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_dash(const char *s, size_t size, size_t i)
{
    return s[i] == '-' && i + 1 < size && s[i + 1] == '-';
}

/* The next word of s[0..size) at or after *pos (see the rules in corpus.h):
 * returns 1 with it at s + *start, *len bytes long, and *pos after it; 0 at the end.
 * (strchr(PUNCTUATION, c) would also be true for c == '\0', but the text holds
 * no NUL byte: check_text refused it.) */
static int next_word(const char *s, size_t size, size_t *pos, size_t *start, size_t *len)
{
    size_t i = *pos;
    while (i < size && is_space(s[i]))
        i++;
    if (i == size)
        return 0;
    size_t j = i + 1;
    if (is_dash(s, size, i)) {                     /* "--", "---": one dash */
        while (j < size && s[j] == '-')
            j++;
    } else if (!strchr(PUNCTUATION, s[i])) {      /* a word runs to a space, a mark or a dash */
        while (j < size && !is_space(s[j]) && !strchr(PUNCTUATION, s[j]) && !is_dash(s, size, j))
            j++;
    }
    *start = i;
    *len = j - i;
    *pos = j;
    return 1;
}

int word_corpus_from_text(const char *text, size_t size, const char *path, WordCorpus *c, char *err)
{
    memset(c, 0, sizeof *c);
    if (size == 0)
        return file_error(err, path, "no text: there is nothing to learn from");
    if (size > CORPUS_MAX_BYTES)
        return file_error(err, path, "too large: more than the %zu MB of text allowed", CORPUS_MAX_BYTES >> 20);
    if (check_text(text, size, 0, path, err) != 0)
        return -1;

    /* The text lower-cased, as a copy of the same length. */
    char *low = xmalloc(size + 1);
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        int len = utf8_decode(s + i, size - i, &cp);   /* valid: checked above */
        utf8_encode(lower_code_point(cp), low + i);
        i += (size_t)len;
    }
    low[size] = '\0';

    /* Count the words, then give each its id. */
    size_t count = 0, pos = 0, start, len;
    while (next_word(low, size, &pos, &start, &len))
        count++;
    if (count == 0) {
        free(low);
        return file_error(err, path, "no words: the text is only whitespace");
    }
    word_vocab_init(&c->vocab);
    c->ids = xmalloc(count * sizeof *c->ids);
    c->count = count;
    pos = 0;
    for (size_t n = 0; next_word(low, size, &pos, &start, &len); n++) {
        int added, id = word_vocab_add(&c->vocab, low + start, len, &added, path, err);
        if (id < 0) {
            free(low);
            word_corpus_free(c);
            return -1;
        }
        c->vocab.counts[id]++;
        c->ids[n] = id;
    }
    free(low);
    return 0;
}

int word_corpus_load(const char *path, WordCorpus *c, char *err)
{
    char *text;
    size_t size;
    memset(c, 0, sizeof *c);
    if (corpus_read_text(path, &text, &size, err) != 0)
        return -1;
    int r = word_corpus_from_text(text, size, path, c, err);
    free(text);
    return r;
}

void word_corpus_load_or_die(const char *path, WordCorpus *c)
{
    char err[CORPUS_ERR_SIZE];
    if (word_corpus_load(path, c, err) != 0)
        die_loading(err);
}

void word_corpus_free(WordCorpus *c)
{
    word_vocab_free(&c->vocab);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

char *word_vocab_to_string(const WordVocab *v)
{
    /* strings_size counts one NUL per word: exactly the spaces and the final NUL */
    char *s = xmalloc(v->strings_size + 1), *p = s;
    for (int id = 0; id < v->size; id++) {
        if (id > 0)
            *p++ = ' ';
        const char *w = word_vocab_word(v, id);
        size_t len = strlen(w);
        memcpy(p, w, len);
        p += len;
    }
    *p = '\0';
    return s;
}

int word_vocab_from_string(const char *s, const char *source, WordVocab *v, char *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t size = strlen(s);
    memset(v, 0, sizeof *v);
    if (size == 0)
        return file_error(err, source, "word vocabulary: empty");
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        int len = utf8_decode(u + i, size - i, &cp);
        if (len == 0)
            return file_error(err, source, "word vocabulary: invalid UTF-8 at byte %zu", i);
        if (is_space(s[i]) && s[i] != ' ')
            return file_error(err, source, "word vocabulary: whitespace other than a space at byte %zu", i);
        i += (size_t)len;
    }
    word_vocab_init(v);
    for (size_t i = 0; i <= size;) {
        const char *end = strchr(s + i, ' ');
        size_t len = end ? (size_t)(end - (s + i)) : size - i;
        if (len == 0) {
            word_vocab_free(v);
            return file_error(err, source, "word vocabulary: an empty word at byte %zu "
                              "(two spaces, or a space at either end)", i);
        }
        int added, id = word_vocab_add(v, s + i, len, &added, source, err);
        if (id < 0) {
            word_vocab_free(v);
            return -1;
        }
        if (!added) {
            file_error(err, source, "word vocabulary: the word '%.40s' appears twice (ids %d and %d)",
                       word_vocab_word(v, id), id, v->size);
            word_vocab_free(v);
            return -1;
        }
        i += len + 1;
    }
    return 0;
}

/* ---- lengths and the split ----------------------------------------------------- */

int corpus_check_length(const char *path, size_t count, const char *unit, int seq_len, char *err)
{
    if (seq_len < 1)
        return file_error(err, path, "cannot cut sequences of %d %s: the length must be at least 1", seq_len, unit);
    if (count < (size_t)seq_len + 1)
        return file_error(err, path, "too short: %zu %s, and a sequence of %d needs %d "
                          "(its targets are its inputs one step on)", count, unit, seq_len, seq_len + 1);
    return 0;
}

int corpus_split(const char *path, size_t count, const char *unit, int seq_len, size_t *train_count,
                 size_t *val_count, char *err)
{
    *val_count = count * CORPUS_VAL_PERCENT / 100;
    *train_count = count - *val_count;
    if (seq_len < 1)
        return corpus_check_length(path, count, unit, seq_len, err);
    /* The validation part is the smaller one: if it holds a sequence, so does training. */
    if (*val_count < (size_t)seq_len + 1)
        return file_error(err, path, "too short to split: of its %zu %s, the last %d%% (%zu) are for validation, "
                          "and a sequence of %d needs %d", count, unit, CORPUS_VAL_PERCENT, *val_count,
                          seq_len, seq_len + 1);
    return 0;
}
