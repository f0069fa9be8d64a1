/* make_corpus.c - writes the fuzz targets' seed files into fuzz/corpus/<target>/.
 *
 * libFuzzer starts from these examples and mutates them, so each folder holds a
 * few small valid files (the fuzzer learns the format from them) and a few
 * broken ones (each reaches one of the loader's checks). Files named ok-* must
 * load and bad-* must fail cleanly: tests/test_fuzz_corpus.c checks both in
 * `make test`. Run by `make fuzz-corpus`; the output is committed. */
#include "image.h"
#include "model.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static const char *root;

static void write_file(const char *target, const char *name, const void *data, size_t n)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, target);
    if (make_dirs(dir) != 0)
        die("%s: cannot create the folder", dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        die("%s: cannot write", path);
}

static void write_text(const char *target, const char *name, const char *text)
{
    write_file(target, name, text, strlen(text));
}

/* The whole of a file (which this program just wrote). */
static unsigned char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("%s: cannot read", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = xmalloc(*n);
    if (fread(b, 1, *n, f) != *n)
        die("%s: cannot read", path);
    fclose(f);
    return b;
}

/* data compressed as a gzip file, in memory (deflateInit2 with 16 + 15: gzip wrapper). */
static unsigned char *gzip(const void *data, size_t n, size_t *out_n)
{
    z_stream z = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("zlib: deflateInit2 failed");
    size_t cap = deflateBound(&z, (uLong)n) + 32;
    unsigned char *out = xmalloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("zlib: deflate failed");
    *out_n = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* ---- IDX ------------------------------------------------------------------------ */

/* 3 images of 4x5 (pixel i is i * 13 % 256): 76 bytes. */
static size_t idx_images(unsigned char *b)
{
    put_be32(b, 0x803), put_be32(b + 4, 3), put_be32(b + 8, 4), put_be32(b + 12, 5);
    for (int i = 0; i < 60; i++)
        b[16 + i] = (unsigned char)(i * 13 % 256);
    return 76;
}

/* 10 labels, 0 to 9: 18 bytes. */
static size_t idx_labels(unsigned char *b)
{
    put_be32(b, 0x801), put_be32(b + 4, 10);
    for (int i = 0; i < 10; i++)
        b[8 + i] = (unsigned char)i;
    return 18;
}

/* The IDX files both IDX targets start from; fuzz_idx_gz compresses them itself. */
static void idx_plain(const char *target)
{
    unsigned char b[128], c[128];
    size_t n = idx_images(b);
    write_file(target, "ok-images", b, n);
    write_file(target, "bad-images-truncated", b, n - 30);
    write_file(target, "bad-images-as-labels-count", b, 12);
    memcpy(c, b, n);
    put_be32(c + 4, 0x7fffffff);                       /* 2^31 - 1 images of 4x5 */
    write_file(target, "bad-images-absurd-count", c, n);
    memcpy(c, b, n);
    c[2] = 0x0D;                                       /* float data: not supported */
    write_file(target, "bad-images-float-type", c, n);

    n = idx_labels(b);
    write_file(target, "ok-labels", b, n);
    memcpy(c, b, n);
    memcpy(c + n, "xyz", 3);
    write_file(target, "bad-labels-trailing-garbage", c, n + 3);
    memcpy(c, b, n);
    memset(c + 8, 200, 10);                            /* outside the 10 classes */
    write_file(target, "bad-labels-200", c, n);
    write_file(target, "bad-empty", b, 0);
}

static void idx(void)
{
    idx_plain("idx");
    unsigned char b[128];
    size_t n = idx_images(b), gz_n;
    unsigned char *gz = gzip(b, n, &gz_n);
    write_file("idx", "ok-images.gz", gz, gz_n);
    write_file("idx", "bad-images-gz-truncated", gz, gz_n - 6);
    gz[gz_n / 2] ^= 0x55;                              /* corrupt in place: the CRC catches it */
    write_file("idx", "bad-images-gz-corrupt", gz, gz_n);
    free(gz);
    n = idx_labels(b);
    gz = gzip(b, n, &gz_n);
    write_file("idx", "ok-labels.gz", gz, gz_n);
    size_t twice_n;
    unsigned char *twice = gzip(gz, gz_n, &twice_n);   /* compressed twice */
    write_file("idx", "bad-labels-gz-twice", twice, twice_n);
    free(twice);
    free(gz);
}

/* ---- PNG ------------------------------------------------------------------------ */

static void write_png(const char *name, const Image *img)
{
    char path[1024], err[IMAGE_ERR_SIZE];
    snprintf(path, sizeof path, "%s/png/%s", root, name);
    if (image_write_png(path, img, err) != 0)
        die("%s", err);
}

/* A "7": a bar along the top and a diagonal down, in a w x h image. */
static int on_stroke(int x, int y, int w, int h)
{
    int top = y >= h / 5 && y < h / 5 + 2 && x >= w / 4 && x < 3 * w / 4;
    int diag = y >= h / 5 && y < 4 * h / 5
               && abs((3 * w / 4 - x) * (3 * h / 5) - (y - h / 5) * (w / 2)) < w * 2;
    return top || diag;
}

static void png(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/png", root);
    make_dirs(dir);

    Image g = image_new(28, 28, 1);                    /* white ink on black, like MNIST */
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
            g.pixels[y * 28 + x] = on_stroke(x, y, 28, 28) ? 255 : 0;
    write_png("ok-digit-grey.png", &g);

    Image rgb = image_new(24, 16, 3);                  /* dark blue ink on white paper */
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 24; x++) {
            int ink = on_stroke(x, y, 24, 16);
            uint8_t *p = rgb.pixels + 3 * (y * 24 + x);
            p[0] = ink ? 20 : 250, p[1] = ink ? 30 : 245, p[2] = ink ? 120 : 240;
        }
    write_png("ok-digit-rgb.png", &rgb);

    Image rgba = image_new(12, 12, 4);                 /* black ink, transparent paper */
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            rgba.pixels[4 * (y * 12 + x) + 3] = on_stroke(x, y, 12, 12) ? 255 : 0;
    write_png("ok-digit-rgba.png", &rgba);

    Image blank = image_new(8, 8, 1);                  /* no digit to find */
    memset(blank.pixels, 255, 64);
    write_png("bad-blank.png", &blank);

    char path[1024];
    size_t n;
    snprintf(path, sizeof path, "%s/png/ok-digit-grey.png", root);
    unsigned char *b = read_file(path, &n);
    write_file("png", "bad-truncated.png", b, n / 2);
    b[n - 20] ^= 0x01;                                 /* inside the last IDAT: bad CRC */
    write_file("png", "bad-crc.png", b, n);
    free(b);

    /* a valid signature and header claiming 20000 x 20000 pixels, and nothing else */
    unsigned char huge[8 + 25] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *ihdr = huge + 8;
    put_be32(ihdr, 13);
    memcpy(ihdr + 4, "IHDR", 4);
    put_be32(ihdr + 8, 20000), put_be32(ihdr + 12, 20000);
    ihdr[16] = 8, ihdr[17] = 0, ihdr[18] = 0, ihdr[19] = 0, ihdr[20] = 0;   /* 8-bit grey */
    put_be32(ihdr + 21, (uint32_t)crc32(0, ihdr + 4, 17));
    write_file("png", "bad-huge.png", huge, sizeof huge);
    write_text("png", "bad-not-a-png.png", "GIF89a, not a PNG\n");

    image_free(&g), image_free(&rgb), image_free(&rgba), image_free(&blank);
}

