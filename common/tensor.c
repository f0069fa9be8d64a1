#include "tensor.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

Tensor tensor_zeros(int ndim, const int *shape)
{
    Tensor t = {0};
    if (ndim < 1 || ndim > TENSOR_MAX_DIMS)
        die("tensor_zeros: %d dimensions (1 to %d allowed)", ndim, TENSOR_MAX_DIMS);
    t.ndim = ndim;
    t.size = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && t.size > SIZE_MAX / sizeof(real) / (size_t)shape[i]))
            die("tensor_zeros: bad dimension %d", shape[i]);
        t.shape[i] = shape[i];
        t.size *= (size_t)shape[i];
    }
    t.data = xcalloc(t.size, sizeof(real));
    return t;
}

Tensor tensor_zeros2(int rows, int cols)
{
    int shape[2] = {rows, cols};
    return tensor_zeros(2, shape);
}

void tensor_free(Tensor *t)
{
    free(t->data);
    t->data = NULL;
    t->size = 0;
}

real *tensor_row(const Tensor *t, int i)
{
    return t->data + (size_t)i * (t->size / (size_t)t->shape[0]);
}
