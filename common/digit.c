#include "digit.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_bytes(const void *a, const void *b)
{
    return *(const uint8_t *)a - *(const uint8_t *)b;
}

/* The background's grey level: the median of the pixels on the image's border. */
static int border_median(const Image *g)
{
    int w = g->width, h = g->height, n = 0;
    uint8_t *border = xmalloc((size_t)2 * (w + h));
    for (int x = 0; x < w; x++) {
        border[n++] = g->pixels[x];
        if (h > 1)
            border[n++] = g->pixels[(size_t)(h - 1) * w + x];
    }
    for (int y = 1; y < h - 1; y++) {
        border[n++] = g->pixels[(size_t)y * w];
        if (w > 1)
            border[n++] = g->pixels[(size_t)y * w + w - 1];
    }
    qsort(border, n, 1, compare_bytes);
    int median = border[n / 2];
    free(border);
    return median;
}

/* Resample n values to m by area averaging: out[j] is the mean of in over the
 * interval [j, j+1) * n/m, each input value covering a unit interval. Works
 * for shrinking and for enlarging. stride: distance between values. */
static void resample_1d(real *out, int m, int out_stride, const real *in, int n, int in_stride)
{
    double step = (double)n / m;
    for (int j = 0; j < m; j++) {
        double a = j * step, b = (j + 1) * step, sum = 0;
        for (int i = (int)a; i < n && i < b; i++) {
            double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
            sum += (hi - lo) * in[(size_t)i * in_stride];
        }
        out[(size_t)j * out_stride] = (real)(sum / step);
    }
}

int digit_prepare(const Image *grey, real *out, char *err)
{
    if (grey->channels != 1 || grey->width < 1 || grey->height < 1) {
        snprintf(err, IMAGE_ERR_SIZE, "digit: expected a grey image");
        return -1;
    }
    const int w = grey->width, h = grey->height;
    /* 1-2: light on dark, background 0, strongest stroke 1 */
    int bg = border_median(grey), invert = bg > 127;
    if (invert)
        bg = 255 - bg;
    real *v = xmalloc((size_t)w * h * sizeof(real));
    int top = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        int p = invert ? 255 - grey->pixels[i] : grey->pixels[i];
        v[i] = (real)p;
        if (p > top)
            top = p;
    }
    if (top - bg < 32) {
        free(v);
        snprintf(err, IMAGE_ERR_SIZE, "no digit found: the image is blank (or its strokes are too faint)");
        return -1;
    }
    int x0 = w, y0 = h, x1 = -1, y1 = -1;       /* bounding box of the ink */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            real *p = &v[(size_t)y * w + x];
            *p = (*p - bg) / (top - bg);
            if (*p < (real)0.1)                 /* paper grain and faint smudges are background */
                *p = 0;
            if (*p > 0) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            }
        }
    /* 3-4: crop to the box, scale its longer side to 20 pixels */
    const int bw = x1 - x0 + 1, bh = y1 - y0 + 1, longer = bw > bh ? bw : bh;
    int sw = (int)lround((double)bw * DIGIT_BOX / longer), sh = (int)lround((double)bh * DIGIT_BOX / longer);
    sw = sw < 1 ? 1 : sw, sh = sh < 1 ? 1 : sh;
    real *rows = xmalloc((size_t)bh * sw * sizeof(real));      /* bh x sw: widths first */
    real *small = xmalloc((size_t)sh * sw * sizeof(real));     /* sh x sw */
    for (int y = 0; y < bh; y++)
        resample_1d(rows + (size_t)y * sw, sw, 1, v + (size_t)(y0 + y) * w + x0, bw, 1);
    for (int x = 0; x < sw; x++)
        resample_1d(small + x, sh, sw, rows + x, bh, sw);
    /* A thin pen on a large canvas thins out when shrunk: bring the strongest back to 1. */
    real peak = 0;
    for (int i = 0; i < sw * sh; i++)
        peak = small[i] > peak ? small[i] : peak;
    /* 5: the centre of mass goes to the centre of the 28x28 image: pixel (14, 14),
     * where MNIST's digits have theirs on average (measured on its test set) */
    double mass = 0, mx = 0, my = 0;
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++) {
            double p = small[(size_t)y * sw + x] /= peak;
            mass += p, mx += p * x, my += p * y;
        }
    int ox = (int)lround(DIGIT_SIZE / 2 - mx / mass), oy = (int)lround(DIGIT_SIZE / 2 - my / mass);
    memset(out, 0, DIGIT_SIZE * DIGIT_SIZE * sizeof(real));
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++) {
            int tx = x + ox, ty = y + oy;
            if (tx >= 0 && tx < DIGIT_SIZE && ty >= 0 && ty < DIGIT_SIZE)
                out[ty * DIGIT_SIZE + tx] = small[(size_t)y * sw + x];
        }
    free(v), free(rows), free(small);
    return 0;
}

int digit_load_png(const char *path, real *out, char *err)
{
    Image img;
    if (image_read_png(path, 1, &img, err) != 0)
        return -1;
    char why[IMAGE_ERR_SIZE];
    int rc = digit_prepare(&img, out, why);
    if (rc != 0)
        file_error(err, path, "%s", why);
    image_free(&img);
    return rc;
}
