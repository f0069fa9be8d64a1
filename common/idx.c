/* idx.c - reading IDX files (MNIST & co.), plain or gzip-compressed.
 *
 * An IDX file is a 4-byte magic number (two zero bytes, a type byte, the number
 * of dimensions), one big-endian 32-bit size per dimension, then the data:
 * for MNIST, unsigned bytes, one per pixel or per label.
 *
 * zlib's gzread decompresses .gz files and passes other files through as they
 * are, so one code path reads both. Everything a broken or hostile file could
 * get wrong is checked, and the header is checked before any allocation: a
 * header claiming 2^31 images must not make us ask for 2^31 * 784 bytes. */
#include "idx.h"
#include "file_error.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* Far beyond any real data set of small images (EMNIST is 0.7M images of 28x28,
 * 0.5 GB); a header past these is broken, not big. */
#define IDX_MAX_COUNT 10000000u
#define IDX_MAX_SIDE 4096u
#define IDX_MAX_BYTES ((uint64_t)1 << 30)

#define IDX_TYPE_U8 0x08
#define READ_CHUNK (1u << 20)   /* gzread takes an unsigned int: read in pieces */

/* After a read: if zlib reports corrupt data or an I/O error, put it in err
 * and return 1. Z_BUF_ERROR only means "ended early": the callers report that
 * as truncation, with the sizes. */
static int gz_failed(gzFile f, int read_failed, const char *path, char *err)
{
    int errnum;
    const char *msg = gzerror(f, &errnum);
    if (!read_failed && (errnum == Z_OK || errnum == Z_BUF_ERROR))
        return 0;
    if (!msg || !*msg)
        msg = "unknown error";
    /* zlib writes "<path>: <message>"; file_error() names the path already */
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        msg += n + 2;
    if (errnum == Z_ERRNO)
        file_error(err, path, "read error (%s)", msg);
    else
        file_error(err, path, "corrupt gzip data (zlib: %s)", msg);
    return 1;
}

static int gz_cut_short(gzFile f)
{
    int errnum;
    gzerror(f, &errnum);
    return errnum == Z_BUF_ERROR;
}

/* Read up to n bytes; returns how many arrived (fewer only at the end of the
 * data), or -1 after a read error. */
static long long read_upto(gzFile f, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < READ_CHUNK ? n - got : READ_CHUNK;
        int r = gzread(f, buf + got, (unsigned)want);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long long)got;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* "60000 images of 28x28 (47040000 bytes)" or "60000 labels". */
static void describe(char *buf, size_t size, int ndim, const uint32_t *dims)
{
    if (ndim == 3)
        snprintf(buf, size, "%u images of %ux%u (%llu bytes)", dims[0], dims[1], dims[2],
                 (unsigned long long)dims[0] * dims[1] * dims[2]);
    else
        snprintf(buf, size, "%u labels", dims[0]);
}

/* Read an IDX file of unsigned bytes with ndim dimensions (3: images, 1: labels).
 * On success *data holds exactly *bytes bytes (malloc'ed) and dims the sizes. */
