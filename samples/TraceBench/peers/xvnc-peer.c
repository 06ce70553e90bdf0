/* X client that replays a TBRAW001 trace onto the root window of an X server (TigerVNC's Xvnc):
 * XPutImage for pixels, XCopyArea for copies, XSync after each update so the server has it.
 * Usage: DISPLAY=:N xvnc-peer TRACE.raw */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include "tracefile.h"

static Display *s_dpy;
static Window s_root;
static GC s_gc;
static Visual *s_visual;

static void apply(const struct trace_op *op, void *ctx)
{
    (void)ctx;
    switch (op->kind) {
    case OP_PIXELS: {
        XImage *image = XCreateImage(s_dpy, s_visual, 24, ZPixmap, 0, (char *)op->pixels, op->w, op->h, 32, (int)op->w * 4);
        image->byte_order = LSBFirst;
        XPutImage(s_dpy, s_root, s_gc, image, 0, 0, (int)op->x, (int)op->y, op->w, op->h);
        image->data = NULL; /* the trace owns the pixels */
        XDestroyImage(image);
        break;
    }
    case OP_COPY:
        XCopyArea(s_dpy, s_root, s_root, s_gc, (int)op->sx, (int)op->sy, op->w, op->h, (int)op->x, (int)op->y);
        break;
    case OP_RESIZE:
        fprintf(stderr, "xvnc-peer: the trace resizes the screen, which this harness does not do\n");
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: DISPLAY=:N %s TRACE.raw\n", argv[0]);
        return 2;
    }
    struct trace t;
    if (trace_load(&t, argv[1]) != 0) return 1;
    s_dpy = XOpenDisplay(NULL);
    if (!s_dpy) {
        fprintf(stderr, "xvnc-peer: cannot open display %s\n", getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
        return 1;
    }
    int screen = DefaultScreen(s_dpy);
    s_root = RootWindow(s_dpy, screen);
    s_visual = DefaultVisual(s_dpy, screen);
    XGCValues values = { .graphics_exposures = False, .subwindow_mode = IncludeInferiors };
    s_gc = XCreateGC(s_dpy, s_root, GCGraphicsExposures | GCSubwindowMode, &values);
    XSetForeground(s_dpy, s_gc, 0);
    XFillRectangle(s_dpy, s_root, s_gc, 0, 0, t.width, t.height);
    XSync(s_dpy, False);
    printf("ready\n");
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 'q') break;
        if (line[0] != 'n') continue;
        uint64_t start = monotonic_ns();
        if (trace_next(&t, apply, NULL) < 0) {
            printf("e\n");
        } else {
            XSync(s_dpy, False);
            printf("a %llu %llu\n", (unsigned long long)start, (unsigned long long)monotonic_ns());
        }
        fflush(stdout);
    }
    XCloseDisplay(s_dpy);
    return 0;
}
