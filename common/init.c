#include "init.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

double weight_init_std(WeightInit init, int n_in)
{
    switch (init.kind) {
    case INIT_XAVIER: return sqrt(1.0 / n_in);     /* the book's 'sigmoid' / 'xavier' */
    case INIT_HE: return sqrt(2.0 / n_in);         /* the book's 'relu' / 'he' */
    default: return init.std;
    }
}

int weight_init_parse(const char *s, WeightInit *init)
{
    if (strcasecmp(s, "xavier") == 0 || strcasecmp(s, "sigmoid") == 0) {
        *init = (WeightInit){INIT_XAVIER, 0};
        return 0;
    }
    if (strcasecmp(s, "he") == 0 || strcasecmp(s, "relu") == 0) {
        *init = (WeightInit){INIT_HE, 0};
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v > 0) || !isfinite(v))
        return -1;
    *init = (WeightInit){INIT_FIXED, v};
    return 0;
}

const char *weight_init_name(WeightInit init, char *buf, size_t size)
{
    switch (init.kind) {
    case INIT_XAVIER: snprintf(buf, size, "Xavier"); break;
    case INIT_HE: snprintf(buf, size, "He"); break;
    default: snprintf(buf, size, "std=%g", init.std); break;
    }
    return buf;
}