/* ---- safetensors ------------------------------------------------------------------- */

/* The network fuzz_model and fuzz_model_header load into: W (2x3) and b (3). */
static void small_net(ParamSet *ps)
{
    params_init(ps);
    params_add(ps, "W", 2, (int[]){2, 3}, 1);
    params_add(ps, "b", 1, (int[]){3}, 0);
    params_alloc(ps);
    for (size_t i = 0; i < ps->size; i++)
        ps->values[i] = (real)(i + 1) / 4;
}

/* A safetensors file from a JSON header and data bytes. */
static void write_model(const char *name, const char *json, const void *data, size_t data_n)
{
    size_t n = strlen(json);
    unsigned char *b = xmalloc(8 + n + data_n);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, json, n);
    if (data_n)
        memcpy(b + 8 + n, data, data_n);
    write_file("model", name, b, 8 + n + data_n);
    free(b);
}

static void model(void)
{
    char dir[512], path[1024], err[MODEL_ERR_SIZE];
    snprintf(dir, sizeof dir, "%s/model", root);
    make_dirs(dir);
    ParamSet ps;
    small_net(&ps);
    const char *meta[] = {"network", "small", "note", "caf\xc3\xa9 \"quoted\"", NULL};
    snprintf(path, sizeof path, "%s/ok-small.safetensors", dir);
    if (model_save(path, &ps, meta, err) != 0)
        die("%s", err);
    params_free(&ps);

    size_t n;
    unsigned char *b = read_file(path, &n);
    write_file("model", "bad-truncated.safetensors", b, n - 4);
    unsigned char big[16];
    memcpy(big, b, 16);
    big[5] = 1;                                        /* header length 2^40 */
    write_file("model", "bad-header-length.safetensors", big, 16);
    free(b);

    /* F64 data, as Python's safetensors writes a float64 array: 9 doubles */
    unsigned char f64[72];
    for (int i = 0; i < 9; i++) {
        double d = (i + 1) / 8.0;
        uint64_t u;
        memcpy(&u, &d, 8);
        for (int k = 0; k < 8; k++)
            f64[8 * i + k] = (unsigned char)(u >> (8 * k));
    }
    write_model("ok-f64.safetensors",
                "{\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[48,72]},"
                "\"W\":{\"dtype\":\"F64\",\"shape\":[2,3],\"data_offsets\":[0,48]}}", f64, 72);
    unsigned char f32[36] = {0};
    write_model("bad-dtype.safetensors",
                "{\"W\":{\"dtype\":\"I32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}", f32, 36);
    write_model("bad-overlap.safetensors",
                "{\"W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[20,32]}}", f32, 36);
    write_model("bad-missing-tensor.safetensors",
                "{\"W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", f32, 24);
    write_model("bad-json.safetensors",
                "{\"W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},}", f32, 24);
    unsigned char nan[36] = {0};
    nan[2] = 0xc0, nan[3] = 0x7f;                      /* W[0] is a NaN (0x7fc00000) */
    write_model("bad-nan.safetensors",
                "{\"W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}", nan, 36);
    write_model("bad-empty.safetensors", "", NULL, 0);
}

