/* model.c - saving and loading a ParamSet in the safetensors layout (see model.h).
 *
 * Saving builds the JSON header, pads it with spaces to a multiple of 8 bytes
 * (as the reference implementation does, so the data starts aligned), and writes
 * header length, header and data through an AtomicFile.
 *
 * Loading trusts nothing in the file: the header length is checked against the
 * file size before anything is allocated, the JSON is read by a small strict
 * reader (json.c) and must have the shape safetensors uses, and every tensor's dtype,
 * shape and offsets are checked before a single value is read. Values go to a
 * temporary buffer and reach the ParamSet only when the whole file checked out. */
#include "model.h"
#include "file_error.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define HEADER_MAX (100ull * 1024 * 1024) /* a larger JSON header is refused unread */
#define FILE_MAX_DIMS 8                   /* shapes with more dimensions are refused */

typedef unsigned long long ull;           /* for printing 64-bit sizes with %llu */

/* ---- little-endian bytes --------------------------------------------------------
 * The file is little-endian whatever the machine is. Assembling numbers from
 * bytes with shifts gives the right value on any host, so no byte-order test is needed. */

static uint64_t get_u64_le(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static void put_u64_le(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static double get_f32_le(const unsigned char *b)
{
    uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);   /* the bits of an IEEE 754 single */
    return f;
}

static double get_f64_le(const unsigned char *b)
{
    uint64_t u = get_u64_le(b);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void put_f64_le(unsigned char *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    put_u64_le(b, v);
}

static void put_f32_le(unsigned char *b, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(u >> (8 * i));
}

/* "[784, 50]" */
static const char *shape_text(char *buf, size_t size, const uint64_t *shape, int ndim)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%llu", i ? ", " : "", (ull)shape[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
    return buf;
}

static const char *param_shape_text(char *buf, size_t size, const ParamInfo *p)
{
    uint64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < p->ndim; i++)
        shape[i] = (uint64_t)p->shape[i];
    return shape_text(buf, size, shape, p->ndim);
}

/* ==== saving ======================================================================= */

/* A growing string for the JSON header. */
typedef struct {
    char *text;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *grown = xmalloc(cap);
        if (t->len)
            memcpy(grown, t->text, t->len);
        free(t->text);
        t->text = grown;
        t->cap = cap;
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

static void text_puts(Text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* A JSON string literal: quotes, backslashes and control characters escaped. */
static void text_json_string(Text *t, const char *s)
{
    text_puts(t, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            snprintf(esc, sizeof esc, "\\%c", c);
            text_puts(t, esc);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            text_puts(t, esc);
        } else {
            text_add(t, s, 1);
        }
    }
    text_puts(t, "\"");
}

/* {"__metadata__":{"k":"v"},"W1":{"dtype":"F32","shape":[784,50],"data_offsets":[0,156800]},...}
 * padded with spaces to a multiple of 8 bytes. */
static void build_header(Text *t, const ParamSet *ps, const char *const *metadata, int f64)
{
    const char *dtype = f64 ? "F64" : "F32";
    const uint64_t bytes = f64 ? 8 : 4;
    char num[64];
    text_puts(t, "{");
    if (metadata && metadata[0] && metadata[1]) {
        text_puts(t, "\"__metadata__\":{");
        for (int i = 0; metadata[i] && metadata[i + 1]; i += 2) {
            if (i)
                text_puts(t, ",");
            text_json_string(t, metadata[i]);
            text_puts(t, ":");
            text_json_string(t, metadata[i + 1]);
        }
        text_puts(t, "}");
        if (ps->count)
            text_puts(t, ",");
    }
    uint64_t offset = 0;
    for (int i = 0; i < ps->count; i++) {
        const ParamInfo *p = &ps->info[i];
        if (i)
            text_puts(t, ",");
        text_json_string(t, p->name);
        text_puts(t, ":{\"dtype\":\"");
        text_puts(t, dtype);
        text_puts(t, "\",\"shape\":[");
        for (int d = 0; d < p->ndim; d++) {
            snprintf(num, sizeof num, "%s%d", d ? "," : "", p->shape[d]);
            text_puts(t, num);
        }
        uint64_t end = offset + bytes * (uint64_t)p->size;
        snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}", (ull)offset, (ull)end);
        text_puts(t, num);
        offset = end;
    }
    text_puts(t, "}");
    while (t->len % 8 != 0)
        text_puts(t, " ");
}

