/* libvncserver peer: replays a TBRAW001 trace into the server's framebuffer and marks what changed
 * (rfbMarkRegionAsModified, rfbDoCopyRect for copies); libvncserver's own threads serve the client.
 * An update's pixels are marked together once they are all written (and before a copy, which must
 * see them marked), as the other harnesses hand their servers a whole update: marked rectangle by
 * rectangle, the client thread could send an update that held part of a replayed one (it starts
 * once its defer time after the first mark has passed, which writing a large update, or waiting
 * for a CPU meanwhile, can outlast), and the rest went out merged with the next.
 * Usage: libvncserver-peer TRACE.raw PORT */
#include <arpa/inet.h>
#include <rfb/rfb.h>
#include <rfb/rfbregion.h>
#include "tracefile.h"

static rfbScreenInfoPtr s_screen;
static sraRegion *s_pending; /* pixels written and not yet marked */

static void mark_pending(void)
{
    if (!sraRgnEmpty(s_pending)) {
        rfbMarkRegionAsModified(s_screen, s_pending);
        sraRgnMakeEmpty(s_pending);
    }
}

static void apply(const struct trace_op *op, void *ctx)
{
    (void)ctx;
    uint8_t *fb = (uint8_t *)s_screen->frameBuffer;
    uint32_t stride = (uint32_t)s_screen->paddedWidthInBytes;
    switch (op->kind) {
    case OP_PIXELS:
        fb_put(fb, stride, op);
        {
            sraRegion *rect = sraRgnCreateRect((int)op->x, (int)op->y, (int)(op->x + op->w), (int)(op->y + op->h));
            sraRgnOr(s_pending, rect);
            sraRgnDestroy(rect);
        }
        break;
    case OP_COPY:
        mark_pending();
        /* Copies the pixels and schedules a CopyRect for clients that take it. */
        rfbDoCopyRect(s_screen, (int)op->x, (int)op->y, (int)(op->x + op->w), (int)(op->y + op->h),
                      (int)op->x - (int)op->sx, (int)op->y - (int)op->sy);
        break;
    case OP_RESIZE: {
        /* The new framebuffer is marked whole by rfbNewFramebuffer. */
        sraRgnMakeEmpty(s_pending);
        char *fresh = calloc((size_t)op->w * op->h, 4);
        char *old = s_screen->frameBuffer;
        rfbNewFramebuffer(s_screen, fresh, (int)op->w, (int)op->h, 8, 3, 4);
        s_screen->serverFormat.redShift = 16;
        s_screen->serverFormat.greenShift = 8;
        s_screen->serverFormat.blueShift = 0;
        free(old);
        break;
    }
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s TRACE.raw PORT\n", argv[0]);
        return 2;
    }
    struct trace t;
    if (trace_load(&t, argv[1]) != 0) return 1;
    int fake_argc = 1;
    s_screen = rfbGetScreen(&fake_argc, argv, (int)t.width, (int)t.height, 8, 3, 4);
    s_screen->frameBuffer = calloc((size_t)t.width * t.height, 4);
    s_pending = sraRgnCreate();
    /* XRGB8888 little-endian, as the trace and the measuring client use. */
    s_screen->serverFormat.redShift = 16;
    s_screen->serverFormat.greenShift = 8;
    s_screen->serverFormat.blueShift = 0;
    s_screen->port = atoi(argv[2]);
    s_screen->ipv6port = 0;
    s_screen->listenInterface = htonl(INADDR_LOOPBACK);
    s_screen->alwaysShared = TRUE;
    s_screen->desktopName = "trace";
    /* The trace has its pointer in its pixels: draw none (an empty 1x1 mask). A NULL cursor
     * would be simpler but makes rfbDoCopyRect crash in 0.9.14. */
    s_screen->cursor = rfbMakeXCursor(1, 1, " ", " ");
    rfbLogEnable(0);
    rfbInitServer(s_screen);
    rfbRunEventLoop(s_screen, -1, TRUE); /* a thread per client, as threaded servers run it */
    printf("ready\n");
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 'q') break;
        if (line[0] != 'n') continue;
        uint64_t start = monotonic_ns();
        int result = trace_next(&t, apply, NULL);
        mark_pending();
        if (result < 0) {
            printf("e\n");
        } else {
            printf("a %llu %llu\n", (unsigned long long)start, (unsigned long long)monotonic_ns());
        }
        fflush(stdout);
    }
    rfbShutdownServer(s_screen, TRUE);
    return 0;
}
