/* dataset.h - a labelled data set in memory, and what the chapters do with it:
 * copy a mini-batch out of it, take a part of it, free it.
 *
 * idx.c fills one from IDX files (mnist_load); the nets score one with their
 * accuracy functions. */
#ifndef DL_DATASET_H
#define DL_DATASET_H

#include <stdint.h>

#include "tensor.h"

/* Images (count, channels, H, W), labels 0..classes-1, one byte each, and the
 * number of classes (every label is below it). */
typedef struct {
    Tensor images;
    uint8_t *labels;
    int count;
    int classes;
} Dataset;

void dataset_free(Dataset *d);

/* Copy the examples idx[0..n) into a batch: x gets n images of C*H*W numbers
 * (row-major, one image after another), t their labels as ints. Either may be
 * NULL. An index outside the set is a fatal error. */
void dataset_gather(const Dataset *d, const int *idx, int n, real *x, int *t);

/* A new set holding copies of the first n examples (all if n <= 0 or n > count). */
Dataset dataset_head(const Dataset *d, int n);
/* A new set holding copies of the examples idx[0..n), in that order (a
 * validation split takes a shuffled index's first part, training the rest). */
Dataset dataset_subset(const Dataset *d, const int *idx, int n);

#endif