/* A model with NaN or infinity in it could not be loaded again, so it is not saved.
 * Values are checked as the F32 they will become (a large double overflows). */
static int check_finite_for_save(const ParamSet *ps, const char *path, char *err)
{
    for (int i = 0; i < ps->count; i++) {
        const real *v = params_value(ps, i);
        for (size_t k = 0; k < ps->info[i].size; k++)
            if (!isfinite((float)v[k]))
                return file_error(err, path, "tensor '%s' holds a non-finite value (%g) at element %zu; "
                                  "not saving", ps->info[i].name, (double)v[k], k);
    }
    return 0;
}

/* All values as little-endian F32 (or F64), a buffer at a time. */
static int write_values(FILE *f, const ParamSet *ps, int f64)
{
    unsigned char buf[4096];
    size_t used = 0;
    for (size_t i = 0; i < ps->size; i++) {
        if (f64) {
            put_f64_le(buf + used, (double)ps->values[i]);
            used += 8;
        } else {
            put_f32_le(buf + used, (float)ps->values[i]);
            used += 4;
        }
        if (used == sizeof buf) {
            if (fwrite(buf, 1, used, f) != used)
                return -1;
            used = 0;
        }
    }
    if (used && fwrite(buf, 1, used, f) != used)
        return -1;
    return 0;
}

static int save(const char *path, const ParamSet *ps, const char *const *metadata, int f64, char *err)
{
    if (!ps->values)
        return file_error(err, path, "cannot save: the parameters are not allocated");
    if (check_finite_for_save(ps, path, err) != 0)
        return -1;

    Text header = {0};
    build_header(&header, ps, metadata, f64);
    unsigned char len_bytes[8];
    put_u64_le(len_bytes, header.len);

    AtomicFile af;
    if (atomic_open(&af, path) != 0) {
        int saved = errno;
        free(header.text);
        return file_error(err, path, "cannot write: %s", strerror(saved));
    }
    int bad = fwrite(len_bytes, 1, 8, af.f) != 8
              || fwrite(header.text, 1, header.len, af.f) != header.len
              || write_values(af.f, ps, f64) != 0;
    free(header.text);
    if (bad) {
        int saved = errno;
        atomic_abort(&af);
        return file_error(err, path, "write failed: %s", strerror(saved));
    }
    if (atomic_close(&af) != 0)
        return file_error(err, path, "write failed: %s", strerror(errno));
    return 0;
}

int model_save(const char *path, const ParamSet *ps, const char *const *metadata, char *err)
{
    return save(path, ps, metadata, 0, err);
}

/* F32 holds a float exactly, F64 a double: the file restores `real` bit for bit. */
int model_save_exact(const char *path, const ParamSet *ps, const char *const *metadata, char *err)
{
    return save(path, ps, metadata, sizeof(real) == 8, err);
}

/* ==== the safetensors header ========================================================
 *
 * The header is read with json.c's pieces, and it must have exactly this shape:
 *   { "__metadata__": { "key": "value", ... },      (optional; values are strings)
 *     "name": { "dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24] }, ... }
 * Anything deeper or different is an error. */

typedef struct {
    const char *name;
    const char *dtype;                /* NULL until seen */
    int ndim;                         /* -1 until seen */
    uint64_t shape[FILE_MAX_DIMS];
    uint64_t begin, end;
    int has_offsets;
    size_t dtype_size;                /* 4 or 8, set by check_tensors */
} Entry;

typedef struct {
    const char *path;
    FILE *f;
    uint64_t header_len, data_size;
    char *json;                       /* the header text, strings decoded in place */
    Entry *entries;
    int count, cap;
    const char **meta;                /* key, value, key, value, ... */
    int meta_count, meta_cap;         /* in pairs */
    int seen_metadata;
} ModelFile;

