/* api_gan.c - the playground's GAN tab: chapter 06's generators (06_gan cgan,
 * cdcgan via --net dcgan, dcgan, mlp), found, loaded once each, and
 * answering POST /api/gan with one drawing from the noise z the request
 * gives, or from a seed, as 06_gan draw and walk draw theirs. */
#include "api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "timer.h"

/* the files 06_gan saves (its tag_of): the conditional ones first, as the tab offers them */
const char *const gan_tag[GAN_MODELS] = {"cgan", "cdcgan", "dcgan", "mlp_gan"};

void gan_models_find(Playground *pg, const char *out)
{
    for (int k = 0; k < GAN_MODELS; k++) {
        GanModel *m = &pg->gans[k];
        out_path(m->path, out, "06_gan/%s.safetensors", gan_tag[k]);
        pg->have_gan[k] = file_exists(m->path);
        m->epochs = (int)meta_double(m->path, "epochs", -1);
        if (!pg->have_gan[k])
            m->path[0] = '\0';
    }
}

/* Each GAN once (one found with no file keeps the start playground_init_untrained gave it). */
void gan_models_load(Playground *pg)
{
    for (int k = 0; k < GAN_MODELS; k++) {
        GanModel *m = &pg->gans[k];
        if (!pg->have_gan[k])
            continue;
        if (m->path[0])
            gan_load(&m->gan, m->path, 1);
        if (m->gan.C != 1)
            die("%s: a GAN of %d channels: the playground draws grey images only", m->path, m->gan.C);
        pthread_mutex_init(&m->lock, NULL);
    }
}

void gan_models_free(Playground *pg)
{
    for (int k = 0; k < GAN_MODELS; k++)
        if (pg->have_gan[k]) {
            gan_free(&pg->gans[k].gan);
            pthread_mutex_destroy(&pg->gans[k].lock);
        }
}

/* "gan": [{"name": "cgan", ...}, ...] in the order of gan_tag, or null with none */
void gan_models_json(const Playground *pg, Buf *b)
{
    int n = 0;
    for (int k = 0; k < GAN_MODELS; k++) {
        if (!pg->have_gan[k])
            continue;
        const Gan *g = &pg->gans[k].gan;
        buf_printf(b, "%s{\"name\": \"%s\", \"kind\": \"%s\", \"classes\": %d, \"z_dim\": %d, \"width\": %d, "
                   "\"height\": %d, \"epochs\": %d, \"file\": ", n ? ", " : "[", gan_tag[k], gan_kind_name(g->kind),
                   g->classes, g->z_dim, g->W, g->H, pg->gans[k].epochs);
        buf_json_string(b, pg->gans[k].path);
        buf_printf(b, "}");
        n++;
    }
    buf_printf(b, "%s", n ? "]" : "null");
}

/* The GAN named `name` among those found, or -1 with a 400 answer that lists them. */
static int find_gan(const Playground *pg, const char *name, Answer *a)
{
    char names[64] = "";
    for (int k = 0; k < GAN_MODELS; k++) {
        if (!pg->have_gan[k])
            continue;
        if (strcmp(name, gan_tag[k]) == 0)
            return k;
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? ", " : "", gan_tag[k]);
    }
    answer_error(a, 400, "model \"%.*s\" is not one of the GANs saved: %s", quote_len(name, 40), name, names);
    return -1;
}

/* POST /api/gan: {"model": "cgan", "digit": 7, "seed": 3} or {..., "z": [z_dim
 * numbers]}: one drawing. model: one of /api/models' GANs (default the first);
 * digit: the class a conditional GAN draws (required there, refused by the
 * others); z: the noise, each value within +-MAX_Z_ABS; or seed: z drawn from
 * N(0, 1) with that seed (neither: the server's next seed). The answer gives
 * back the z used, so that the page can move along its coordinates. */
