/* test_idx.c - the IDX loader: good files load (plain and gzip), and every way
 * a file can be broken is refused with a one-line message naming the file.
 * Small files are crafted in a temporary directory; the real MNIST is loaded
 * at the end (`make test` fetches it into data/mnist). */
#include "idx.h"
#include "test.h"

#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static char tmp_dir[64];

/* tmp_dir/name into buf (PATH_SIZE bytes). */
#define PATH_SIZE 512
static char *join(char *buf, const char *dir, const char *name)
{
    if (snprintf(buf, PATH_SIZE, "%s/%s", dir, name) >= PATH_SIZE) {
        printf("path too long: %s/%s\n", dir, name);
        exit(1);
    }
    return buf;
}

static char *tmp_path(char *buf, const char *name)
{
    return join(buf, tmp_dir, name);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The pixel the crafted files hold at flat index i: varied, and 0 at i = 0. */
static unsigned char pixel(size_t i)
{
    return (unsigned char)((i * 37 + i / 7) % 256);
}

/* An IDX image file in memory: magic, sizes, then count*rows*cols pixels
 * (pass with_data 0 to get the header alone). Free the result. */
static unsigned char *make_images(uint32_t count, uint32_t rows, uint32_t cols, int with_data,
                                  size_t *len)
{
    size_t n = with_data ? (size_t)count * rows * cols : 0;
    unsigned char *b = malloc(16 + n);
    put32(b, 0x00000803);
    put32(b + 4, count);
    put32(b + 8, rows);
    put32(b + 12, cols);
    for (size_t i = 0; i < n; i++)
        b[16 + i] = pixel(i);
    *len = 16 + n;
    return b;
}

/* An IDX label file: label i is first + i % modulo. */
static unsigned char *make_labels(uint32_t count, int first, int modulo, size_t *len)
{
    unsigned char *b = malloc(8 + count);
    put32(b, 0x00000801);
    put32(b + 4, count);
    for (uint32_t i = 0; i < count; i++)
        b[8 + i] = (unsigned char)(first + (int)(i % (uint32_t)modulo));
    *len = 8 + count;
    return b;
}

static void write_plain(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        printf("cannot write %s\n", path);
        exit(1);
    }
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile f = gzopen(path, "wb");
    if (!f || (n > 0 && gzwrite(f, data, (unsigned)n) != (int)n) || gzclose(f) != Z_OK) {
        printf("cannot write %s\n", path);
        exit(1);
    }
}

