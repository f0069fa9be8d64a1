/* test_image.c - PNG files (round trips, conversions, broken files), image grids,
 * and the plotting helpers (TSV logs, gnuplot PNGs, the text plot). */
#include "image.h"
#include "plot.h"
#include "test.h"
#include "test_files.h"

#include <dirent.h>
#include <png.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];   /* a fresh temporary directory for this run */

static const char *tmp_path(char *buf, const char *name)
{
    snprintf(buf, 256, "%s/%s", dir, name);
    return buf;
}

/* Send stderr to a file for a while, to check (and hide) the warnings a test provokes. */
static int saved_stderr = -1;

static void stderr_to(const char *path)
{
    fflush(stderr);
    saved_stderr = dup(2);
    FILE *f = fopen(path, "w");
    dup2(fileno(f), 2);
    fclose(f);
}

static void stderr_back(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
}

static int is_png(const char *path)
{
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    int yes = b && n > 8 && png_sig_cmp(b, 0, 8) == 0;
    free(b);
    return yes;
}

/* A PNG in any format libpng can write, made with libpng directly (image_write_png
 * only writes 8-bit grey, RGB and RGBA). rows holds height rows of raw PNG bytes. */
static void write_raw_png(const char *path, int width, int height, int depth, int color,
                          const unsigned char *rows, size_t row_bytes,
                          const png_color *palette, int palette_size, const png_byte *trns, int trns_size)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        printf("libpng could not write the test image %s\n", path);
        exit(1);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, depth, color,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette)
        png_set_PLTE(png, info, palette, palette_size);
    if (trns)
        png_set_tRNS(png, info, trns, trns_size, NULL);
    png_write_info(png, info);
    for (int y = 0; y < height; y++)
        png_write_row(png, rows + (size_t)y * row_bytes);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

/* Reading path must fail with one line that starts with the path and contains `what`. */
static void expect_read_fails(const char *path, const char *what)
{
    char err[IMAGE_ERR_SIZE] = "";
    Image img = {0};
    CHECK(image_read_png(path, 4, &img, err) == -1);
    CHECK(img.pixels == NULL);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(strstr(err, what) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    if (!strstr(err, what) || getenv("TEST_VERBOSE"))
        printf("    %s\n", err);
}

/* ---- round trips -------------------------------------------------------------------- */

static void test_grey_round_trip(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(7, 5, 1), b, c;
    for (int i = 0; i < 35; i++)
        a.pixels[i] = (uint8_t)(i * 7);
    CHECK(image_write_png(tmp_path(path, "grey.png"), &a, err) == 0);
    CHECK(is_png(path));
    CHECK(image_read_png(path, 1, &b, err) == 0);
    CHECK(b.width == 7 && b.height == 5 && b.channels == 1);
    CHECK(memcmp(a.pixels, b.pixels, 35) == 0);
    CHECK(image_read_png(path, 4, &c, err) == 0);   /* grey as RGBA: r = g = b, opaque */
    CHECK(c.channels == 4);
    CHECK(c.pixels[4 * 9] == a.pixels[9] && c.pixels[4 * 9 + 2] == a.pixels[9] && c.pixels[4 * 9 + 3] == 255);
    CHECK(test_no_temp_files_left(dir));
    image_free(&a);
    image_free(&b);
    image_free(&c);
}

static void test_rgb_round_trip(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(4, 3, 3), b;
    for (int i = 0; i < 36; i++)
        a.pixels[i] = (uint8_t)(i * 13 + 5);
    CHECK(image_write_png(tmp_path(path, "rgb.png"), &a, err) == 0);
    CHECK(image_read_png(path, 4, &b, err) == 0);
    CHECK(b.width == 4 && b.height == 3 && b.channels == 4);
    int same = 1;
    for (int p = 0; p < 12; p++)
        for (int k = 0; k < 3; k++)
            same &= b.pixels[4 * p + k] == a.pixels[3 * p + k];
    CHECK(same);
    CHECK(b.pixels[3] == 255 && b.pixels[47] == 255);
    image_free(&a);
    image_free(&b);
}

static void test_rgba_round_trip(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(3, 2, 4), b;
    for (int i = 0; i < 24; i++)
        a.pixels[i] = (uint8_t)(i * 11);
    CHECK(image_write_png(tmp_path(path, "rgba.png"), &a, err) == 0);
    CHECK(image_read_png(path, 4, &b, err) == 0);
    CHECK(b.channels == 4 && memcmp(a.pixels, b.pixels, 24) == 0);
    image_free(&a);
    image_free(&b);
}

/* Grey = 0.299 R + 0.587 G + 0.114 B, rounded. */
static void test_rgb_to_grey(void)
{
    static const uint8_t rgb[5][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}, {255, 255, 255}};
    static const uint8_t grey[5] = {76, 150, 29, 18, 255};
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(5, 1, 3), b;
    memcpy(a.pixels, rgb, sizeof rgb);
    CHECK(image_write_png(tmp_path(path, "colours.png"), &a, err) == 0);
    CHECK(image_read_png(path, 1, &b, err) == 0);
    CHECK(b.channels == 1 && b.width == 5);
    for (int i = 0; i < 5; i++)
        CHECK(b.pixels[i] == grey[i]);
    image_free(&a);
    image_free(&b);
}