static void add_entry(ModelFile *m, const Entry *e)
{
    if (m->count == m->cap) {
        int cap = m->cap ? 2 * m->cap : 16;
        Entry *grown = xmalloc((size_t)cap * sizeof *grown);
        if (m->count)
            memcpy(grown, m->entries, (size_t)m->count * sizeof *grown);
        free(m->entries);
        m->entries = grown;
        m->cap = cap;
    }
    m->entries[m->count++] = *e;
}

static void add_meta(ModelFile *m, const char *key, const char *value)
{
    if (m->meta_count == m->meta_cap) {
        int cap = m->meta_cap ? 2 * m->meta_cap : 8;
        const char **grown = xmalloc((size_t)cap * 2 * sizeof *grown);
        if (m->meta_count)
            memcpy(grown, m->meta, (size_t)m->meta_count * 2 * sizeof *grown);
        free(m->meta);
        m->meta = grown;
        m->meta_cap = cap;
    }
    m->meta[2 * m->meta_count] = key;
    m->meta[2 * m->meta_count + 1] = value;
    m->meta_count++;
}

/* "__metadata__": { "key": "value", ... } */
static int parse_metadata(ModelFile *m, Json *j)
{
    if (m->seen_metadata)
        return json_fail(j, "duplicate key \"__metadata__\"");
    m->seen_metadata = 1;
    if (json_expect(j, '{') != 0)
        return -1;
    if (json_peek(j) == '}') {
        j->pos++;
        return 0;
    }
    for (;;) {
        char *key, *value;
        if (json_string(j, &key) != 0 || json_expect(j, ':') != 0)
            return -1;
        if (json_peek(j) != '"')
            return json_fail(j, "metadata values must be strings");
        if (json_string(j, &value) != 0)
            return -1;
        add_meta(m, key, value);
        int more = json_next_member(j);
        if (more <= 0)
            return more;
    }
}

/* "name": { "dtype": ..., "shape": [...], "data_offsets": [begin, end] } */
static int parse_tensor(ModelFile *m, Json *j, const char *name)
{
    Entry e = {.name = name, .ndim = -1};
    if (json_expect(j, '{') != 0)
        return -1;
    if (json_peek(j) == '}')
        return json_fail(j, "empty tensor entry");
    for (;;) {
        char *key;
        if (json_string(j, &key) != 0 || json_expect(j, ':') != 0)
            return -1;
        if (strcmp(key, "dtype") == 0) {
            if (e.dtype)
                return json_fail(j, "duplicate key \"dtype\"");
            char *dtype;
            if (json_string(j, &dtype) != 0)
                return -1;
            e.dtype = dtype;
        } else if (strcmp(key, "shape") == 0) {
            if (e.ndim >= 0)
                return json_fail(j, "duplicate key \"shape\"");
            if (json_uint_array(j, e.shape, FILE_MAX_DIMS, &e.ndim) != 0)
                return -1;
        } else if (strcmp(key, "data_offsets") == 0) {
            uint64_t off[2];
            int n;
            if (e.has_offsets)
                return json_fail(j, "duplicate key \"data_offsets\"");
            if (json_uint_array(j, off, 2, &n) != 0)
                return -1;
            if (n != 2)
                return json_fail(j, "data_offsets needs two numbers");
            e.begin = off[0];
            e.end = off[1];
            e.has_offsets = 1;
        } else {
            return json_fail(j, "unknown key in a tensor entry (expected dtype, shape, data_offsets)");
        }
        int more = json_next_member(j);
        if (more < 0)
            return -1;
        if (!more)
            break;
    }
    if (!e.dtype || e.ndim < 0 || !e.has_offsets) {
        char what[96];
        snprintf(what, sizeof what, "tensor '%.40s' has no \"%s\"", name,
                 !e.dtype ? "dtype" : e.ndim < 0 ? "shape" : "data_offsets");
        return json_fail(j, what);
    }
    add_entry(m, &e);
    return 0;
}