/* The JSON headers fuzz_model_header starts from (it adds the length and 36 data bytes). */
static void model_header(void)
{
    write_text("model_header", "ok-small.json",
               "{\"__metadata__\":{\"network\":\"small\"},"
               "\"W\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
               "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}    ");
    write_text("model_header", "ok-escapes.json",
               "{ \"b\" : { \"shape\" : [ 3 ] , \"dtype\" : \"F32\", \"data_offsets\" : [ 0 , 12 ] } ,\n"
               "  \"__metadata__\" : { \"n\\u00e9\\ud83d\\ude00\\n\\\"\\/\" : \"\\t\\\\\" },\n"
               "  \"\\u0057\" : { \"dtype\" : \"F32\", \"shape\" : [2, 3], \"data_offsets\" : [12, 36] } }");
    write_text("model_header", "bad-leading-zero.json",
               "{\"W\":{\"dtype\":\"F32\",\"shape\":[02,3],\"data_offsets\":[0,24]}}");
    write_text("model_header", "bad-lone-surrogate.json", "{\"__metadata__\":{\"k\":\"\\ud800\"}}");
    write_text("model_header", "bad-utf8.json", "{\"__metadata__\":{\"k\":\"\xc0\xaf\"}}");
    write_text("model_header", "bad-duplicate.json",
               "{\"W\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}");
    write_text("model_header", "bad-huge-number.json",
               "{\"W\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,24]}}");
    write_text("model_header", "bad-nested.json", "{\"__metadata__\":{\"k\":{\"k\":[[[]]]}}}");
    write_text("model_header", "bad-unterminated.json", "{\"W");
}

/* ---- options ----------------------------------------------------------------------- */

/* Command lines as NUL-separated words (sizeof - 1: without the string's own final NUL). */
#define WORDS(target, name, literal) write_file(target, name, literal, sizeof literal - 1)

static void options(void)
{
    WORDS("options", "ok-train", "train\0--epochs\0" "3\0--batch=50");
    WORDS("options", "ok-every-option", "--lr\0" "0.5\0--seed\0" "7\0--threads\0" "2\0--data\0d\0--out=o\0"
          "--quiet\0--iters\0-3\0--decay=1e-3\0--model\0m.safetensors\0--verbose\0predict\0x.png");
    WORDS("options", "ok-help", "--epochs\0" "2\0--help");
    WORDS("options", "bad-batch-ten", "--batch\0ten");
    WORDS("options", "bad-lr-negative", "--lr=-1");
    WORDS("options", "bad-epochs-range", "--epochs\0" "0");
    WORDS("options", "bad-unknown", "--no-such-option");
    WORDS("options", "bad-missing-value", "train\0--epochs");
    WORDS("options", "bad-flag-value", "--quiet=yes");
    WORDS("options", "bad-three-words", "a\0b\0c");
}

/* ---- texts (fuzz_corpus) -------------------------------------------------------------- */

/* Texts for the corpus loader, and vocabulary strings for its parsers (the
 * target parses every input both ways). ok-* must load as text. */