/* Transparent pixels become white in grey; half transparent ones half way. */
static void test_alpha_over_white(void)
{
    static const uint8_t rgba[4][4] = {{0, 0, 0, 0}, {0, 0, 0, 255}, {0, 0, 0, 128}, {255, 0, 0, 128}};
    static const uint8_t grey[4] = {255, 0, 127, 165};
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(4, 1, 4), b;
    memcpy(a.pixels, rgba, sizeof rgba);
    CHECK(image_write_png(tmp_path(path, "alpha.png"), &a, err) == 0);
    CHECK(image_read_png(path, 1, &b, err) == 0);
    for (int i = 0; i < 4; i++)
        CHECK(b.pixels[i] == grey[i]);
    image_free(&a);
    image_free(&b);
}

/* 16-bit grey keeps the high byte; 16-bit RGB the same per channel. */
static void test_16_bit(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    const unsigned char grey16[6] = {0xAB, 0xCD, 0x00, 0xFF, 0xFF, 0xFF};   /* big-endian samples */
    Image img;
    write_raw_png(tmp_path(path, "grey16.png"), 3, 1, 16, PNG_COLOR_TYPE_GRAY, grey16, 6, NULL, 0, NULL, 0);
    CHECK(image_read_png(path, 1, &img, err) == 0);
    CHECK(img.width == 3 && img.pixels[0] == 0xAB && img.pixels[1] == 0x00 && img.pixels[2] == 0xFF);
    image_free(&img);
    const unsigned char rgb16[12] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xFF, 0xFF, 0, 0, 0x80, 0};
    write_raw_png(path, 2, 1, 16, PNG_COLOR_TYPE_RGB, rgb16, 12, NULL, 0, NULL, 0);
    CHECK(image_read_png(path, 4, &img, err) == 0);
    CHECK(img.pixels[0] == 0x12 && img.pixels[1] == 0x56 && img.pixels[2] == 0x9A && img.pixels[3] == 255);
    CHECK(img.pixels[4] == 0xFF && img.pixels[5] == 0 && img.pixels[6] == 0x80 && img.pixels[7] == 255);
    image_free(&img);
}

