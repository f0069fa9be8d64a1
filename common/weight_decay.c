/* weight_decay.c - the L2 penalty and its gradient (see weight_decay.h). */
#include "weight_decay.h"

double weight_decay_loss(const ParamSet *ps, double lambda)
{
    if (lambda == 0)
        return 0;
    double sum = 0;
    for (int k = 0; k < ps->count; k++) {
        const ParamInfo *p = &ps->info[k];
        if (!p->decay)
            continue;
        const real *W = ps->values + p->offset;
        for (size_t i = 0; i < p->size; i++)
            sum += (double)W[i] * W[i];
    }
    return 0.5 * lambda * sum;                      /* lambda/2 sum W^2 */
}

void weight_decay_backward(ParamSet *ps, double lambda)
{
    if (lambda == 0)
        return;
    for (int k = 0; k < ps->count; k++) {
        const ParamInfo *p = &ps->info[k];
        if (!p->decay)
            continue;
        const real *W = ps->values + p->offset;
        real *dW = ps->grads + p->offset;
        for (size_t i = 0; i < p->size; i++)
            dW[i] += (real)lambda * W[i];           /* d(lambda/2 W^2) = lambda W */
    }
}