static int idx_read(const char *path, int ndim, uint32_t *dims, unsigned char **data,
                    size_t *bytes, char *err)
{
    const char *what = ndim == 3 ? "image" : "label";
    const uint32_t want_magic = IDX_TYPE_U8 << 8 | (uint32_t)ndim;
    unsigned char head[4 + 4 * 3];
    unsigned char *buf = NULL;
    char desc[128];

    *data = NULL;
    *bytes = 0;
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            file_error(err, path, "cannot open (%s); run `make data` or pass --data DIR", strerror(errno));
        else
            file_error(err, path, "cannot open (%s)", errno ? strerror(errno) : "out of memory");
        return -1;
    }
    gzbuffer(f, 1 << 17);   /* bigger reads than the 8 KB default: faster */

    /* The header: magic, then one size per dimension. */
    size_t head_bytes = 4 + 4 * (size_t)ndim;
    long long got = read_upto(f, head, 4);
    if (got == 4) {
        uint32_t magic = be32(head);
        if (head[0] != 0 || head[1] != 0) {
            /* 1f 8b is gzip's own magic: zlib undid one layer and found another */
            int twice = head[0] == 0x1f && head[1] == 0x8b;
            file_error(err, path, "not an IDX %s file (magic 0x%08x, expected 0x%08x)%s", what, magic,
                       want_magic, twice ? "; it is gzip data inside gzip: compressed twice?" : "");
            goto fail;
        }
        if (head[2] != IDX_TYPE_U8) {
            file_error(err, path, "IDX data type 0x%02x is not supported (only unsigned bytes, 0x08; magic 0x%08x)",
                       head[2], magic);
            goto fail;
        }
        if (head[3] != ndim) {
            file_error(err, path, "not an IDX %s file: %d dimensions (magic 0x%08x, expected 0x%08x)%s", what,
                       head[3], magic, want_magic,
                       magic == 0x801 ? ": a label file?" : magic == 0x803 ? ": an image file?" : "");
            goto fail;
        }
        got = read_upto(f, head + 4, head_bytes - 4);
        if (got >= 0)
            got += 4;
    }
    if (gz_failed(f, got < 0, path, err))
        goto fail;
    if ((size_t)got < head_bytes) {
        file_error(err, path, "truncated header: %lld bytes, an IDX %s file starts with %zu%s", got, what,
                   head_bytes, got == 0 ? " (the file is empty)" : "");
        goto fail;
    }

    /* The sizes, against sane bounds, before allocating anything. */
    uint64_t total = 1;
    for (int i = 0; i < ndim; i++)
        dims[i] = be32(head + 4 + 4 * i);
    for (int i = 0; i < ndim; i++) {
        if (dims[i] == 0 || dims[i] > (i == 0 ? IDX_MAX_COUNT : IDX_MAX_SIDE)) {
            if (ndim == 3)
                file_error(err, path, "absurd dimensions: header says %u images of %ux%u "
                           "(allowed: 1 to %u images of 1x1 to %ux%u)", dims[0], dims[1], dims[2],
                           IDX_MAX_COUNT, IDX_MAX_SIDE, IDX_MAX_SIDE);
            else
                file_error(err, path, "absurd dimensions: header says %u labels (allowed: 1 to %u)",
                           dims[0], IDX_MAX_COUNT);
            goto fail;
        }
        total *= dims[i];   /* bounded now: no overflow */
    }
    describe(desc, sizeof desc, ndim, dims);
    if (total > IDX_MAX_BYTES) {
        file_error(err, path, "absurd dimensions: header says %s, more than the %llu bytes allowed", desc,
                   (unsigned long long)IDX_MAX_BYTES);
        goto fail;
    }

    /* The data. The buffer grows with what actually arrives, so a lying header
     * over a short file costs little memory before it is caught. */
    size_t want = (size_t)total, cap = want < READ_CHUNK ? want : READ_CHUNK, have = 0;
    buf = malloc(cap);
    if (!buf) {
        file_error(err, path, "out of memory reading %s", desc);
        goto fail;
    }
    while (have < want) {
        if (have == cap) {
            size_t next = cap > want / 2 ? want : cap * 2;
            unsigned char *grown = realloc(buf, next);
            if (!grown) {
                file_error(err, path, "out of memory reading %s", desc);
                goto fail;
            }
            buf = grown;
            cap = next;
        }
        got = read_upto(f, buf + have, cap - have);
        if (got < 0)
            break;
        have += (size_t)got;
        if (have < cap)
            break;   /* the end of the data came early */
    }
    if (gz_failed(f, got < 0, path, err))
        goto fail;
    if (have < want) {
        file_error(err, path, "truncated: header says %s but the file holds %zu%s", desc, have,
                   gz_cut_short(f) ? " (the gzip stream ends early)" : "");
        goto fail;
    }

    /* Nothing may follow. This read also makes zlib reach the end of the gzip
     * stream and check its CRC, which catches data corrupted in place. */
    unsigned char extra[4096];
    unsigned long long extra_bytes = 0;
    while ((got = read_upto(f, extra, sizeof extra)) > 0)
        extra_bytes += (unsigned long long)got;
    if (gz_failed(f, got < 0, path, err))
        goto fail;
    if (extra_bytes > 0) {
        file_error(err, path, "trailing garbage: %llu bytes after the %s the header announces",
                   extra_bytes, desc);
        goto fail;
    }
    if (gz_cut_short(f)) {
        file_error(err, path, "truncated gzip stream: the data is complete but its checksum is missing");
        goto fail;
    }
    int rc = gzclose(f);
    f = NULL;
    if (rc != Z_OK) {
        file_error(err, path, "error closing the file (zlib error %d)", rc);
        goto fail;
    }
    *data = buf;
    *bytes = want;
    return 0;

fail:
    free(buf);
    if (f)
        gzclose(f);
    return -1;
}