/* A 2-bit palette with a transparent entry, and 1-bit grey. */
static void test_palette_and_low_bit_depth(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    const png_color palette[3] = {{255, 0, 0}, {0, 0, 255}, {9, 9, 9}};
    const png_byte trns[3] = {255, 255, 0};   /* entry 2 is fully transparent */
    const unsigned char row[1] = {0x18};      /* 2-bit indices 0, 1, 2, 0 */
    Image img;
    write_raw_png(tmp_path(path, "palette.png"), 4, 1, 2, PNG_COLOR_TYPE_PALETTE, row, 1, palette, 3, trns, 3);
    CHECK(image_read_png(path, 4, &img, err) == 0);
    const uint8_t want[16] = {255, 0, 0, 255, 0, 0, 255, 255, 9, 9, 9, 0, 255, 0, 0, 255};
    CHECK(img.width == 4 && memcmp(img.pixels, want, 16) == 0);
    image_free(&img);
    CHECK(image_read_png(path, 1, &img, err) == 0);
    CHECK(img.pixels[0] == 76 && img.pixels[1] == 29 && img.pixels[2] == 255);
    image_free(&img);

    const unsigned char bits[1] = {0xA0};     /* 1-bit grey: 1, 0, 1, 0 */
    write_raw_png(tmp_path(path, "bits.png"), 4, 1, 1, PNG_COLOR_TYPE_GRAY, bits, 1, NULL, 0, NULL, 0);
    CHECK(image_read_png(path, 1, &img, err) == 0);
    CHECK(img.pixels[0] == 255 && img.pixels[1] == 0 && img.pixels[2] == 255 && img.pixels[3] == 0);
    image_free(&img);
}

/* ---- broken files ------------------------------------------------------------------- */

/* A small valid PNG to break. */
static unsigned char *good_png(size_t *n)
{
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(16, 16, 3);
    for (int i = 0; i < 16 * 16 * 3; i++)
        a.pixels[i] = (uint8_t)(i * 31);
    if (image_write_png(tmp_path(path, "good.png"), &a, err) != 0)
        printf("    %s\n", err);
    image_free(&a);
    return test_read_bytes(path, n);
}

/* Offset of the IDAT chunk's data. */
static size_t idat_data(const unsigned char *b, size_t n)
{
    for (size_t i = 4; i + 4 <= n; i++)
        if (memcmp(b + i, "IDAT", 4) == 0)
            return i + 4;
    return 0;
}

static void test_broken_files_fail(void)
{
    char path[256];
    test_write_bytes(tmp_path(path, "text.png"), "hello, I am not a picture\n", 26);
    expect_read_fails(path, "not a PNG file");
    test_write_bytes(path, "", 0);
    expect_read_fails(path, "not a PNG file");
    expect_read_fails(tmp_path(path, "missing.png"), "cannot open");

    size_t n;
    unsigned char *b = good_png(&n);
    size_t idat = idat_data(b, n);
    CHECK(idat > 0);
    size_t cuts[] = {8, 20, idat, idat + 10, n - 13, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        test_write_bytes(tmp_path(path, "cut.png"), b, cuts[i]);
        expect_read_fails(path, "corrupt PNG (");
    }
    /* a flipped byte in the compressed pixels: the chunk's CRC no longer matches */
    b[idat + 5] ^= 0x5A;
    test_write_bytes(tmp_path(path, "flipped.png"), b, n);
    expect_read_fails(path, "corrupt PNG (");
    free(b);
}

/* Flipped bytes with the CRC made to match again: zlib or libpng must catch the damage. */
static void test_corrupt_pixel_data_fails(void)
{
    char path[256];
    size_t n;
    unsigned char *b = good_png(&n);
    size_t idat = idat_data(b, n);
    uint32_t len = (uint32_t)b[idat - 8] << 24 | (uint32_t)b[idat - 7] << 16 | (uint32_t)b[idat - 6] << 8 | b[idat - 5];
    memset(b + idat + 2, 0xFF, 12);   /* garbage right after the zlib header */
    uLong crc = crc32(0L, b + idat - 4, len + 4);   /* over the type and the data */
    for (int i = 0; i < 4; i++)
        b[idat + len + (size_t)i] = (unsigned char)(crc >> (24 - 8 * i));
    test_write_bytes(tmp_path(path, "garbage.png"), b, n);
    expect_read_fails(path, "corrupt PNG (");
    free(b);
}