/* The whole header: one object, then nothing but the padding spaces. */
static int parse_header(ModelFile *m, Json *j)
{
    if (json_expect(j, '{') != 0)
        return -1;
    if (json_peek(j) == '}') {
        j->pos++;
    } else {
        for (;;) {
            char *key;
            if (json_string(j, &key) != 0 || json_expect(j, ':') != 0)
                return -1;
            int r = strcmp(key, "__metadata__") == 0 ? parse_metadata(m, j) : parse_tensor(m, j, key);
            if (r != 0)
                return -1;
            int more = json_next_member(j);
            if (more < 0)
                return -1;
            if (!more)
                break;
        }
    }
    json_skip_space(j);
    if (j->pos != j->len)
        return json_fail(j, "unexpected text after the JSON object");
    return 0;
}

/* ==== checking the parsed header ==================================================== */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that occurs twice in names[0..n), or NULL. Sorting makes
 * duplicates neighbours, so a header with many keys costs n log n, not n^2. */
static const char *find_duplicate(const char **names, int n, int stride)
{
    const char *found = NULL;
    const char **sorted = xmalloc((size_t)(n ? n : 1) * sizeof *sorted);
    for (int i = 0; i < n; i++)
        sorted[i] = names[(size_t)i * (size_t)stride];
    qsort(sorted, (size_t)n, sizeof *sorted, compare_names);
    for (int i = 1; i < n && !found; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            found = sorted[i];
    free(sorted);
    return found;
}

static int check_duplicates(const ModelFile *m, char *err)
{
    const char **names = xmalloc((size_t)(m->count ? m->count : 1) * sizeof *names);
    for (int i = 0; i < m->count; i++)
        names[i] = m->entries[i].name;
    const char *dup = find_duplicate(names, m->count, 1);
    free(names);
    if (dup)
        return file_error(err, m->path, "tensor '%s' appears twice in the header", dup);
    dup = find_duplicate(m->meta, m->meta_count, 2);
    if (dup)
        return file_error(err, m->path, "metadata key '%s' appears twice in the header", dup);
    return 0;
}

/* One tensor on its own: a known dtype, offsets inside the data, and as many
 * bytes as its shape needs. */
static int check_tensor(const ModelFile *m, Entry *e, char *err)
{
    char shape[128];
    if (strcmp(e->dtype, "F32") == 0)
        e->dtype_size = 4;
    else if (strcmp(e->dtype, "F64") == 0)
        e->dtype_size = 8;
    else
        return file_error(err, m->path, "tensor '%s' has dtype %s; only F32 and F64 are supported",
                          e->name, e->dtype);
    if (e->begin > e->end)
        return file_error(err, m->path, "tensor '%s' has data_offsets [%llu, %llu]: begin after end",
                          e->name, (ull)e->begin, (ull)e->end);
    if (e->end > m->data_size)
        return file_error(err, m->path, "tensor '%s' ends at byte %llu but the data is only %llu bytes "
                          "(truncated file?)", e->name, (ull)e->end, (ull)m->data_size);
    uint64_t bytes = e->dtype_size;   /* a product of the shape that never overflows */
    for (int d = 0; d < e->ndim; d++) {
        if (e->shape[d] != 0 && bytes > m->data_size / e->shape[d])
            bytes = m->data_size + 1;     /* more than the file holds: reported below */
        else
            bytes *= e->shape[d];
    }
    if (bytes != e->end - e->begin)
        return file_error(err, m->path, "tensor '%s' has shape %s (%s) but data_offsets [%llu, %llu] "
                          "span %llu bytes", e->name, shape_text(shape, sizeof shape, e->shape, e->ndim),
                          e->dtype, (ull)e->begin, (ull)e->end, (ull)(e->end - e->begin));
    return 0;
}

static int compare_offsets(const void *a, const void *b)
{
    const Entry *x = *(const Entry *const *)a, *y = *(const Entry *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* The tensors, in offset order, must tile the data section exactly:
 * no overlap, no gap, no extra bytes at the end. */
static int check_layout(const ModelFile *m, char *err)
{
    int r = 0;
    const Entry **order = xmalloc((size_t)(m->count ? m->count : 1) * sizeof *order);
    for (int i = 0; i < m->count; i++)
        order[i] = &m->entries[i];
    qsort(order, (size_t)m->count, sizeof *order, compare_offsets);
    uint64_t pos = 0;
    for (int i = 0; i < m->count && r == 0; i++) {
        if (order[i]->begin < pos)
            r = file_error(err, m->path, "tensors '%s' and '%s' overlap in the data",
                           order[i - 1]->name, order[i]->name);
        else if (order[i]->begin > pos)
            r = file_error(err, m->path, "data bytes %llu to %llu belong to no tensor",
                           (ull)pos, (ull)order[i]->begin);
        pos = order[i]->end;
    }
    if (r == 0 && pos != m->data_size)
        r = file_error(err, m->path, "%llu extra bytes after the last tensor", (ull)(m->data_size - pos));
    free(order);
    return r;
}

static int check_tensors(ModelFile *m, char *err)
{
    for (int i = 0; i < m->count; i++)
        if (check_tensor(m, &m->entries[i], err) != 0)
            return -1;
    return check_layout(m, err);
}

/* ==== opening a model file ============================================================ */

static void close_model(ModelFile *m)
{
    if (m->f)
        fclose(m->f);
    free(m->json);
    free(m->entries);
    free(m->meta);
    memset(m, 0, sizeof *m);
}

/* The size of the open file, which must be a regular file. */
static int file_size(ModelFile *m, uint64_t *size, char *err)
{
    struct stat st;
    if (fstat(fileno(m->f), &st) != 0)
        return file_error(err, m->path, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return file_error(err, m->path, "not a regular file");
    *size = (uint64_t)st.st_size;
    return 0;
}

/* Read the length and the header, check its size before allocating anything. */
static int read_header(ModelFile *m, char *err)
{
    uint64_t size = 0;
    unsigned char len_bytes[8];
    if (file_size(m, &size, err) != 0)
        return -1;
    if (size < 8)
        return file_error(err, m->path, "file is %llu bytes, too short to be a model file "
                          "(it starts with an 8-byte header length)", (ull)size);
    if (fread(len_bytes, 1, 8, m->f) != 8)
        return file_error(err, m->path, "cannot read the header length");
    m->header_len = get_u64_le(len_bytes);
    if (m->header_len > HEADER_MAX)
        return file_error(err, m->path, "header length %llu is over the 100 MB limit (not a model file?)",
                          (ull)m->header_len);
    if (m->header_len > size - 8)
        return file_error(err, m->path, "header length %llu is more than the %llu bytes that follow it "
                          "(truncated file?)", (ull)m->header_len, (ull)(size - 8));
    m->data_size = size - 8 - m->header_len;
    m->json = xmalloc((size_t)m->header_len + 1);
    if (fread(m->json, 1, (size_t)m->header_len, m->f) != m->header_len)
        return file_error(err, m->path, "cannot read the %llu-byte header", (ull)m->header_len);
    m->json[m->header_len] = '\0';
    return 0;
}

/* Open, parse and check a model file on its own terms (not yet against a network). */
static int open_model(ModelFile *m, const char *path, char *err)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    m->f = fopen(path, "rb");
    if (!m->f)
        return file_error(err, path, "cannot open: %s", strerror(errno));
    if (read_header(m, err) != 0)
        return -1;
    if (!json_valid_utf8((const unsigned char *)m->json, (size_t)m->header_len))
        return file_error(err, path, "the header is not valid UTF-8 (not a model file?)");
    Json j = {.s = m->json, .len = (size_t)m->header_len};
    if (parse_header(m, &j) != 0)
        return file_error(err, path, "bad JSON header: %s", j.error);
    if (check_duplicates(m, err) != 0 || check_tensors(m, err) != 0)
        return -1;
    return 0;
}

/* ==== loading into a network ============================================================ */

static const Entry *find_entry(const ModelFile *m, const char *name)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->entries[i].name, name) == 0)
            return &m->entries[i];
    return NULL;
}

