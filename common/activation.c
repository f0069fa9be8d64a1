#include "activation.h"
#include "layers.h"

#include <strings.h>

const char *activation_name(Activation a)
{
    switch (a) {
    case ACT_RELU: return "ReLU";
    case ACT_TANH: return "tanh";
    default: return "sigmoid";
    }
}

int activation_parse(const char *s, Activation *a)
{
    if (strcasecmp(s, "relu") == 0)
        *a = ACT_RELU;
    else if (strcasecmp(s, "tanh") == 0)
        *a = ACT_TANH;
    else if (strcasecmp(s, "sigmoid") == 0)
        *a = ACT_SIGMOID;
    else
        return -1;
    return 0;
}

void activation_forward(Activation a, real *y, const real *x, size_t n)
{
    switch (a) {
    case ACT_RELU: relu_forward(y, x, n); break;
    case ACT_TANH: tanh_forward(y, x, n); break;
    default: sigmoid_forward(y, x, n); break;
    }
}

void activation_backward(Activation a, real *dx, const real *dy, const real *y, size_t n)
{
    switch (a) {
    case ACT_RELU: relu_backward(dx, dy, y, n); break;
    case ACT_TANH: tanh_backward(dx, dy, y, n); break;
    default: sigmoid_backward(dx, dy, y, n); break;
    }
}