static void test_huge_image_refused(void)
{
    char path[256];
    unsigned char *row = calloc(20000, 1);
    write_raw_png(tmp_path(path, "wide.png"), 20000, 1, 8, PNG_COLOR_TYPE_GRAY, row, 20000, NULL, 0, NULL, 0);
    free(row);
    expect_read_fails(path, "20000 x 1");
}

/* A 16000 x 16000 header over three rows of data (126 bytes in all) once made the
 * reader allocate 1 GB before finding the data missing (a fuzzer with a 256 MB
 * allocation limit reports it). Now the header is weighed against the file first. */
static void test_header_bigger_than_the_file_refused(void)
{
    char path[256];
    unsigned char *rows = calloc(16000 * 3, 1);
    write_raw_png(tmp_path(path, "tall.png"), 16000, 3, 8, PNG_COLOR_TYPE_GRAY, rows, 16000, NULL, 0, NULL, 0);
    free(rows);
    /* the same file, its header claiming 16000 rows (and its checksum fixed to match) */
    size_t n;
    unsigned char *b = test_read_bytes(path, &n);
    CHECK(n > 33 && memcmp(b + 12, "IHDR", 4) == 0);
    b[20] = 16000 >> 24, b[21] = (16000 >> 16) & 0xff, b[22] = (16000 >> 8) & 0xff, b[23] = 16000 & 0xff;
    uLong crc = crc32(0, b + 12, 17);
    b[29] = (unsigned char)(crc >> 24), b[30] = (unsigned char)(crc >> 16);
    b[31] = (unsigned char)(crc >> 8), b[32] = (unsigned char)crc;
    test_write_bytes(path, b, n);
    free(b);
    char want[128];
    snprintf(want, sizeof want, "truncated PNG: a file of %zu bytes cannot hold the pixels of a 16000 x 16000 image", n);
    expect_read_fails(path, want);
}

/* ---- writing ------------------------------------------------------------------------ */

static void test_write_is_atomic(void)
{
    char path[256], err[IMAGE_ERR_SIZE];
    Image a = image_new(2, 2, 1), b;
    CHECK(image_write_png(tmp_path(path, "no/such/dir/x.png"), &a, err) == -1);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK(test_no_temp_files_left(dir));
    tmp_path(path, "replace.png");
    test_write_bytes(path, "old contents", 12);
    a.pixels[3] = 200;
    CHECK(image_write_png(path, &a, err) == 0);
    CHECK(image_read_png(path, 1, &b, err) == 0);
    CHECK(b.pixels[3] == 200);
    CHECK(test_no_temp_files_left(dir));
    image_free(&a);
    image_free(&b);
}

/* ---- from numbers ----------------------------------------------------------------------- */

static void test_image_from_real(void)
{
    const real x[6] = {-1, 0, 0.5, 1, 2, NAN};
    Image img = image_from_real(x, 3, 2, 0, 1);
    CHECK(img.width == 3 && img.height == 2 && img.channels == 1);
    const uint8_t want[6] = {0, 0, 128, 255, 255, 0};
    CHECK(memcmp(img.pixels, want, 6) == 0);
    image_free(&img);
}

static void test_image_grid(void)
{
    /* 5 tiles of 3 x 2, 3 to a row: 2 rows; 1 pixel between; all twice as big */
    real tiles[5 * 6];
    for (int i = 0; i < 30; i++)
        tiles[i] = (real)(i / 6) / 4;   /* tile t is all t/4 */
    Image g = image_grid(tiles, 5, 3, 2, 3, 1, 2, 0, 1);
    CHECK(g.width == (3 * 3 + 2 * 1) * 2 && g.height == (2 * 2 + 1 * 1) * 2 && g.channels == 1);
    CHECK(g.pixels[0] == 0);                                    /* tile 0 */
    CHECK(g.pixels[6] == 128);                                   /* padding right of tile 0 */
    CHECK(g.pixels[8] == 64 && g.pixels[(size_t)3 * g.width + 13] == 64);   /* tile 1 */
    CHECK(g.pixels[(size_t)4 * g.width] == 128);                 /* padding row */
    CHECK(g.pixels[(size_t)6 * g.width + 8] == 255);             /* tile 4 */
    CHECK(g.pixels[(size_t)9 * g.width + 21] == 128);            /* the empty sixth place */
    image_free(&g);
    /* fewer tiles than columns: one row just wide enough */
    g = image_grid(tiles, 2, 3, 2, 10, 1, 1, 0, 1);
    CHECK(g.width == 7 && g.height == 2);
    image_free(&g);
    g = image_grid(tiles, 1, 3, 2, 1, 4, 3, 0, 1);
    CHECK(g.width == 9 && g.height == 6);
    image_free(&g);
}