static void corpus(void)
{
    const char *shakespeare = "First Citizen:\nBefore we proceed any further, hear me speak.\n\n"
                              "All:\nSpeak, speak.\n\nMENENIUS:\nO'er to-morrow--'tis \"so\" (I think)!\n";
    write_text("corpus", "ok-shakespeare.txt", shakespeare);
    write_text("corpus", "ok-greek.txt", "\xCE\x9B\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82 caf\xC3\xA9 \xC3\x89T\xC3\x89 "
               "\xD0\x9C\xD0\xB8\xD1\x80 \xF0\x9F\x98\x80\r\n");   /* Λόγος café ÉTÉ Мир 😀 */
    write_text("corpus", "ok-bom.txt", "\xEF\xBB\xBFWhat's in a name?\n");
    write_text("corpus", "ok-vocab-chars", "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    write_text("corpus", "ok-vocab-words", "first citizen : before we proceed any further , hear me speak . o'er --");
    write_text("corpus", "ok-vocab-repeated", "to be or not to be");
    write_text("corpus", "ok-blank", " \t\n");                    /* characters, but no words */
    write_text("corpus", "bad-empty", "");
    write_file("corpus", "bad-binary", "abc\n\x89PNG\0\0\x01", 11);
    write_text("corpus", "bad-latin1.txt", "caf\xE9 au lait\n");
    write_text("corpus", "bad-overlong", "a\xC0\xAF" "b");
    write_text("corpus", "bad-surrogate", "a\xED\xA0\x80");
    size_t gz_n;
    unsigned char *gz = gzip(shakespeare, strlen(shakespeare), &gz_n);
    write_file("corpus", "ok-shakespeare.txt.gz", gz, gz_n);
    write_file("corpus", "bad-truncated.gz", gz, gz_n - 10);
    size_t twice_n;
    unsigned char *twice = gzip(gz, gz_n, &twice_n);
    write_file("corpus", "bad-twice.gz", twice, twice_n);
    free(twice);
    free(gz);
}

/* ---- the playground's requests (fuzz_playground) -------------------------------------------- */

/* The first byte chooses the endpoint: 'd' /api/digit, 't' /api/text, 'a'
 * /api/add, 'y' /api/date, 'g' /api/gan (fuzz_playground.c). */
static void playground(void)
{
    write_text("playground", "ok-drawing", "d{\"width\": 4, \"height\": 3, \"pixels\": "
               "[255, 255, 255, 255, 255, 0, 40.5, 255, 255, 255, 255, 255]}");
    char image[8192];
    size_t n = (size_t)snprintf(image, sizeof image, "d{\"image\": [0");
    for (int i = 1; i < 784; i++)
        n += (size_t)snprintf(image + n, sizeof image - n, ",%s", i % 29 == 3 ? "0.75" : "0");
    snprintf(image + n, sizeof image - n, "]}");
    write_text("playground", "ok-image", image);
    write_text("playground", "ok-text", "t{\"prompt\": \"caf\u00e9: a\", \"temperature\": 0.8, "
               "\"length\": 40, \"top_k\": 3, \"seed\": 7}");
    write_text("playground", "ok-text-empty", "t{}");
    write_text("playground", "bad-blank", "d{\"width\": 2, \"height\": 1, \"pixels\": [9, 9]}");
    write_text("playground", "bad-size", "d{\"width\": 2, \"height\": 2, \"pixels\": [0]}");
    write_text("playground", "bad-range", "d{\"width\": 1, \"height\": 1, \"pixels\": [1e3]}");
    write_text("playground", "bad-both", "d{\"image\": [], \"width\": 1}");
    write_text("playground", "bad-json", "d{\"width\": [1, 2}");
    write_text("playground", "bad-prompt", "t{\"prompt\": \"XYZ\", \"length\": 0}");
    write_text("playground", "bad-field", "t{\"temperature\": 1, \"temperature\": 2}");
    write_text("playground", "ok-add", "a{\"problem\": \"17+385\"}");
    write_text("playground", "bad-add", "a{\"problem\": \"17+3855\"}");
    write_text("playground", "ok-date", "y{\"text\": \"27 sep 94\"}");
    write_text("playground", "bad-date", "y{\"text\": \"27 sep 94 \u00e9\"}");
    write_text("playground", "ok-gan-seed", "g{\"model\": \"cgan\", \"digit\": 7, \"seed\": 3}");
    char z[1024];
    n = (size_t)snprintf(z, sizeof z, "g{\"digit\": 2, \"z\": [0.5");
    for (int i = 1; i < 100; i++)
        n += (size_t)snprintf(z + n, sizeof z - n, ", %s", i % 7 ? "0" : "-1.25");
    snprintf(z + n, sizeof z - n, "]}");
    write_text("playground", "ok-gan-z", z);
    write_text("playground", "bad-gan", "g{\"model\": \"cgan\", \"digit\": 10, \"z\": [1e3]}");
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: make_corpus DIR   (make fuzz-corpus writes fuzz/corpus)");
    root = argv[1];
    idx();
    idx_plain("idx_gz");
    png();
    model();
    model_header();
    options();
    corpus();
    playground();
    return 0;
}