void api_gan(Playground *pg, char *body, size_t len, Answer *a)
{
    double t0 = now_seconds();
    int first_model = -1;
    for (int k = GAN_MODELS - 1; k >= 0; k--)
        if (pg->have_gan[k])
            first_model = k;
    if (first_model < 0) {
        answer_error(a, 404, "no GAN: train one with make chapter 6 ARGS=cgan");
        return;
    }
    Json j;
    if (body_begin(&j, body, len, a) != 0)
        return;
    char *name = NULL, *key;
    uint64_t digit = 0, seed = 0;
    int nz = -1;
    unsigned seen = 0;
    static const char *const names[] = {"model", "digit", "seed", "z"};
    double *z = xmalloc(MAX_Z * sizeof(double));
    real *zr = NULL, *img = NULL;
    for (int first = 1;; first = 0) {
        int more = next_key(&j, &key, first, a);
        if (more < 0)
            goto done;
        if (more == 0)
            break;
        int f = field_index(key, names, 4, &seen, "model, digit, and z or seed", a);
        if (f < 0)
            goto done;
        if (f == 3) {
            if (json_number_array(&j, z, MAX_Z, &nz, "z", a) != 0)
                goto done;
            continue;
        }
        int rc = f == 0 ? json_string(&j, &name) : json_uint(&j, f == 1 ? &digit : &seed);
        if (rc != 0) {
            answer_error(a, 400, "%s: %s", names[f], j.error);
            goto done;
        }
    }
    const int have_digit = seen >> 1 & 1, have_seed = seen >> 2 & 1;
    if (body_end(&j, a) != 0)
        goto done;

    int k = name ? find_gan(pg, name, a) : first_model;
    if (k < 0)
        goto done;
    GanModel *m = &pg->gans[k];
    const Gan *g = &m->gan;
    if (g->classes && !have_digit) {
        answer_error(a, 400, "%s draws the digit asked for: give \"digit\" (0 to %d)", gan_tag[k], g->classes - 1);
        goto done;
    }
    if (!g->classes && have_digit) {
        answer_error(a, 400, "%s was trained without labels and draws no chosen digit: leave out \"digit\"",
                     gan_tag[k]);
        goto done;
    }
    if (have_digit && digit >= (uint64_t)g->classes) {
        answer_error(a, 400, "digit %llu is out of range (0 to %d)", (unsigned long long)digit, g->classes - 1);
        goto done;
    }
    if (nz >= 0 && have_seed) {
        answer_error(a, 400, "give either z or seed, not both");
        goto done;
    }
    zr = xmalloc((size_t)g->z_dim * sizeof(real));
    if (nz >= 0) {
        if (nz != g->z_dim) {
            answer_error(a, 400, "z has %d values, expected %d (the model's z_dim)", nz, g->z_dim);
            goto done;
        }
        for (int i = 0; i < nz; i++) {
            if (!(fabs(z[i]) <= MAX_Z_ABS)) {
                answer_error(a, 400, "z[%d] = %g is out of range (-%g to %g)", i, z[i], MAX_Z_ABS, MAX_Z_ABS);
                goto done;
            }
            zr[i] = (real)z[i];
        }
    } else {
        if (!have_seed)
            seed = next_seed(pg, &pg->gan_count);
        Rng rng;
        rng_seed(&rng, seed);
        rng_fill_normal(&rng, zr, (size_t)g->z_dim, 1);
    }

    const int pixels = g->C * g->H * g->W, label = (int)digit;
    img = xmalloc((size_t)pixels * sizeof(real));
    pthread_mutex_lock(&m->lock);
    gan_generate(&m->gan, img, zr, &label, 1);
    pthread_mutex_unlock(&m->lock);
    gan_images_from_tanh(img, img, (size_t)pixels);     /* [-1, 1] to grey levels in [0, 1] */

    Buf *b = &a->body;
    buf_printf(b, "{\"model\": \"%s\", \"digit\": ", gan_tag[k]);
    if (have_digit)
        buf_printf(b, "%d", label);
    else
        buf_printf(b, "null");
    if (nz >= 0)
        buf_printf(b, ", \"seed\": null");
    else
        buf_printf(b, ", \"seed\": %llu", (unsigned long long)seed);
    buf_printf(b, ", \"z\": [");
    for (int i = 0; i < g->z_dim; i++)
        buf_printf(b, "%s%.4f", i ? ", " : "", (double)zr[i]);
    buf_printf(b, "], \"width\": %d, \"height\": %d, \"image\": [", g->W, g->H);
    for (int i = 0; i < pixels; i++)
        buf_printf(b, "%s%.3f", i ? "," : "", (double)img[i]);
    buf_printf(b, "], \"server_ms\": %.3f}\n", 1000 * (now_seconds() - t0));
    a->status = 200;
done:
    free(z);
    free(zr);
    free(img);
}