/* ---- plots --------------------------------------------------------------------------------- */

/* Run fn in a child process with stdout going to out_path (stderr to out_path.err),
 * and PATH emptied when
 * hide_gnuplot is set (the child has not looked for gnuplot yet, see main).
 * Returns the child's exit status. */
static int in_child(int (*fn)(void), const char *out_path, int hide_gnuplot)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        if (hide_gnuplot)
            setenv("PATH", "/nonexistent", 1);
        char err_path[300];
        snprintf(err_path, sizeof err_path, "%s.err", out_path);
        if (!freopen(out_path, "w", stdout) || !freopen(err_path, "w", stderr))
            _exit(99);
        int r = fn();
        fflush(stdout);
        fflush(stderr);   /* a reopened stderr is buffered like any file */
        _exit(r);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

static const double PX[5] = {1, 2, 3, 4, 5}, PY[5] = {2.5, 1.25, 0.75, 0.5, 0.4};

static int plot_without_gnuplot(void)
{
    char png[256];
    if (have_gnuplot())
        return 1;
    if (plot_png(tmp_path(png, "nognuplot.png"), 400, 300, "plot x") != -1)
        return 2;
    plot_terminal("loss by epoch", PX, PY, 5);
    return 0;
}

static int terminal_plot(void)
{
    plot_terminal("loss by epoch", PX, PY, 5);
    return 0;
}

/* Must run before anything in this process calls have_gnuplot (which remembers). */
static void test_plots_without_gnuplot(void)
{
    char out[256], png[256];
    CHECK(in_child(plot_without_gnuplot, tmp_path(out, "text-plot.txt"), 1) == 0);
    size_t n;
    char *text = (char *)test_read_bytes(out, &n);
    CHECK(text && strncmp(text, "loss by epoch\n", 14) == 0);
    CHECK(text && strstr(text, "       2.5 |*") != NULL);   /* the first point, top left */
    CHECK(text && strstr(text, "       0.4 |") != NULL);
    CHECK(text && strchr(text, '.') != NULL);               /* joined by dots */
    if (getenv("TEST_VERBOSE") && text)
        printf("%s", text);
    free(text);
    CHECK(access(tmp_path(png, "nognuplot.png"), F_OK) != 0);
    text = (char *)test_read_bytes(tmp_path(out, "text-plot.txt.err"), &n);
    CHECK(text && strstr(text, "note: gnuplot is not installed") == text);
    CHECK(text && strstr(text, "sudo apt-get install gnuplot-nox") != NULL);
    free(text);
    CHECK(test_no_temp_files_left(dir));
}

static void test_terminal_plot(void)
{
    char out[256];
    CHECK(in_child(terminal_plot, tmp_path(out, "terminal-plot.txt"), 0) == 0);
    size_t n;
    char *text = (char *)test_read_bytes(out, &n);
    CHECK(text && strncmp(text, "loss by epoch\n", 14) == 0);
    CHECK(n > 200);   /* a picture, from gnuplot or the built-in plot */
    free(text);
}

