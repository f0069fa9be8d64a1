/* playground.c - the course's trained nets in the browser: a small local web
 * server (GNU libmicrohttpd) that serves one page and answers from the models
 * the chapters saved.
 *
 *   GET  /                the page (index.html, app.js, style.css: compiled in)
 *   GET  /api/models      which models were found, and where
 *   POST /api/digit       a drawing -> the 28x28 image the nets saw and their ten probabilities
 *   POST /api/text        a prompt -> the char-LSTM's continuation
 *   POST /api/add         "17+385" -> the addition seq2seq's answer
 *   POST /api/date        "27 sep 94" -> the ISO date, and the attention map
 *   POST /api/gan         a model, a digit, noise z or a seed -> a GAN's drawing
 *
 * The requests, answers and errors are described in playground/README.md.
 * Each worker thread of the server takes a slot: its own copy of every net,
 * with its own forward-pass buffers, so requests never share a buffer. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "assets.h"
#include "options.h"
#include "threads.h"
#include "util.h"

/* ---- the HTTP side ------------------------------------------------------------------------ */

/* The pages, from a fixed list: the request's path is only compared, never opened. */
static const struct {
    const char *url, *file, *type;
} pages[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/index.html", "index.html", "text/html; charset=utf-8"},
    {"/app.js", "app.js", "text/javascript; charset=utf-8"},
    {"/style.css", "style.css", "text/css; charset=utf-8"},
};

/* The endpoints that take a POST body, and the function that answers each. */
static const struct {
    const char *url;
    void (*answer)(Playground *pg, char *body, size_t len, Answer *a);
} endpoints[] = {
    {"/api/digit", api_digit},
    {"/api/text", api_text},
    {"/api/add", api_add},
    {"/api/date", api_date},
    {"/api/gan", api_gan},
};

/* One request's body, gathered as it arrives. */
typedef struct {
    char *body;
    size_t len;
    int too_large;
} Request;

static enum MHD_Result send_answer(struct MHD_Connection *c, Playground *pg, Answer *a, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(a->body.len, a->body.s, MHD_RESPMEM_MUST_FREE);
    a->body.s = NULL;
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (allow)
        MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)a->status, r);
    MHD_destroy_response(r);
    pthread_mutex_lock(&pg->lock);
    pg->requests++;
    pg->errors += a->status >= 400;
    pthread_mutex_unlock(&pg->lock);
    return rc;
}

static enum MHD_Result send_page(struct MHD_Connection *c, Playground *pg, const Asset *asset, const char *type)
{
    pthread_mutex_lock(&pg->lock);
    pg->requests++;
    pthread_mutex_unlock(&pg->lock);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(asset->size, (void *)asset->data, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* the page uses its own script and style only: nothing inline, nothing fetched elsewhere */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)version;
    Playground *pg = cls;
    Request *req = *state;
    Answer a = {0, {0}};
    int post = strcmp(method, "POST") == 0;
    if (!req) {
        req = xcalloc(1, sizeof *req);
        *state = req;
        if (post) {
            /* refuse a body announced too large before reading any of it */
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtoull(cl, NULL, 10) > MAX_BODY) {
                req->too_large = 1;
                answer_error(&a, 413, "the body is larger than %d bytes", MAX_BODY);
                return send_answer(c, pg, &a, NULL);
            }
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!req->too_large) {
            if (req->len + *upload_size > MAX_BODY) {
                req->too_large = 1;
                free(req->body);
                req->body = NULL;
                req->len = 0;
            } else {
                char *nb = realloc(req->body, req->len + *upload_size + 1);
                if (!nb) {
                    req->too_large = 1;
                } else {
                    req->body = nb;
                    memcpy(req->body + req->len, upload, *upload_size);
                    req->len += *upload_size;
                }
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->too_large) {
        answer_error(&a, 413, "the body is larger than %d bytes", MAX_BODY);
        return send_answer(c, pg, &a, NULL);
    }

    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (strcmp(url, pages[i].url) == 0) {
            if (!get) {
                answer_error(&a, 405, "%s takes GET, not %s", url, method);
                return send_answer(c, pg, &a, "GET, HEAD");
            }
            const Asset *page = asset_find(pages[i].file);
            if (!page) {
                answer_error(&a, 500, "%s was not compiled in", pages[i].file);
                return send_answer(c, pg, &a, NULL);
            }
            return send_page(c, pg, page, pages[i].type);
        }
    const char *allow = NULL;
    size_t e = 0;
    while (e < sizeof endpoints / sizeof endpoints[0] && strcmp(url, endpoints[e].url) != 0)
        e++;
    if (strcmp(url, "/api/models") == 0) {
        if (get)
            api_models(pg, &a);
        else
            allow = "GET, HEAD";
    } else if (e < sizeof endpoints / sizeof endpoints[0]) {
        if (!post)
            allow = "POST";
        else
            endpoints[e].answer(pg, req->body, req->len, &a);
    } else {
        char shown[80];
        snprintf(shown, sizeof shown, "%s", url);
        for (char *p = shown; *p; p++)     /* the path is echoed: printable ASCII only */
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                *p = '?';
        answer_error(&a, 404, "no such path: %s%s", shown, strlen(url) >= sizeof shown ? "..." : "");
    }
    if (allow)
        answer_error(&a, 405, "%s takes %s, not %s", url, allow[0] == 'P' ? "POST" : "GET", method);
    return send_answer(c, pg, &a, allow);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    Request *req = *state;
    if (req) {
        free(req->body);
        free(req);
        *state = NULL;
    }
}

/* ---- main ------------------------------------------------------------------------------ */

static const ProgramInfo info = {
    "playground",
    "the course's trained nets in the browser: draw a digit, continue a text, add, read dates, dream digits",
    "usage: playground [options]\n"
    "\n"
    "  Serves one page on http://127.0.0.1:8000/ (--port, --host) that answers\n"
    "  from the models the chapters saved under --out: 04_cnn's SimpleConvNet\n"
    "  and DeepConvNet (the digit tab), 05_rnn's char_lm, addition and dates\n"
    "  models (the text tab), 06_gan's GANs (the GAN tab).\n"
    "  The JSON API the page uses is described in playground/README.md.\n"
    "  Ctrl-C stops it.",
    USE_SEED | USE_THREADS,
};

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    CommonOptions common;
    options_defaults(&common);
    common.out = "out";
    common.threads = 1;
    int port = 8000, workers = 4;
    const char *host = NULL;
    const Option extra[] = {
        {"out", OPT_STRING, NULL, "DIR", "where the chapters saved their models (default out: out/04_cnn, 05_rnn, 06_gan)"},
        {"threads", OPT_INT, NULL, "N", "threads of each forward pass (default 1: requests run side by side)"},
        {"seed", OPT_INT, NULL, "N", "texts and GAN drawings asked for without a seed use seed, seed+1, ... (default 42)"},
        {"port", OPT_INT, &port, "N", "the port to listen on (default 8000; 0: any free port)"},
        {"host", OPT_STRING, &host, "ADDR", "the address to listen on (default 127.0.0.1, this machine only)"},
        {"workers", OPT_INT, &workers, "N", "requests answered at once (default 4), each with its own nets"},
        {0},
    };
    options_parse(argc, argv, &info, &common, extra, NULL, 0);
    if (port < 0 || port > 65535)
        die("--port must be from 0 to 65535, not %d", port);
    if (workers < 1 || workers > MAX_WORKERS)
        die("--workers must be from 1 to %d, not %d", MAX_WORKERS, workers);

