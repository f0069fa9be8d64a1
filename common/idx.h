/* idx.h - loading data sets in the IDX format (MNIST, Fashion-MNIST, EMNIST...).
 *
 * Files may be gzip-compressed (read through zlib) or plain. Every check a
 * hostile or broken file could fail is made before memory is allocated: magic,
 * number of dimensions, dimensions against a sane bound, counts against the
 * data actually present, images against labels, gzip errors.
 *
 * Functions that can fail return 0 on success, -1 on failure, with a one-line
 * message naming the file and the problem in err (never printed, never exit). */
#ifndef DL_IDX_H
#define DL_IDX_H

#include <stdint.h>

#include "dataset.h"
#include "file_error.h"
#include "tensor.h"

#define IDX_ERR_SIZE FILE_ERR_SIZE   /* "<path>: <message>", see file_error.h */

/* Images as (count, 1, rows, cols) with pixels scaled to [0, 1]. */
int idx_load_images(const char *path, Tensor *images, char *err);
/* Labels as count bytes, stored in *labels (malloc'ed). Each must be one of the
 * classes 0..classes-1 (0..9 for MNIST): the first that is not is an error
 * naming the file, the label and its item. */
int idx_load_labels(const char *path, int classes, uint8_t **labels, int *count, char *err);

/* Load DIR/train-images-idx3-ubyte(.gz) & co. (the MNIST file names), checking
 * that images and labels agree in count, that train and test have the same
 * image size, and that every label is one of the `classes` the caller's net
 * has (10 for MNIST). On failure returns -1 with the message in err. */
int mnist_load(const char *dir, int classes, Dataset *train, Dataset *test, char *err);
/* Same, but a failure is fatal with a hint to run `make data`. */
void mnist_load_or_die(const char *dir, int classes, Dataset *train, Dataset *test);

#endif