static int same_shape(const Entry *e, const ParamInfo *p)
{
    if (e->ndim != p->ndim)
        return 0;
    for (int d = 0; d < p->ndim; d++)
        if (e->shape[d] != (uint64_t)p->shape[d])
            return 0;
    return 1;
}

/* The file must hold exactly the network's tensors, with the network's shapes. */
static int match_params(const ModelFile *m, const ParamSet *ps, char *err)
{
    char have[128], want[128];
    for (int i = 0; i < ps->count; i++) {
        const ParamInfo *p = &ps->info[i];
        const Entry *e = find_entry(m, p->name);
        if (!e)
            return file_error(err, m->path, "tensor '%s' is missing (the network expects shape %s)",
                              p->name, param_shape_text(want, sizeof want, p));
        if (!same_shape(e, p))
            return file_error(err, m->path, "tensor '%s' has shape %s, the network expects %s", p->name,
                              shape_text(have, sizeof have, e->shape, e->ndim),
                              param_shape_text(want, sizeof want, p));
    }
    for (int i = 0; i < m->count; i++)
        if (params_find(ps, m->entries[i].name) < 0)
            return file_error(err, m->path, "unexpected tensor '%s' (the network has no tensor of that name)",
                              m->entries[i].name);
    return 0;
}

/* One tensor's values from the file into out[0..p->size), a buffer at a time. */
static int read_tensor(const ModelFile *m, const Entry *e, const ParamInfo *p, real *out, char *err)
{
    unsigned char buf[4096];   /* a multiple of both 4 and 8 */
    if (fseeko(m->f, (off_t)(8 + m->header_len + e->begin), SEEK_SET) != 0)
        return file_error(err, m->path, "cannot seek to tensor '%s': %s", p->name, strerror(errno));
    size_t done = 0;
    while (done < p->size) {
        size_t n = p->size - done;
        if (n > sizeof buf / e->dtype_size)
            n = sizeof buf / e->dtype_size;
        if (fread(buf, e->dtype_size, n, m->f) != n)
            return file_error(err, m->path, "unexpected end of file in tensor '%s'", p->name);
        for (size_t k = 0; k < n; k++) {
            const unsigned char *b = buf + k * e->dtype_size;
            real v = (real)(e->dtype_size == 4 ? get_f32_le(b) : get_f64_le(b));
            if (!isfinite(v))
                return file_error(err, m->path, "tensor '%s' holds a non-finite value (NaN or infinity) "
                                  "at element %zu", p->name, done + k);
            out[done + k] = v;
        }
        done += n;
    }
    return 0;
}

