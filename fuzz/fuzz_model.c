/* fuzz_model.c - the safetensors reader (common/model.c) on any bytes.
 *
 * The input is a whole model file. model_read_metadata parses and checks it on
 * its own terms; model_load also matches it against a small network (W 2x3,
 * b 3) and reads the values, so that a valid file goes all the way through. */
#include "fuzz.h"
#include "model.h"

#include <math.h>

/* The network every input is loaded into: built once. */
static ParamSet *small_net(void)
{
    static ParamSet ps;
    if (!ps.values) {
        params_init(&ps);
        params_add(&ps, "W", 2, (int[]){2, 3}, 1);
        params_add(&ps, "b", 1, (int[]){3}, 0);
        params_alloc(&ps);
    }
    return &ps;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write_file("model", data, size);
    char err[MODEL_ERR_SIZE], value[64];

    if (model_read_metadata(path, "network", value, sizeof value, err) == 0)
        fuzz_assert(strlen(value) < sizeof value, "metadata fits its buffer");
    else
        fuzz_check_error(err, path);

    ParamSet *ps = small_net();
    if (model_load(path, ps, err) == 0) {
        for (size_t i = 0; i < ps->size; i++)
            fuzz_assert(isfinite(ps->values[i]), "loaded values are finite");
    } else {
        fuzz_check_error(err, path);
    }
    return 0;
}