int idx_load_images(const char *path, Tensor *images, char *err)
{
    uint32_t dims[3];
    unsigned char *pixels;
    size_t n;

    memset(images, 0, sizeof *images);
    if (idx_read(path, 3, dims, &pixels, &n, err) != 0)
        return -1;
    real *data = malloc(n * sizeof(real));
    if (!data) {
        file_error(err, path, "out of memory for %zu pixels", n);
        free(pixels);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        data[i] = (real)pixels[i] / (real)255;   /* bytes 0..255 -> [0, 1] */
    free(pixels);

    images->data = data;
    images->ndim = 4;
    images->shape[0] = (int)dims[0];
    images->shape[1] = 1;   /* one channel: grey */
    images->shape[2] = (int)dims[1];
    images->shape[3] = (int)dims[2];
    images->size = n;
    return 0;
}

int idx_load_labels(const char *path, int classes, uint8_t **labels, int *count, char *err)
{
    uint32_t dims[1];
    unsigned char *data;
    size_t n;

    *labels = NULL;
    *count = 0;
    if (classes < 1 || classes > 256)
        return file_error(err, path, "cannot check labels against %d classes (1 to 256)", classes);
    if (idx_read(path, 1, dims, &data, &n, err) != 0)
        return -1;
    /* A label is an index into the net's outputs: one past them would be read
     * (and trained towards) out of bounds, so it is refused here, at the file. */
    for (size_t i = 0; i < n; i++)
        if (data[i] >= classes) {
            file_error(err, path, "label %d at item %zu is outside the %d classes", data[i], i, classes);
            free(data);
            return -1;
        }
    *labels = data;
    *count = (int)dims[0];
    return 0;
}

/* ---- MNIST ------------------------------------------------------------------ */

/* DIR/NAME.gz if it exists, else DIR/NAME if that exists, else DIR/NAME.gz
 * (so that the "cannot open" message names the file `make data` provides). */
static const char *mnist_path(char *buf, size_t size, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    const char *sep = n > 0 && dir[n - 1] == '/' ? "" : "/";
    snprintf(buf, size, "%s%s%s.gz", dir, sep, name);
    if (access(buf, F_OK) == 0)
        return buf;
    snprintf(buf, size, "%s%s%s", dir, sep, name);
    if (access(buf, F_OK) == 0)
        return buf;
    snprintf(buf, size, "%s%s%s.gz", dir, sep, name);
    return buf;
}

/* One half of MNIST: images and labels that must agree in count. */
static int load_set(const char *dir, const char *images_name, const char *labels_name,
                    int classes, Dataset *d, char *err, char *images_path, char *labels_path)
{
    memset(d, 0, sizeof *d);
    mnist_path(images_path, 4096, dir, images_name);
    mnist_path(labels_path, 4096, dir, labels_name);
    if (idx_load_images(images_path, &d->images, err) != 0)
        return -1;
    if (idx_load_labels(labels_path, classes, &d->labels, &d->count, err) != 0) {
        dataset_free(d);
        return -1;
    }
    if (d->count != d->images.shape[0]) {
        file_error(err, labels_path, "%d labels but %s holds %d images", d->count, images_path,
                   d->images.shape[0]);
        dataset_free(d);
        return -1;
    }
    return 0;
}

int mnist_load(const char *dir, int classes, Dataset *train, Dataset *test, char *err)
{
    char train_images[4096], train_labels[4096], test_images[4096], test_labels[4096];

    memset(test, 0, sizeof *test);
    if (load_set(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", classes, train, err,
                 train_images, train_labels) != 0)
        return -1;
    if (load_set(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", classes, test, err,
                 test_images, test_labels) != 0)
        goto fail;

    /* A model trained on one image size cannot be tested on another. */
    if (test->images.shape[2] != train->images.shape[2] || test->images.shape[3] != train->images.shape[3]) {
        file_error(err, test_images, "test images are %dx%d but the training images (%s) are %dx%d",
                   test->images.shape[2], test->images.shape[3], train_images,
                   train->images.shape[2], train->images.shape[3]);
        goto fail;
    }

    train->classes = test->classes = classes;
    return 0;

fail:
    dataset_free(train);
    dataset_free(test);
    return -1;
}

void mnist_load_or_die(const char *dir, int classes, Dataset *train, Dataset *test)
{
    char err[IDX_ERR_SIZE];
    if (mnist_load(dir, classes, train, test, err) != 0) {
        if (strstr(err, "make data"))
            die("%s", err);
        die("%s (run `make data` to fetch and verify the data again)", err);
    }
}
