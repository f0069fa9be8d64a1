/* image.c - PNG reading and writing with libpng (see image.h).
 *
 * libpng reports errors by longjmp-ing to a jump point set with setjmp(png_jmpbuf(png)).
 * Local variables changed after setjmp are unreliable once it has jumped back, so
 * each function below that calls libpng sets its own jump point and changes no
 * local variable after it; buffers are allocated by the caller beforehand and
 * freed by the caller afterwards, whichever way the function returned. */
#include "image.h"
#include "file_error.h"
#include "util.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMAGE_MAX_SIDE 16384
/* Deflate, PNG's compression, shrinks data at most 1032 times (zlib's documented
 * limit), so a file of n bytes holds at most 1032 n bytes of pixel rows. */
#define DEFLATE_MAX_RATIO 1032

/* Where libpng's error message lands before the longjmp. */
typedef struct {
    char message[200];
} PngError;

static void on_png_error(png_structp png, png_const_charp message)
{
    PngError *e = png_get_error_ptr(png);
    snprintf(e->message, sizeof e->message, "%s", message);
    png_longjmp(png, 1);
}

/* Warnings (an odd optional chunk, say) do not stop reading and are not printed. */
static void on_png_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

Image image_new(int width, int height, int channels)
{
    Image img = {0};
    if (width < 1 || height < 1 || width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE
        || channels < 1 || channels > 4)
        die("image_new: bad size %d x %d x %d", width, height, channels);
    img.width = width;
    img.height = height;
    img.channels = channels;
    img.pixels = xcalloc((size_t)width * (size_t)height * (size_t)channels, 1);
    return img;
}

void image_free(Image *img)
{
    free(img->pixels);
    img->pixels = NULL;
    img->width = img->height = img->channels = 0;
}

/* ---- reading -------------------------------------------------------------------- */

/* The header: the image's size. */
static int read_info(png_structp png, png_infop info, int *width, int *height)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_set_sig_bytes(png, 8);   /* the caller already read the signature */
    png_read_info(png, info);
    *width = (int)png_get_image_width(png, info);
    *height = (int)png_get_image_height(png, info);
    return 0;
}

/* Ask libpng to deliver 8-bit RGBA whatever the file holds: palette to RGB, grey
 * to RGB, 1/2/4-bit grey to 8-bit, 16-bit to 8-bit, a tRNS transparency chunk to
 * an alpha channel, and an opaque alpha channel where there is none. */
static int expand_to_rgba(png_structp png, png_infop info, PngError *e)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (has_trns)
        png_set_tRNS_to_alpha(png);
    if (depth == 16)
        png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (!(color & PNG_COLOR_MASK_ALPHA) && !has_trns)
        png_set_filler(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)png_get_image_width(png, info) * 4) {
        snprintf(e->message, sizeof e->message, "unexpected pixel format after conversion");
        return -1;
    }
    return 0;
}

/* Decode the pixels into the rows the caller allocated, and check the rest of the file. */
static int read_pixels(png_structp png, png_infop info, png_bytep *rows)
{
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_read_image(png, rows);
    png_read_end(png, info);
    return 0;
}

/* One RGBA pixel to grey: composite over white, then luminance 0.299 R + 0.587 G + 0.114 B. */
static uint8_t rgba_to_grey(const uint8_t *p)
{
    double a = p[3] / 255.0, rgb[3];
    for (int c = 0; c < 3; c++)
        rgb[c] = p[c] * a + 255.0 * (1.0 - a);
    double y = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    return (uint8_t)(y + 0.5 > 255 ? 255 : y + 0.5);
}

static int has_png_signature(FILE *f)
{
    unsigned char sig[8];
    return fread(sig, 1, 8, f) == 8 && png_sig_cmp(sig, 0, 8) == 0;
}

/* The size of an open regular file, or -1 if it is not one (a pipe, say). */
static long long file_bytes(FILE *f)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (long long)st.st_size;
}

/* A header over a few bytes of data must not make us allocate its pixels: 1 if
 * the rows it announces could not fit in the file even at deflate's best. */
static int more_rows_than_fit(png_structp png, png_infop info, int height, long long size)
{
    unsigned long long row_data = (unsigned long long)height * png_get_rowbytes(png, info);
    return size >= 0 && row_data > DEFLATE_MAX_RATIO * (unsigned long long)size;
}

/* Decode an open PNG file (signature already read) into 8-bit RGBA. */
static int decode_rgba(FILE *f, const char *path, Image *rgba, char *err)
{
    PngError e = {"unknown error"};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &e, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        file_error(err, path, "out of memory in libpng");
        return -1;
    }
    png_init_io(png, f);
    /* lift libpng's own limit (a million pixels a side) so that every oversized
     * image gets our message below instead of a libpng error */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    int width = 0, height = 0, r = -1;
    png_bytep *rows = NULL;
    long long size = file_bytes(f);
    if (read_info(png, info, &width, &height) != 0)
        file_error(err, path, "corrupt PNG (%s)", e.message);
    else if (width > IMAGE_MAX_SIDE || height > IMAGE_MAX_SIDE)
        file_error(err, path, "image is %d x %d; images over %d pixels a side are refused",
                   width, height, IMAGE_MAX_SIDE);
    else if (more_rows_than_fit(png, info, height, size))
        file_error(err, path, "truncated PNG: a file of %lld bytes cannot hold the pixels "
                   "of a %d x %d image", size, width, height);
    else if (expand_to_rgba(png, info, &e) != 0)
        file_error(err, path, "corrupt PNG (%s)", e.message);
    else
        r = 0;
    if (r == 0) {
        *rgba = image_new(width, height, 4);
        rows = xmalloc((size_t)height * sizeof *rows);
        for (int y = 0; y < height; y++)
            rows[y] = rgba->pixels + (size_t)y * (size_t)width * 4;
        if (read_pixels(png, info, rows) != 0) {
            file_error(err, path, "corrupt PNG (%s)", e.message);
            image_free(rgba);
            r = -1;
        }
    }
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return r;
}

