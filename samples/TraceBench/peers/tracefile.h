/* The bench's pre-decoded trace format (written by RawTraceWriter.cs), little-endian:
 *   "TBRAW001", u32 width, u32 height, u32 update count,
 *   per update: u32 timestamp ms, u32 operation count,
 *   per operation: u32 kind (0 pixels, 1 copy, 2 resize), u32 x, y, w, h, src x, src y,
 *                  and for kind 0, w*h*4 bytes of XRGB8888 pixels, rows without padding.
 * And the line protocol every harness speaks on stdin/stdout:
 *   prints "ready" once serving; on "n" applies the next update and prints
 *   "a START_NS VISIBLE_NS" (CLOCK_MONOTONIC); "q" or end of input stops it. */
#ifndef TRACEFILE_H
#define TRACEFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OP_PIXELS = 0, OP_COPY = 1, OP_RESIZE = 2 };

struct trace_op {
    uint32_t kind, x, y, w, h, sx, sy;
    const uint8_t *pixels;
};

struct trace {
    uint32_t width, height, updates;
    uint8_t *data;
    size_t size, next; /* offset of the next update */
};

static inline uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline int trace_load(struct trace *t, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->data = malloc((size_t)size);
    if (!t->data || fread(t->data, 1, (size_t)size, f) != (size_t)size || size < 20 || memcmp(t->data, "TBRAW001", 8) != 0) {
        fprintf(stderr, "%s: not a TBRAW001 trace\n", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    t->size = (size_t)size;
    t->width = rd32(t->data + 8);
    t->height = rd32(t->data + 12);
    t->updates = rd32(t->data + 16);
    t->next = 20;
    return 0;
}

/* Calls apply(op, ctx) for each operation of the next update; returns its operation count or -1 at the end. */
static inline int trace_next(struct trace *t, void (*apply)(const struct trace_op *, void *), void *ctx)
{
    if (t->next + 8 > t->size) return -1;
    uint32_t ops = rd32(t->data + t->next + 4);
    size_t p = t->next + 8;
    for (uint32_t i = 0; i < ops; i++) {
        struct trace_op op;
        const uint8_t *h = t->data + p;
        op.kind = rd32(h); op.x = rd32(h + 4); op.y = rd32(h + 8); op.w = rd32(h + 12);
        op.h = rd32(h + 16); op.sx = rd32(h + 20); op.sy = rd32(h + 24);
        p += 28;
        op.pixels = t->data + p;
        if (op.kind == OP_PIXELS) p += (size_t)op.w * op.h * 4;
        apply(&op, ctx);
    }
    t->next = p;
    return (int)ops;
}

/* Copies a rectangle inside a framebuffer of 4-byte pixels, overlap-safe (memmove per row, rows in the safe order). */
static inline void fb_copy(uint8_t *fb, uint32_t stride, const struct trace_op *op)
{
    size_t row = (size_t)op->w * 4;
    if (op->y > op->sy) {
        for (uint32_t r = op->h; r-- > 0;)
            memmove(fb + (size_t)(op->y + r) * stride + op->x * 4, fb + (size_t)(op->sy + r) * stride + op->sx * 4, row);
    } else {
        for (uint32_t r = 0; r < op->h; r++)
            memmove(fb + (size_t)(op->y + r) * stride + op->x * 4, fb + (size_t)(op->sy + r) * stride + op->sx * 4, row);
    }
}

static inline void fb_put(uint8_t *fb, uint32_t stride, const struct trace_op *op)
{
    for (uint32_t r = 0; r < op->h; r++)
        memcpy(fb + (size_t)(op->y + r) * stride + op->x * 4, op->pixels + (size_t)r * op->w * 4, (size_t)op->w * 4);
}

#endif