/* The whole of a file, for damaging it. */
static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("cannot read %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = malloc(*n ? *n : 1);
    if (fread(b, 1, *n, f) != *n)
        exit(1);
    fclose(f);
    return b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A failure as the loader promises it: -1, nothing left allocated, one line
 * naming the file and containing `needle`. */
static void check_error(int rc, const char *err, const char *path, const char *needle)
{
    int ok = rc == -1 && strstr(err, path) && strstr(err, needle) && !strchr(err, '\n');
    CHECK(rc == -1);
    CHECK(strstr(err, path) != NULL);
    CHECK(strstr(err, needle) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    if (!ok)
        printf("    (message was: \"%s\", wanted one containing \"%s\")\n", err, needle);
}

static void expect_image_error(const char *path, const char *needle)
{
    Tensor t;
    char err[IDX_ERR_SIZE] = "";
    int rc = idx_load_images(path, &t, err);
    check_error(rc, err, path, needle);
    CHECK(t.data == NULL);
    if (rc == 0)
        tensor_free(&t);
}

static void expect_label_error(const char *path, const char *needle)
{
    uint8_t *labels;
    int count;
    char err[IDX_ERR_SIZE] = "";
    int rc = idx_load_labels(path, 10, &labels, &count, err);
    check_error(rc, err, path, needle);
    CHECK(labels == NULL);
    if (rc == 0)
        free(labels);
}

/* ---- good files ------------------------------------------------------------- */

static void check_good_images(const char *path)
{
    Tensor t;
    char err[IDX_ERR_SIZE] = "";
    CHECK(idx_load_images(path, &t, err) == 0);
    if (!t.data) {
        printf("    (message: %s)\n", err);
        return;
    }
    CHECK(t.ndim == 4);
    CHECK(t.shape[0] == 3 && t.shape[1] == 1 && t.shape[2] == 4 && t.shape[3] == 5);
    CHECK(t.size == 60);
    int exact = 1;
    for (size_t i = 0; i < t.size; i++)
        if (fabs((double)t.data[i] - pixel(i) / 255.0) > 1e-7)
            exact = 0;
    CHECK(exact);
    CHECK(t.data[0] == 0);                      /* pixel 0 is 0 */
    CHECK_NEAR(t.data[7], 4 / 255.0, 1e-7);     /* pixel(7) = (7*37 + 1) % 256 = 4 */
    tensor_free(&t);
}

static void test_images_plain(void)
{
    char p[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);
    write_plain(tmp_path(p, "good-images"), b, n);
    free(b);
    check_good_images(p);
}

static void test_images_gz(void)
{
    char p[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);
    write_gz(tmp_path(p, "good-images.gz"), b, n);
    free(b);
    check_good_images(p);
}

static void test_pixels_span_0_to_1(void)
{
    char p[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(1, 16, 16, 1, &n);
    for (int i = 0; i < 256; i++)
        b[16 + i] = (unsigned char)i;     /* every byte value once */
    write_plain(tmp_path(p, "ramp"), b, n);
    free(b);
    Tensor t;
    char err[IDX_ERR_SIZE];
    CHECK(idx_load_images(p, &t, err) == 0);
    if (!t.data)
        return;
    CHECK(t.data[0] == 0);
    CHECK(t.data[255] == 1);
    CHECK_NEAR(t.data[128], 128 / 255.0, 1e-7);
    tensor_free(&t);
}

static void test_labels_plain_and_gz(void)
{
    char p[PATH_SIZE], q[PATH_SIZE];
    size_t n;
    unsigned char *b = make_labels(25, 0, 10, &n);
    write_plain(tmp_path(p, "good-labels"), b, n);
    write_gz(tmp_path(q, "good-labels.gz"), b, n);
    free(b);
    const char *paths[2] = {p, q};
    for (int k = 0; k < 2; k++) {
        uint8_t *labels;
        int count;
        char err[IDX_ERR_SIZE];
        CHECK(idx_load_labels(paths[k], 10, &labels, &count, err) == 0);
        if (!labels)
            continue;
        CHECK(count == 25);
        CHECK(labels[0] == 0 && labels[9] == 9 && labels[10] == 0 && labels[24] == 4);
        free(labels);
    }
    /* The same labels for a net of 5 classes: label 5 (item 5) is the first outside them. */
    uint8_t *labels;
    int count;
    char err[IDX_ERR_SIZE] = "";
    check_error(idx_load_labels(q, 5, &labels, &count, err), err, q, "label 5 at item 5 is outside the 5 classes");
    CHECK(labels == NULL && count == 0);
    check_error(idx_load_labels(q, 0, &labels, &count, err), err, q, "cannot check labels against 0 classes");
}

/* A small MNIST-shaped directory: 5 training and 3 test images of 4x5.
 * Files may be .gz or plain; mnist_load finds either. */
static void make_small_mnist(const char *dir, int test_label_first, uint32_t test_labels_count,
                             uint32_t test_rows)
{
    char p[PATH_SIZE];
    size_t n;
    mkdir(dir, 0755);
    unsigned char *b = make_images(5, 4, 5, 1, &n);
    join(p, dir, "train-images-idx3-ubyte.gz");
    write_gz(p, b, n);
    free(b);
    b = make_labels(5, 0, 5, &n);                      /* 0 1 2 3 4 */
    join(p, dir, "train-labels-idx1-ubyte");
    write_plain(p, b, n);
    free(b);
    b = make_images(3, test_rows, 5, 1, &n);
    join(p, dir, "t10k-images-idx3-ubyte");
    write_plain(p, b, n);
    free(b);
    b = make_labels(test_labels_count, test_label_first, 100, &n);
    join(p, dir, "t10k-labels-idx1-ubyte.gz");
    write_gz(p, b, n);
    free(b);
}

static void test_mnist_load_small(void)
{
    char dir[PATH_SIZE];
    make_small_mnist(tmp_path(dir, "small"), 5, 3, 4);   /* test labels 5 6 7 */
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    CHECK(mnist_load(dir, 8, &train, &test, err) == 0);
    if (!train.labels) {
        printf("    (message: %s)\n", err);
        return;
    }
    CHECK(train.count == 5 && test.count == 3);
    CHECK(train.images.shape[0] == 5 && train.images.shape[2] == 4 && train.images.shape[3] == 5);
    CHECK(test.images.shape[0] == 3);
    CHECK(train.classes == 8 && test.classes == 8);     /* as asked */
    CHECK(train.labels[4] == 4 && test.labels[2] == 7);

    /* head: the first 2 examples, copied */
    Dataset h = dataset_head(&train, 2);
    CHECK(h.count == 2 && h.images.shape[0] == 2 && h.images.size == 40 && h.classes == 8);
    CHECK(h.images.data != train.images.data && h.images.data[39] == train.images.data[39]);
    CHECK(h.labels[1] == 1);
    dataset_free(&h);
    h = dataset_head(&train, 0);    /* 0: all of it */
    CHECK(h.count == 5);
    dataset_free(&h);

    /* gather: examples 4 and 1, in that order */
    int idx[2] = {4, 1}, t[2];
    real x[40];
    dataset_gather(&train, idx, 2, x, t);
    CHECK(t[0] == 4 && t[1] == 1);
    CHECK(x[0] == train.images.data[4 * 20] && x[39] == train.images.data[1 * 20 + 19]);

    dataset_free(&train);
    dataset_free(&test);
    CHECK(train.labels == NULL && train.images.data == NULL);
}

static void test_gz_preferred_over_plain(void)
{
    /* With NAME.gz present, a broken plain NAME beside it is not read. */
    char dir[PATH_SIZE], p[PATH_SIZE];
    make_small_mnist(tmp_path(dir, "both"), 0, 3, 4);
    join(p, dir, "t10k-labels-idx1-ubyte");
    write_plain(p, "junk", 4);
    Dataset train, test;
    char err[IDX_ERR_SIZE];
    CHECK(mnist_load(dir, 10, &train, &test, err) == 0);
    dataset_free(&train);
    dataset_free(&test);
}

/* ---- broken files ----------------------------------------------------------- */

static void test_truncated_data(void)
{
    char p[PATH_SIZE], q[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);
    write_plain(tmp_path(p, "short-images"), b, n - 10);
    write_gz(tmp_path(q, "short-images.gz"), b, n - 10);
    free(b);
    expect_image_error(p, "truncated: header says 3 images of 4x5 (60 bytes) but the file holds 50");
    expect_image_error(q, "truncated: header says 3 images of 4x5 (60 bytes) but the file holds 50");

    b = make_labels(10, 0, 10, &n);
    write_plain(tmp_path(p, "short-labels"), b, n - 1);
    free(b);
    expect_label_error(p, "truncated: header says 10 labels but the file holds 9");
}

static void test_truncated_header(void)
{
    char p[PATH_SIZE], q[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);
    write_plain(tmp_path(p, "short-header"), b, 10);
    write_gz(tmp_path(q, "short-header.gz"), b, 2);
    free(b);
    expect_image_error(p, "truncated header");
    expect_image_error(q, "truncated header");
    write_plain(tmp_path(p, "empty"), "", 0);
    expect_image_error(p, "empty");
    expect_label_error(p, "empty");
}

static void test_wrong_magic(void)
{
    char p[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);

    /* a file compressed twice: zlib undoes one layer and finds gzip inside */
    write_gz(tmp_path(p, "twice.gz"), b, n);
    size_t zn;
    unsigned char *z = read_all(p, &zn);
    write_gz(p, z, zn);
    free(z);
    expect_image_error(p, "not an IDX image file (magic 0x1f8b0800, expected 0x00000803); it is gzip data inside gzip");

    /* an IDX file of floats (type 0x0d) */
    b[0] = 0, b[1] = 0, b[2] = 0x0d, b[3] = 3;
    write_plain(tmp_path(p, "float-idx"), b, n);
    expect_image_error(p, "0x0d is not supported");
    free(b);

    /* a label file given as images, and the other way round */
    b = make_labels(10, 0, 10, &n);
    write_plain(tmp_path(p, "labels-as-images"), b, n);
    free(b);
    expect_image_error(p, "not an IDX image file: 1 dimensions (magic 0x00000801, expected 0x00000803)");
    b = make_images(3, 4, 5, 1, &n);
    write_gz(tmp_path(p, "images-as-labels.gz"), b, n);
    free(b);
    expect_label_error(p, "not an IDX label file: 3 dimensions");
}

static void test_absurd_dimensions(void)
{
    char p[PATH_SIZE];
    size_t n;
    double t0 = now();

    /* 2^31 images: refused from the header alone, before any allocation */
    unsigned char *b = make_images(0x80000000u, 28, 28, 0, &n);
    write_plain(tmp_path(p, "huge-count"), b, n);
    free(b);
    expect_image_error(p, "absurd dimensions: header says 2147483648 images of 28x28");

    b = make_images(5, 0, 28, 0, &n);
    write_plain(tmp_path(p, "zero-rows"), b, n);
    free(b);
    expect_image_error(p, "absurd dimensions");

    b = make_images(5, 28, 70000, 0, &n);
    write_plain(tmp_path(p, "wide"), b, n);
    free(b);
    expect_image_error(p, "absurd dimensions");

    /* each size allowed, the product not: 10M images of 4096x4096 */
    b = make_images(10000000, 4096, 4096, 0, &n);
    write_plain(tmp_path(p, "huge-total"), b, n);
    free(b);
    expect_image_error(p, "bytes allowed");

    b = make_labels(1, 0, 1, &n);
    put32(b + 4, 0xffffffffu);
    write_plain(tmp_path(p, "huge-labels"), b, n);
    free(b);
    expect_label_error(p, "absurd dimensions");

    /* a plausible header (1M images of 28x28) over 100 bytes of data: the
     * buffer grows with the data that arrives, so this is quick and cheap */
    b = make_images(1000000, 28, 28, 0, &n);
    unsigned char file[116] = {0};
    memcpy(file, b, 16);
    free(b);
    write_plain(tmp_path(p, "lying-header"), file, sizeof file);
    expect_image_error(p, "(784000000 bytes) but the file holds 100");

    double elapsed = now() - t0;
    CHECK(elapsed < 0.5);
    if (elapsed >= 0.5)
        printf("    (took %.2f s)\n", elapsed);
}

static void test_trailing_garbage(void)
{
    char p[PATH_SIZE], q[PATH_SIZE];
    size_t n;
    unsigned char *b = make_images(3, 4, 5, 1, &n);
    unsigned char *longer = malloc(n + 7);
    memcpy(longer, b, n);
    memset(longer + n, 0xAA, 7);
    write_plain(tmp_path(p, "trailing"), longer, n + 7);
    write_gz(tmp_path(q, "trailing.gz"), longer, n + 7);
    free(b);
    free(longer);
    expect_image_error(p, "trailing garbage: 7 bytes");
    expect_image_error(q, "trailing garbage: 7 bytes");
}

/* A .gz big enough that its middle is deep inside the compressed data. */
static void write_big_gz(const char *path)
{
    size_t n;
    unsigned char *b = make_images(200, 28, 28, 1, &n);
    for (size_t i = 16; i < n; i++)         /* less regular, so it compresses less */
        b[i] = (unsigned char)(b[i] ^ (i * 2654435761u >> 13));
    write_gz(path, b, n);
    free(b);
}

static void test_corrupt_gzip(void)
{
    char p[PATH_SIZE], q[PATH_SIZE];
    size_t n;

    /* bytes flipped in the middle of the compressed stream */
    write_big_gz(tmp_path(p, "corrupt.gz"));
    unsigned char *z = read_all(p, &n);
    for (size_t i = n / 2; i < n / 2 + 16; i++)
        z[i] ^= 0xFF;
    write_plain(p, z, n);
    expect_image_error(p, "corrupt");

    /* only the CRC in the trailer is wrong: the data decompresses fine, and
     * only reading to the end of the stream notices */
    write_big_gz(tmp_path(q, "bad-crc.gz"));
    free(z);
    z = read_all(q, &n);
    z[n - 8] ^= 0x01;
    write_plain(q, z, n);
    expect_image_error(q, "incorrect data check");

    /* the .gz file cut in half */
    write_big_gz(tmp_path(q, "half.gz"));
    free(z);
    z = read_all(q, &n);
    write_plain(q, z, n / 2);
    expect_image_error(q, "gzip stream ends early");

    /* the data complete, the 8-byte trailer (CRC and size) missing */
    write_big_gz(tmp_path(q, "no-trailer.gz"));
    free(z);
    z = read_all(q, &n);
    write_plain(q, z, n - 8);
    expect_image_error(q, "checksum is missing");
    free(z);
}

static void test_missing_file(void)
{
    char p[PATH_SIZE];
    expect_image_error(tmp_path(p, "no-such-file"),
                       "cannot open (No such file or directory); run `make data` or pass --data DIR");
    expect_label_error(p, "cannot open (No such file or directory)");

    /* mnist_load names the .gz it looked for */
    char dir[PATH_SIZE], want[PATH_SIZE];
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    tmp_path(dir, "no-such-dir");
    join(want, dir, "train-images-idx3-ubyte.gz");
    check_error(mnist_load(dir, 10, &train, &test, err), err, want, "cannot open");
    CHECK(train.labels == NULL && test.labels == NULL);
}

static void test_count_mismatch(void)
{
    char dir[PATH_SIZE], labels[PATH_SIZE];
    make_small_mnist(tmp_path(dir, "mismatch"), 0, 4, 4);    /* 3 test images, 4 labels */
    join(labels, dir, "t10k-labels-idx1-ubyte.gz");
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    check_error(mnist_load(dir, 10, &train, &test, err), err, labels, "4 labels but");
    CHECK(strstr(err, "holds 3 images") != NULL);
    CHECK(train.labels == NULL && train.images.data == NULL && test.labels == NULL);
}

static void test_image_size_mismatch(void)
{
    char dir[PATH_SIZE], images[PATH_SIZE];
    make_small_mnist(tmp_path(dir, "sizes"), 0, 3, 6);      /* test images 6x5, train 4x5 */
    join(images, dir, "t10k-images-idx3-ubyte");
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    check_error(mnist_load(dir, 10, &train, &test, err), err, images, "test images are 6x5");
}

/* A label outside the net's classes is an error naming the labels file and the
 * first bad item (a test set labelled 200 once scored "accuracy 0.0000" and exit 0). */
static void test_label_out_of_range(void)
{
    char dir[PATH_SIZE], labels[PATH_SIZE];
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    make_small_mnist(tmp_path(dir, "range"), 200, 3, 4);    /* test labels 200 201 202 */
    join(labels, dir, "t10k-labels-idx1-ubyte.gz");
    check_error(mnist_load(dir, 10, &train, &test, err), err, labels, "label 200 at item 0 is outside the 10 classes");
    CHECK(train.labels == NULL && train.images.data == NULL && test.labels == NULL);

    make_small_mnist(tmp_path(dir, "range2"), 8, 3, 4);     /* test labels 8 9 10 */
    join(labels, dir, "t10k-labels-idx1-ubyte.gz");
    check_error(mnist_load(dir, 10, &train, &test, err), err, labels, "label 10 at item 2 is outside the 10 classes");
    CHECK(mnist_load(dir, 11, &train, &test, err) == 0);    /* a net of 11 classes takes them */
    CHECK(train.classes == 11 && test.classes == 11);
    dataset_free(&train);
    dataset_free(&test);
    /* the training labels (0..4) are checked too */
    make_small_mnist(tmp_path(dir, "range3"), 0, 3, 4);
    join(labels, dir, "train-labels-idx1-ubyte");
    check_error(mnist_load(dir, 4, &train, &test, err), err, labels, "label 4 at item 4 is outside the 4 classes");
}

/* ---- the real thing --------------------------------------------------------- */

static void test_real_mnist(void)
{
    Dataset train, test;
    char err[IDX_ERR_SIZE] = "";
    CHECK(mnist_load(test_data_dir(), 10, &train, &test, err) == 0);
    if (!train.labels) {
        printf("    (%s)\n", err);
        return;
    }
    CHECK(train.count == 60000 && test.count == 10000);
    CHECK(train.images.shape[0] == 60000 && train.images.shape[1] == 1);
    CHECK(train.images.shape[2] == 28 && train.images.shape[3] == 28);
    CHECK(test.images.shape[0] == 10000 && test.images.shape[2] == 28 && test.images.shape[3] == 28);
    CHECK(train.classes == 10 && test.classes == 10);
    CHECK(train.labels[0] == 5 && test.labels[0] == 7);     /* the famous first digits */

    /* how many of each digit: the well-known class sizes */
    static const int train_counts[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    static const int test_counts[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    int tc[10] = {0}, vc[10] = {0};
    for (int i = 0; i < train.count; i++)
        tc[train.labels[i]]++;
    for (int i = 0; i < test.count; i++)
        vc[test.labels[i]]++;
    int same = 1;
    for (int k = 0; k < 10; k++)
        same &= tc[k] == train_counts[k] && vc[k] == test_counts[k];
    CHECK(same);

    /* pixels in [0, 1], with the ink at full strength somewhere */
    real lo = 1, hi = 0;
    for (size_t i = 0; i < train.images.size; i++) {
        if (train.images.data[i] < lo) lo = train.images.data[i];
        if (train.images.data[i] > hi) hi = train.images.data[i];
    }
    CHECK(lo == 0 && hi == 1);
    dataset_free(&train);
    dataset_free(&test);
}

/* ---- setup ------------------------------------------------------------------ */

/* Remove dir and everything below it (the tests only make files and folders). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[PATH_SIZE];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        join(p, dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    strcpy(tmp_dir, "/tmp/test_idx.XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_images_plain);
    RUN(test_images_gz);
    RUN(test_pixels_span_0_to_1);
    RUN(test_labels_plain_and_gz);
    RUN(test_mnist_load_small);
    RUN(test_gz_preferred_over_plain);
    RUN(test_truncated_data);
    RUN(test_truncated_header);
    RUN(test_wrong_magic);
    RUN(test_absurd_dimensions);
    RUN(test_trailing_garbage);
    RUN(test_corrupt_gzip);
    RUN(test_missing_file);
    RUN(test_count_mismatch);
    RUN(test_image_size_mismatch);
    RUN(test_label_out_of_range);
    RUN(test_real_mnist);
    remove_tree(tmp_dir);
    return test_summary();
}
