#include "dataset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void dataset_free(Dataset *d)
{
    tensor_free(&d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

void dataset_gather(const Dataset *d, const int *idx, int n, real *x, int *t)
{
    size_t per = d->count > 0 ? d->images.size / (size_t)d->count : 0;   /* C*H*W per image */
    for (int i = 0; i < n; i++) {
        int j = idx[i];
        if (j < 0 || j >= d->count)
            die("dataset_gather: example %d out of range (the set has %d)", j, d->count);
        if (x)
            memcpy(x + (size_t)i * per, d->images.data + (size_t)j * per, per * sizeof(real));
        if (t)
            t[i] = d->labels[j];
    }
}

Dataset dataset_head(const Dataset *d, int n)
{
    Dataset h = {0};
    if (n <= 0 || n > d->count)
        n = d->count;
    int shape[4] = {n, d->images.shape[1], d->images.shape[2], d->images.shape[3]};
    h.images = tensor_zeros(4, shape);
    memcpy(h.images.data, d->images.data, h.images.size * sizeof(real));
    h.labels = xmalloc((size_t)n);
    memcpy(h.labels, d->labels, (size_t)n);
    h.count = n;
    h.classes = d->classes;
    return h;
}

Dataset dataset_subset(const Dataset *d, const int *idx, int n)
{
    Dataset s = {0};
    int shape[4] = {n, d->images.shape[1], d->images.shape[2], d->images.shape[3]};
    s.images = tensor_zeros(4, shape);
    s.labels = xmalloc((size_t)n);
    size_t pixels = d->images.size / (size_t)d->count;
    for (int i = 0; i < n; i++) {
        if (idx[i] < 0 || idx[i] >= d->count)
            die("dataset_subset: example %d out of range (the set has %d)", idx[i], d->count);
        memcpy(s.images.data + (size_t)i * pixels, d->images.data + (size_t)idx[i] * pixels,
               pixels * sizeof(real));
        s.labels[i] = d->labels[idx[i]];
    }
    s.count = n;
    s.classes = d->classes;
    return s;
}
