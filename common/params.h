/* params.h - all of a network's parameters in one allocation.
 *
 * A network registers named tensors ("W1" 784x50, "b1" 50, ...) and then gets
 * pointers into one contiguous block for the values and one for the gradients,
 * so an optimizer is a single loop over `size` numbers and a model file is one
 * write. Trainable tensors come first; "state" tensors (batch norm's running
 * mean and variance) follow them: they are saved with the model but the
 * optimizer does not touch them (it loops over `trainable_size` only). */
#ifndef DL_PARAMS_H
#define DL_PARAMS_H

#include <stddef.h>

#include "tensor.h"

#define PARAMS_MAX 128
#define PARAM_NAME_MAX 32

typedef struct {
    char name[PARAM_NAME_MAX];
    int ndim;
    int shape[TENSOR_MAX_DIMS];
    size_t size;
    size_t offset;          /* into ParamSet.values and ParamSet.grads */
    int trainable;
    int decay;              /* weight decay applies (weights yes, biases no) */
} ParamInfo;

typedef struct {
    ParamInfo info[PARAMS_MAX];
    int count;
    size_t size;            /* all numbers */
    size_t trainable_size;  /* the first trainable_size numbers are trainable */
    real *values;           /* size numbers, one allocation */
    real *grads;            /* size numbers (state tensors' gradients stay 0) */
} ParamSet;

/* Register tensors before params_alloc; each returns the tensor's index.
 * All trainable tensors must be added before any state tensor. */
void params_init(ParamSet *ps);
int params_add(ParamSet *ps, const char *name, int ndim, const int *shape, int decay);
int params_add_state(ParamSet *ps, const char *name, int ndim, const int *shape);
void params_alloc(ParamSet *ps);  /* zero-filled values and grads */
void params_free(ParamSet *ps);

real *params_value(const ParamSet *ps, int index);
real *params_grad(const ParamSet *ps, int index);
int params_find(const ParamSet *ps, const char *name); /* -1 if absent */
void params_zero_grads(ParamSet *ps);

/* Two nets, one file: a GAN's generator and discriminator are two ParamSets
 * (each with its own optimizer), saved side by side in one model file. Joined,
 * `all` holds every tensor of sets[0..count), each name prefixed with
 * prefixes[k] ("G.", "D."; NULL or "" keeps it), the trainable tensors of all
 * sets first and then the state ones, with their values copied in. params_split
 * copies all's values back into the sets (after a model_load into it). */
void params_join(ParamSet *all, const ParamSet *const *sets, const char *const *prefixes, int count);
void params_split(const ParamSet *all, ParamSet *const *sets, const char *const *prefixes, int count);

#endif
