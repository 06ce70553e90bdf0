/* neatvnc (0.5, aml main loop) peer: replays a TBRAW001 trace into a frame of its own and feeds
 * neatvnc a copy of the frame with the damaged region after each update (neatvnc encodes on
 * worker threads while it holds a buffer, so the frame it holds must not change under it).
 * Usage: neatvnc-peer TRACE.raw PORT */
#include <aml.h>
#include <drm_fourcc.h>
#include <neatvnc.h>
#include <pixman.h>
#include <unistd.h>
#include "tracefile.h"

static struct trace s_trace;
static struct aml *s_aml;
static struct nvnc_display *s_display;
static uint8_t *s_frame;
static uint32_t s_width, s_height;
static pixman_region16_t s_damage;

static void apply(const struct trace_op *op, void *ctx)
{
    (void)ctx;
    switch (op->kind) {
    case OP_PIXELS:
        fb_put(s_frame, s_width * 4, op);
        break;
    case OP_COPY:
        fb_copy(s_frame, s_width * 4, op);
        break;
    case OP_RESIZE:
        free(s_frame);
        s_width = op->w;
        s_height = op->h;
        s_frame = calloc((size_t)s_width * s_height, 4);
        pixman_region_union_rect(&s_damage, &s_damage, 0, 0, s_width, s_height);
        return;
    }
    pixman_region_union_rect(&s_damage, &s_damage, (int)op->x, (int)op->y, op->w, op->h);
}

static void feed(void)
{
    struct nvnc_fb *fb = nvnc_fb_new((uint16_t)s_width, (uint16_t)s_height, DRM_FORMAT_XRGB8888, (uint16_t)s_width);
    memcpy(nvnc_fb_get_addr(fb), s_frame, (size_t)s_width * s_height * 4);
    nvnc_display_feed_buffer(s_display, fb, &s_damage);
    nvnc_fb_unref(fb);
}

static void on_stdin(void *handler)
{
    (void)handler;
    char line[64];
    ssize_t n = read(0, line, sizeof line);
    if (n <= 0) {
        aml_exit(s_aml);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (line[i] == 'q') {
            aml_exit(s_aml);
            return;
        }
        if (line[i] != 'n') continue;
        uint64_t start = monotonic_ns();
        pixman_region_init(&s_damage);
        if (trace_next(&s_trace, apply, NULL) < 0) {
            printf("e\n");
        } else {
            feed();
            printf("a %llu %llu\n", (unsigned long long)start, (unsigned long long)monotonic_ns());
        }
        pixman_region_fini(&s_damage);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TRACE.raw PORT\n", argv[0]);
        return 2;
    }
    if (trace_load(&s_trace, argv[1]) != 0) return 1;
    s_width = s_trace.width;
    s_height = s_trace.height;
    s_frame = calloc((size_t)s_width * s_height, 4);
    s_aml = aml_new();
    aml_set_default(s_aml);
    struct nvnc *server = nvnc_open("127.0.0.1", (uint16_t)atoi(argv[2]));
    if (!server) {
        fprintf(stderr, "neatvnc: cannot listen on port %s\n", argv[2]);
        return 1;
    }
    nvnc_set_name(server, "trace");
    s_display = nvnc_display_new(0, 0);
    nvnc_add_display(server, s_display);
    pixman_region_init_rect(&s_damage, 0, 0, s_width, s_height);
    feed();
    pixman_region_fini(&s_damage);
    struct aml_handler *input = aml_handler_new(0, on_stdin, NULL, NULL);
    aml_start(s_aml, input);
    printf("ready\n");
    fflush(stdout);
    aml_run(s_aml);
    nvnc_close(server);
    return 0;
}