int model_load(const char *path, ParamSet *ps, char *err)
{
    ModelFile m;
    if (!ps->values)
        return file_error(err, path, "cannot load: the network's parameters are not allocated");
    if (open_model(&m, path, err) != 0 || match_params(&m, ps, err) != 0) {
        close_model(&m);
        return -1;
    }
    real *values = xmalloc(ps->size * sizeof *values);
    int r = 0;
    for (int i = 0; i < ps->count && r == 0; i++) {
        const ParamInfo *p = &ps->info[i];
        r = read_tensor(&m, find_entry(&m, p->name), p, values + p->offset, err);
    }
    if (r == 0)
        memcpy(ps->values, values, ps->size * sizeof *values);
    free(values);
    close_model(&m);
    return r;
}

int model_read_metadata(const char *path, const char *key, char *value, size_t size, char *err)
{
    ModelFile m;
    if (size)
        value[0] = '\0';
    if (open_model(&m, path, err) != 0) {
        close_model(&m);
        return -1;
    }
    int r = 0;
    for (int i = 0; i < m.meta_count; i++) {
        const char *v = m.meta[2 * i + 1];
        if (strcmp(m.meta[2 * i], key) != 0)
            continue;
        if (strlen(v) >= size)
            r = file_error(err, path, "metadata '%s' is %zu bytes, more than the %zu-byte buffer",
                           key, strlen(v), size);
        else
            memcpy(value, v, strlen(v) + 1);
        break;
    }
    close_model(&m);
    return r;
}

int model_read_int(const char *path, const char *key, int lo, int hi)
{
    char value[64], err[MODEL_ERR_SIZE], *end;
    if (model_read_metadata(path, key, value, sizeof value, err) != 0)
        die("%s", err);
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!value[0] || *end || errno || v < lo || v > hi)
        die("%s: metadata \"%s\" is '%s', not a number from %d to %d", path, key, value, lo, hi);
    return (int)v;
}
