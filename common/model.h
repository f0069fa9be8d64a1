/* model.h - model files in the safetensors layout.
 *
 *   8 bytes   little-endian u64: N, the length of the JSON header
 *   N bytes   JSON: {"__metadata__": {...strings...},
 *                    "name": {"dtype": "F32", "shape": [a, b], "data_offsets": [begin, end]}, ...}
 *   rest      raw little-endian tensor data; offsets are relative to the end of the header
 *
 * Any safetensors reader (Python's `safetensors` package, for one) opens these files.
 * Tensors are written as F32. Loading accepts F32 and F64 and validates the header,
 * every dtype, shape and offset against the file size and against the tensors the
 * network expects. Writing is atomic (temporary file, then rename). */
#ifndef DL_MODEL_H
#define DL_MODEL_H

#include "params.h"
#include "file_error.h"

#define MODEL_ERR_SIZE FILE_ERR_SIZE   /* "<path>: <message>", see file_error.h */

/* Save every tensor of ps (trainable and state) under its name, plus metadata
 * pairs ("key", "value", ... , NULL), e.g. "network", "two_layer_net", NULL.
 * Returns 0, or -1 with a message naming the file in err. */
int model_save(const char *path, const ParamSet *ps, const char *const *metadata, char *err);

/* As model_save, but in the precision of `real` (F32 in the float build, F64 in
 * the double one), so that loading gives back the very same numbers: for
 * checkpoints, where a resumed run must match an uninterrupted one bit for bit. */
int model_save_exact(const char *path, const ParamSet *ps, const char *const *metadata, char *err);

/* Load into ps: the file must hold exactly the tensors of ps, with the same
 * names and shapes. Returns 0, or -1 with a one-line message in err; on failure
 * ps is left unchanged. */
int model_load(const char *path, ParamSet *ps, char *err);

/* Read one metadata value from a model file into value (empty if absent).
 * Returns 0, or -1 with err set if the file is not a valid model file. */
int model_read_metadata(const char *path, const char *key, char *value, size_t size, char *err);

/* A whole number from a model file's metadata, in [lo, hi]; otherwise a
 * one-line error naming the file and the key, and exit. */
int model_read_int(const char *path, const char *key, int lo, int hi);

#endif
