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

void tensor_free(Tensor *t)
{
    free(t->data);
    t->data = NULL;
    t->size = 0;
}