static void test_tsv_log(void)
{
    char path[256];
    TsvLog *log = tsv_open(tmp_path(path, "log.tsv"), "epoch\tloss\tacc");
    tsv_row(log, (double[]){1, 0.5, 0.25}, 3);
    tsv_row(log, (double[]){2, 0.123456789, 1e-7}, 3);
    CHECK(access(path, F_OK) != 0);   /* nothing under the real name until closed */
    tsv_close(log);
    size_t n;
    char *text = (char *)test_read_bytes(path, &n);
    CHECK(text && strcmp(text, "epoch\tloss\tacc\n1\t0.5\t0.25\n2\t0.123457\t1e-07\n") == 0);
    free(text);
    CHECK(test_no_temp_files_left(dir));
    /* a log that cannot be written is a warning and a NULL, which the others accept */
    char warnings[256];
    stderr_to(tmp_path(warnings, "tsv-warnings.txt"));
    log = tsv_open(tmp_path(path, "no/such/dir/log.tsv"), "x");
    tsv_row(log, (double[]){1}, 1);
    tsv_close(log);
    stderr_back();
    CHECK(log == NULL);
    text = (char *)test_read_bytes(warnings, &n);
    CHECK(text && strstr(text, "warning: cannot write ") == text && strstr(text, path));
    free(text);
}

static void test_plot_png(void)
{
    char tsv[256], png[256], script[1024];
    TsvLog *log = tsv_open(tmp_path(tsv, "loss.tsv"), "epoch\tloss");
    for (int i = 0; i < 5; i++)
        tsv_row(log, (double[]){PX[i], PY[i]}, 2);
    tsv_close(log);
    snprintf(script, sizeof script,
             "set title 'loss'\nset xlabel 'epoch'\nset key autotitle columnhead\n"
             "plot '%s' using 1:2 with linespoints", tsv);
    tmp_path(png, "loss.png");
    if (!have_gnuplot()) {
        CHECK(plot_png(png, 640, 400, script) == -1);
        return;
    }
    CHECK(plot_png(png, 640, 400, script) == 0);
    CHECK(is_png(png));
    CHECK(test_no_temp_files_left(dir));
    /* a script gnuplot rejects: -1, gnuplot's message passed on, no PNG, no temporaries */
    char warnings[256];
    stderr_to(tmp_path(warnings, "plot-warnings.txt"));
    CHECK(plot_png(tmp_path(png, "bad.png"), 640, 400, "plot no_such_function(x)") == -1);
    stderr_back();
    CHECK(access(png, F_OK) != 0);
    CHECK(test_no_temp_files_left(dir));
    size_t n;
    char *text = (char *)test_read_bytes(warnings, &n);
    CHECK(text && strstr(text, "gnuplot: ") && strstr(text, "undefined function"));
    CHECK(text && strstr(text, "warning: gnuplot could not make "));
    free(text);
    /* a path that would break out of gnuplot's quotes */
    stderr_to(warnings);
    CHECK(plot_png(tmp_path(png, "it's.png"), 640, 400, "plot x") == -1);
    stderr_back();
    CHECK(access(png, F_OK) != 0);
    text = (char *)test_read_bytes(warnings, &n);
    CHECK(text && strstr(text, "quote"));
    free(text);
}

/* ---- setup --------------------------------------------------------------------------------- */

int main(void)
{
    test_make_temp_dir(dir, sizeof dir, "test_image");
    RUN(test_plots_without_gnuplot);   /* first: see in_child */
    RUN(test_grey_round_trip);
    RUN(test_rgb_round_trip);
    RUN(test_rgba_round_trip);
    RUN(test_rgb_to_grey);
    RUN(test_alpha_over_white);
    RUN(test_16_bit);
    RUN(test_palette_and_low_bit_depth);
    RUN(test_broken_files_fail);
    RUN(test_corrupt_pixel_data_fails);
    RUN(test_huge_image_refused);
    RUN(test_header_bigger_than_the_file_refused);
    RUN(test_write_is_atomic);
    RUN(test_image_from_real);
    RUN(test_image_grid);
    RUN(test_tsv_log);
    RUN(test_plot_png);
    RUN(test_terminal_plot);
    if (getenv("TEST_KEEP"))   /* TEST_KEEP=1 leaves the files to look at */
        printf("files kept in %s\n", dir);
    else
        test_remove_dir(dir);
    return test_summary();
}
