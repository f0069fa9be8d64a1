/* image.h - reading and writing PNG images through libpng.
 *
 * Writes are atomic. Reading accepts any PNG (grey, grey+alpha, RGB, RGBA,
 * palette, 1 to 16 bits) and converts it to 8-bit grey or RGBA as asked. */
#ifndef DL_IMAGE_H
#define DL_IMAGE_H

#include <stdint.h>

#include "file_error.h"
#include "tensor.h"

#define IMAGE_ERR_SIZE FILE_ERR_SIZE   /* "<path>: <message>", see file_error.h */

typedef struct {
    int width, height;
    int channels;        /* 1 (grey) or 4 (RGBA) */
    uint8_t *pixels;     /* height rows of width*channels bytes */
} Image;

/* Read a PNG. channels is 1 (convert to grey; transparent pixels composite on white)
 * or 4 (RGBA). Returns 0, or -1 with a message naming the file in err. Images
 * larger than 16384 x 16384 are refused. */
int image_read_png(const char *path, int channels, Image *img, char *err);
/* Write an 8-bit grey (channels 1), RGB (3) or RGBA (4) PNG. Returns 0 or -1 with err. */
int image_write_png(const char *path, const Image *img, char *err);
Image image_new(int width, int height, int channels); /* zero-filled */
void image_free(Image *img);

/* Grey image from floats: each value v maps to 255*(v-lo)/(hi-lo), clamped. */
Image image_from_real(const real *x, int width, int height, real lo, real hi);

/* A grid of grey tiles (each tile_w x tile_h, values mapped with lo/hi as above),
 * `cols` tiles per row, `pad` pixels of border between them, `scale` times
 * enlarged (nearest neighbour). tiles holds count*tile_h*tile_w numbers. */
Image image_grid(const real *tiles, int count, int tile_w, int tile_h,
                 int cols, int pad, int scale, real lo, real hi);

#endif