int image_read_png(const char *path, int channels, Image *img, char *err)
{
    if (channels != 1 && channels != 4)
        return file_error(err, path, "can read as 1 or 4 channels, not %d", channels);
    FILE *f = fopen(path, "rb");
    if (!f)
        return file_error(err, path, "cannot open: %s", strerror(errno));
    if (!has_png_signature(f)) {
        fclose(f);
        file_error(err, path, "not a PNG file");
        return -1;
    }
    Image rgba;
    int r = decode_rgba(f, path, &rgba, err);
    fclose(f);
    if (r != 0)
        return -1;
    if (channels == 4) {
        *img = rgba;
        return 0;
    }
    *img = image_new(rgba.width, rgba.height, 1);
    size_t n = (size_t)rgba.width * (size_t)rgba.height;
    for (size_t i = 0; i < n; i++)
        img->pixels[i] = rgba_to_grey(rgba.pixels + 4 * i);
    image_free(&rgba);
    return 0;
}

/* ---- writing --------------------------------------------------------------------- */

static int write_rows(png_structp png, png_infop info, FILE *f, const Image *img)
{
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    if (setjmp(png_jmpbuf(png)))
        return -1;
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                 color_types[img->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t stride = (size_t)img->width * (size_t)img->channels;
    for (int y = 0; y < img->height; y++)
        png_write_row(png, img->pixels + (size_t)y * stride);
    png_write_end(png, info);
    return 0;
}

int image_write_png(const char *path, const Image *img, char *err)
{
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return file_error(err, path, "cannot write %d channels (1, 3 or 4)", img->channels);
    if (img->width < 1 || img->height < 1 || !img->pixels)
        return file_error(err, path, "cannot write an empty image");
    AtomicFile af;
    if (atomic_open(&af, path) != 0)
        return file_error(err, path, "cannot write: %s", strerror(errno));
    PngError e = {"unknown error"};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int r = info ? write_rows(png, info, af.f, img) : -1;
    png_destroy_write_struct(&png, &info);
    if (r != 0) {
        atomic_abort(&af);
        file_error(err, path, "cannot write PNG (%s)", info ? e.message : "out of memory");
        return -1;
    }
    if (atomic_close(&af) != 0)
        return file_error(err, path, "write failed: %s", strerror(errno));
    return 0;
}

/* ---- from numbers ------------------------------------------------------------------ */

/* 255 * (v - lo) / (hi - lo), rounded and clamped to 0..255 (NaN gives 0). */
static uint8_t to_byte(real v, real lo, real hi)
{
    double t = hi > lo ? 255.0 * ((double)v - (double)lo) / ((double)hi - (double)lo) : 0;
    if (!(t > 0))
        return 0;
    if (t >= 255)
        return 255;
    return (uint8_t)(t + 0.5);
}

Image image_from_real(const real *x, int width, int height, real lo, real hi)
{
    Image img = image_new(width, height, 1);
    for (size_t i = 0; i < (size_t)width * (size_t)height; i++)
        img.pixels[i] = to_byte(x[i], lo, hi);
    return img;
}

/* The grid: rows of `cols` tiles with `pad` pixels between neighbours (none around
 * the outside), the whole picture then enlarged `scale` times, padding included:
 *   width  = (cols * tile_w + (cols - 1) * pad) * scale
 *   height = (rows * tile_h + (rows - 1) * pad) * scale,  rows = ceil(count / cols)
 * (with cols reduced to count when there are fewer tiles than that).
 * The padding, and any unused places in the last row, are mid-grey (128): it stands
 * out both from black backgrounds (MNIST digits) and from white strokes. */
Image image_grid(const real *tiles, int count, int tile_w, int tile_h,
                 int cols, int pad, int scale, real lo, real hi)
{
    if (count < 1 || tile_w < 1 || tile_h < 1 || cols < 1 || pad < 0 || scale < 1)
        die("image_grid: bad arguments (count %d, tile %d x %d, cols %d, pad %d, scale %d)",
            count, tile_w, tile_h, cols, pad, scale);
    if (cols > count)
        cols = count;
    int rows = (count + cols - 1) / cols;
    int w = cols * tile_w + (cols - 1) * pad, h = rows * tile_h + (rows - 1) * pad;
    Image img = image_new(w * scale, h * scale, 1);
    memset(img.pixels, 128, (size_t)img.width * (size_t)img.height);
    for (int t = 0; t < count; t++) {
        const real *tile = tiles + (size_t)t * (size_t)tile_w * (size_t)tile_h;
        int x0 = (t % cols) * (tile_w + pad), y0 = (t / cols) * (tile_h + pad);
        for (int y = 0; y < tile_h * scale; y++)
            for (int x = 0; x < tile_w * scale; x++) {
                size_t out = (size_t)(y0 * scale + y) * (size_t)img.width + (size_t)(x0 * scale + x);
                img.pixels[out] = to_byte(tile[(y / scale) * tile_w + x / scale], lo, hi);
            }
    }
    return img;
}
