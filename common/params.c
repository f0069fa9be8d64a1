#include "params.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void params_init(ParamSet *ps)
{
    memset(ps, 0, sizeof *ps);
}

static int add(ParamSet *ps, const char *name, int ndim, const int *shape, int trainable, int decay)
{
    if (ps->count == PARAMS_MAX)
        die("params: more than %d tensors", PARAMS_MAX);
    if (ps->values)
        die("params: '%s' added after params_alloc", name);
    if (trainable && ps->size != ps->trainable_size)
        die("params: trainable '%s' added after a state tensor", name);
    if (strlen(name) >= PARAM_NAME_MAX || ndim < 1 || ndim > TENSOR_MAX_DIMS)
        die("params: bad tensor '%s'", name);
    ParamInfo *p = &ps->info[ps->count];
    strcpy(p->name, name);
    p->ndim = ndim;
    p->size = 1;
    for (int i = 0; i < ndim; i++) {
        p->shape[i] = shape[i];
        p->size *= (size_t)shape[i];
    }
    p->offset = ps->size;
    p->trainable = trainable;
    p->decay = decay;
    ps->size += p->size;
    if (trainable)
        ps->trainable_size = ps->size;
    return ps->count++;
}

int params_add(ParamSet *ps, const char *name, int ndim, const int *shape, int decay)
{
    return add(ps, name, ndim, shape, 1, decay);
}

int params_add_state(ParamSet *ps, const char *name, int ndim, const int *shape)
{
    return add(ps, name, ndim, shape, 0, 0);
}

void params_alloc(ParamSet *ps)
{
    ps->values = xcalloc(ps->size, sizeof(real));
    ps->grads = xcalloc(ps->size, sizeof(real));
}

void params_free(ParamSet *ps)
{
    free(ps->values);
    free(ps->grads);
    ps->values = ps->grads = NULL;
}

real *params_value(const ParamSet *ps, int index)
{
    return ps->values + ps->info[index].offset;
}

real *params_grad(const ParamSet *ps, int index)
{
    return ps->grads + ps->info[index].offset;
}

int params_find(const ParamSet *ps, const char *name)
{
    for (int i = 0; i < ps->count; i++)
        if (strcmp(ps->info[i].name, name) == 0)
            return i;
    return -1;
}

void params_zero_grads(ParamSet *ps)
{
    memset(ps->grads, 0, ps->size * sizeof(real));
}

/* The joined name of tensor i of ps, into buf (PARAM_NAME_MAX bytes). */
static void joined_name(char *buf, const char *prefix, const ParamSet *ps, int i)
{
    int n = snprintf(buf, PARAM_NAME_MAX, "%s%s", prefix ? prefix : "", ps->info[i].name);
    if (n < 0 || n >= PARAM_NAME_MAX)
        die("params_join: the name '%s%s' is longer than %d characters", prefix ? prefix : "",
            ps->info[i].name, PARAM_NAME_MAX - 1);
}

void params_join(ParamSet *all, const ParamSet *const *sets, const char *const *prefixes, int count)
{
    params_init(all);
    for (int pass = 1; pass >= 0; pass--)       /* trainable tensors, then state ones */
        for (int k = 0; k < count; k++)
            for (int i = 0; i < sets[k]->count; i++) {
                const ParamInfo *info = &sets[k]->info[i];
                if (info->trainable != pass)
                    continue;
                char name[PARAM_NAME_MAX];
                joined_name(name, prefixes ? prefixes[k] : NULL, sets[k], i);
                if (pass)
                    params_add(all, name, info->ndim, info->shape, info->decay);
                else
                    params_add_state(all, name, info->ndim, info->shape);
            }
    params_alloc(all);
    for (int k = 0; k < count; k++)
        for (int i = 0; i < sets[k]->count; i++) {
            char name[PARAM_NAME_MAX];
            joined_name(name, prefixes ? prefixes[k] : NULL, sets[k], i);
            int j = params_find(all, name);
            memcpy(params_value(all, j), params_value(sets[k], i), sets[k]->info[i].size * sizeof(real));
        }
}

void params_split(const ParamSet *all, ParamSet *const *sets, const char *const *prefixes, int count)
{
    for (int k = 0; k < count; k++)
        for (int i = 0; i < sets[k]->count; i++) {
            char name[PARAM_NAME_MAX];
            joined_name(name, prefixes ? prefixes[k] : NULL, sets[k], i);
            int j = params_find(all, name);
            if (j < 0 || all->info[j].size != sets[k]->info[i].size)
                die("params_split: no tensor '%s' of %zu numbers", name, sets[k]->info[i].size);
            memcpy(params_value(sets[k], i), params_value(all, j), sets[k]->info[i].size * sizeof(real));
        }
}