    /* where to listen */
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    int gai = getaddrinfo(host ? host : "127.0.0.1", port_text, &hints, &ai);
    if (gai != 0)
        die("--host %s: %s", host ? host : "127.0.0.1", gai_strerror(gai));

    static Playground pg;
    pg.seed = common.seed;
    playground_find_models(&pg, common.out);
    int any = pg.have[NET_SIMPLE] || pg.have[NET_DEEP] || pg.have_lm || pg.have_s2s[S2S_ADD] ||
              pg.have_s2s[S2S_DATE];
    for (int k = 0; k < GAN_MODELS; k++)
        any |= pg.have_gan[k];
    if (!any)
        die("no trained model in %s/04_cnn, %s/05_rnn or %s/06_gan: make playground trains chapter 04's "
            "SimpleConvNet first", common.out, common.out, common.out);
    playground_load(&pg, workers);
    for (int k = 0; k < 2; k++)
        if (pg.have[k])
            printf("  digits: %-13s %s (test accuracy %.4f)\n", net_title[k], pg.path[k], pg.accuracy[k]);
    if (!pg.have[NET_SIMPLE] && !pg.have[NET_DEEP])
        printf("  digits: no model (make chapter 4 ARGS=simple trains one): the digit tab is off\n");
    if (pg.have_lm)
        printf("  text:   char %s %d x %d  %s (validation loss %.3f)\n", cell_name(pg.lm_shape.cell),
               pg.lm_shape.layers, pg.lm_shape.H, pg.lm_path, pg.lm_val_loss);
    else
        printf("  text:   no char LSTM (make chapter 5 ARGS=lm trains one)\n");
    for (int k = 0; k < 2; k++)
        if (pg.have_s2s[k])
            printf("  %s:    %s seq2seq %s (held-out exact match %.4f)\n", k == S2S_ADD ? "add " : "date",
                   seq2seq_kind_name(pg.s2s_shape[k].kind), pg.s2s_path[k], pg.s2s_exact_match[k]);
        else
            printf("  %s:    no model (make chapter 5 ARGS=%s trains one)\n", k == S2S_ADD ? "add " : "date",
                   k == S2S_ADD ? "addition" : "dates");
    int gans = 0;
    for (int k = 0; k < GAN_MODELS; k++)
        if (pg.have_gan[k]) {
            printf("  gan:    %-8s %s\n", gan_tag[k], pg.gans[k].path);
            gans++;
        }
    if (!gans)
        printf("  gan:    no model (make chapter 6 ARGS=cgan trains one): the GAN tab is off\n");

    /* Ctrl-C and SIGTERM are taken by sigwait below: block them before any
     * thread starts, so every thread inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &pg,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)workers,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_END);
    if (!d)
        die("cannot listen on %s port %d (in use? try --port 0 for any free port)", host ? host : "127.0.0.1",
            port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int bound = di ? di->port : port;
    char shown[NI_MAXHOST] = "127.0.0.1";
    getnameinfo(ai->ai_addr, ai->ai_addrlen, shown, sizeof shown, NULL, 0, NI_NUMERICHOST);
    if (!is_loopback(ai->ai_addr))
        printf("warning: listening on %s, not 127.0.0.1: anyone who can reach this machine on port %d can\n"
               "  use the playground (read the models' names and paths, and make it compute); it has\n"
               "  no passwords and no encryption. Leave out --host to keep it to this machine.\n",
               shown, bound);
    printf("Playground: http://%s%s%s:%d/   (%d worker%s; Ctrl-C stops it)\n", ai->ai_family == AF_INET6 ? "[" : "",
           shown, ai->ai_family == AF_INET6 ? "]" : "", bound, workers, workers == 1 ? "" : "s");
    freeaddrinfo(ai);

    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    printf("\nplayground: stopped by %s after %lu requests (%lu answered with an error)\n",
           sig == SIGINT ? "Ctrl-C" : "SIGTERM", pg.requests, pg.errors);
    playground_free(&pg);
    return 0;
}
