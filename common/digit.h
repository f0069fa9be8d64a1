/* digit.h - preparing a digit someone drew the way MNIST's digits were prepared,
 * so that a net trained on MNIST sees what it is used to:
 *
 *   1. grey, and light digit on a dark background (inverted if the border is light)
 *   2. background to 0, the strongest stroke to 1
 *   3. cropped to the digit's bounding box
 *   4. scaled to fit a 20x20 box keeping its aspect ratio (area averaging: each
 *      new pixel is the mean of the part of the image it covers)
 *   5. placed in a 28x28 image with its centre of mass at the centre
 *
 * (LeCun et al. describe steps 3-5 for MNIST; 1-2 make any drawing look like
 * their scans: white ink on black.) */
#ifndef DL_DIGIT_H
#define DL_DIGIT_H

#include "image.h"
#include "tensor.h"

#define DIGIT_SIZE 28
#define DIGIT_BOX 20

/* grey: an 8-bit grey image (channels 1) of any size. out: 28*28 values in
 * [0, 1], row-major. Returns 0, or -1 with a one-line reason in err
 * (IMAGE_ERR_SIZE bytes) if no digit can be found (a blank image). */
int digit_prepare(const Image *grey, real *out, char *err);

/* Read a PNG (any colour type) and prepare it. Returns 0, or -1 with err
 * naming the file (unreadable, not a PNG, corrupt, blank). */
int digit_load_png(const char *path, real *out, char *err);

#endif
