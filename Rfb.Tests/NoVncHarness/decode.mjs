// Decodes server-to-client FramebufferUpdate messages with noVNC's own code (the pinned npm package's
// Websock, Display and rectangle decoders) and writes the resulting framebuffer.
//
// Usage: node decode.mjs INPUT [--chunk N]
//   INPUT is a file, or "-" for standard input:
//     u16 BE framebuffer width, u16 BE framebuffer height,
//     then FramebufferUpdate messages exactly as a server sends them (type 0, padding, u16 BE rectangle
//     count, rectangles), back to back, until the end of the input.
//   --chunk N hands the bytes to noVNC's receive queue N at a time, as separate WebSocket messages would,
//     so that every decoder's "need more data" path is exercised. By default the input goes in messages of
//     1 MiB (all at once when smaller), well under the 40 MiB that noVNC's receive queue accepts.
// Output (standard output): u32 BE width, u32 BE height, then width*height RGBA pixels, row-major, as
//   noVNC's Display.getImageData() returns them (pixels that nothing painted are transparent black).
// Exit status: 0 on success; 1 with a message on standard error when noVNC failed, when the input ended
//   in the middle of a message, or when an image could not be decoded; 2 for usage errors.
//
// noVNC runs in a browser; this script supplies the few browser objects that the code it loads touches:
// a 2D canvas backed by an RGBA array (fillRect, putImageData, getImageData, drawImage with source-over
// compositing), ImageData, an Image that decodes JPEG and PNG data URLs with jpeg-js and pngjs, and the
// WebSocket ready-state constants that Websock reads at load time. Everything that interprets RFB bytes
// is noVNC's. The pixel format is the one noVNC always asks for: 32 bpp, depth 24, little-endian, true
// colour, red shift 0, green shift 8, blue shift 16.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const jpeg = require("jpeg-js");
const { PNG } = require("pngjs");

class HarnessError extends Error {}

// ---- Browser objects --------------------------------------------------------------------------------

// Messages noVNC logged with Log.Error: in a browser they go to the console and the session goes on in a
// broken state (for example a render queue that never drains), so the harness turns them into failures.
const loggedErrors = [];
const originalConsoleError = console.error.bind(console);
console.error = (...args) => {
    loggedErrors.push(args.map(String).join(" "));
    originalConsoleError(...args);
};
// Warnings and information go to standard error only; standard output carries the framebuffer.
console.warn = (...args) => process.stderr.write("noVNC: " + args.map(String).join(" ") + "\n");
console.info = console.warn;
console.debug = () => {};

class ImageDataShim {
    constructor(data, width, height) {
        if (typeof data === "number") {
            height = width;
            width = data;
            data = new Uint8ClampedArray(width * height * 4);
        }
        if (data.length !== width * height * 4) {
            throw new Error(`ImageData: ${data.length} bytes for ${width}x${height}`);
        }
        this.data = data;
        this.width = width;
        this.height = height;
    }
}

// Source-over compositing of one non-premultiplied RGBA pixel onto another (the canvas default).
function compositeOver(dst, di, src, si) {
    const sa = src[si + 3];
    if (sa === 255) {
        dst[di] = src[si];
        dst[di + 1] = src[si + 1];
        dst[di + 2] = src[si + 2];
        dst[di + 3] = 255;
        return;
    }
    if (sa === 0) {
        return;
    }
    const a = sa / 255;
    const da = dst[di + 3] / 255;
    const outA = a + (da * (1 - a));
    for (let c = 0; c < 3; c++) {
        dst[di + c] = Math.round(((src[si + c] * a) + (dst[di + c] * da * (1 - a))) / outA);
    }
    dst[di + 3] = Math.round(outA * 255);
}

function parseFillStyle(style) {
    const match = /^rgb\((\d+),(\d+),(\d+)\)$/.exec(String(style).replace(/\s+/g, ""));
    if (!match) {
        throw new HarnessError(`the canvas stand-in does not understand fillStyle '${style}'`);
    }
    return [Number(match[1]), Number(match[2]), Number(match[3])].map((v) => Math.min(255, v));
}

class Context2D {
    constructor(canvas) {
        this.canvas = canvas;
        this._fill = [0, 0, 0];
        this._fillStyle = "#000000";
    }

    get fillStyle() {
        return this._fillStyle;
    }

    set fillStyle(value) {
        this._fill = parseFillStyle(value);
        this._fillStyle = value;
    }

    fillRect(x, y, width, height) {
        const c = this.canvas;
        const x0 = Math.max(0, x), y0 = Math.max(0, y);
        const x1 = Math.min(c.width, x + width), y1 = Math.min(c.height, y + height);
        const [r, g, b] = this._fill;
        for (let row = y0; row < y1; row++) {
            for (let col = x0; col < x1; col++) {
                const i = ((row * c.width) + col) * 4;
                c.pixels[i] = r;
                c.pixels[i + 1] = g;
                c.pixels[i + 2] = b;
                c.pixels[i + 3] = 255;
            }
        }
    }

    putImageData(image, dx, dy) {
        // Replaces the pixels, alpha included, clipped to the canvas.
        const c = this.canvas;
        for (let row = 0; row < image.height; row++) {
            const ty = dy + row;
            if (ty < 0 || ty >= c.height) {
                continue;
            }
            for (let col = 0; col < image.width; col++) {
                const tx = dx + col;
                if (tx < 0 || tx >= c.width) {
                    continue;
                }
                const si = ((row * image.width) + col) * 4;
                const di = ((ty * c.width) + tx) * 4;
                c.pixels[di] = image.data[si];
                c.pixels[di + 1] = image.data[si + 1];
                c.pixels[di + 2] = image.data[si + 2];
                c.pixels[di + 3] = image.data[si + 3];
            }
        }
    }

    getImageData(sx, sy, width, height) {
        const c = this.canvas;
        const out = new ImageDataShim(width, height);
        for (let row = 0; row < height; row++) {
            for (let col = 0; col < width; col++) {
                const x = sx + col, y = sy + row;
                if (x < 0 || y < 0 || x >= c.width || y >= c.height) {
                    continue;
                }
                const si = ((y * c.width) + x) * 4;
                out.data.set(c.pixels.subarray(si, si + 4), ((row * width) + col) * 4);
            }
        }
        return out;
    }

    // drawImage(source, dx, dy) or drawImage(source, sx, sy, sw, sh, dx, dy, dw, dh) without scaling.
    drawImage(source, ...args) {
        let sx = 0, sy = 0, sw = source.width, sh = source.height, dx, dy, dw, dh;
        if (args.length === 2) {
            [dx, dy] = args;
            dw = sw;
            dh = sh;
        } else if (args.length === 8) {
            [sx, sy, sw, sh, dx, dy, dw, dh] = args;
        } else {
            throw new HarnessError(`the canvas stand-in does not support drawImage with ${args.length} arguments`);
        }
        if (sw !== dw || sh !== dh) {
            throw new HarnessError("the canvas stand-in does not scale images");
        }
        // The part of the source rectangle that lies inside the source, moved to the destination.
        const cx0 = Math.max(sx, 0), cy0 = Math.max(sy, 0);
        const cx1 = Math.min(sx + sw, source.width), cy1 = Math.min(sy + sh, source.height);
        if (cx1 <= cx0 || cy1 <= cy0) {
            return;
        }
        const w = cx1 - cx0, h = cy1 - cy0;
        // Copy the source first: a canvas drawn onto itself behaves as if the source were a snapshot.
        const src = new Uint8ClampedArray(w * h * 4);
        for (let row = 0; row < h; row++) {
            const si = (((cy0 + row) * source.width) + cx0) * 4;
            src.set(source.pixels.subarray(si, si + (w * 4)), row * w * 4);
        }
        const c = this.canvas;
        const ox = dx + (cx0 - sx), oy = dy + (cy0 - sy);
        for (let row = 0; row < h; row++) {
            const ty = oy + row;
            if (ty < 0 || ty >= c.height) {
                continue;
            }
            for (let col = 0; col < w; col++) {
                const tx = ox + col;
                if (tx < 0 || tx >= c.width) {
                    continue;
                }
                compositeOver(c.pixels, ((ty * c.width) + tx) * 4, src, ((row * w) + col) * 4);
            }
        }
    }
}

class CanvasShim {
    constructor() {
        this._width = 300; // the HTML default size
        this._height = 150;
        this.pixels = new Uint8ClampedArray(this._width * this._height * 4);
        this.style = {};
        this._context = new Context2D(this);
    }

    // Setting either dimension clears the canvas, as in a browser.
    get width() {
        return this._width;
    }

    set width(value) {
        this._width = value;
        this.pixels = new Uint8ClampedArray(this._width * this._height * 4);
    }

    get height() {
        return this._height;
    }

    set height(value) {
        this._height = value;
        this.pixels = new Uint8ClampedArray(this._width * this._height * 4);
    }

    getContext(kind) {
        if (kind !== "2d") {
            throw new HarnessError(`the canvas stand-in has no '${kind}' context`);
        }
        return this._context;
    }
}

// An <img> whose src is a data URL. It decodes asynchronously, as a browser does, so that noVNC's render
// queue really waits for it; a picture that cannot be decoded fails the run (a browser would fire 'error',
// and noVNC's queue would wait forever).
const imageFailures = [];
let pendingImages = 0;

class ImageShim {
    constructor() {
        this.complete = false;
        this.width = 0;
        this.height = 0;
        this.pixels = null;
        this._listeners = [];
    }

    addEventListener(type, listener) {
        if (type === "load") {
            this._listeners.push(listener);
        }
    }

    removeEventListener(type, listener) {
        this._listeners = this._listeners.filter((l) => l !== listener);
    }

    set src(url) {
        pendingImages++;
        setImmediate(() => {
            pendingImages--;
            try {
                this._decode(url);
            } catch (error) {
                imageFailures.push(error.message);
                return;
            }
            this.complete = true;
            for (const listener of [...this._listeners]) {
                listener.call(this);
            }
        });
    }

    _decode(url) {
        const match = /^data:\s*([^;,]+);base64,(.*)$/s.exec(url);
        if (!match) {
            throw new HarnessError("image source is not a base64 data URL");
        }
        const bytes = Buffer.from(match[2], "base64");
        let decoded;
        if (match[1] === "image/jpeg") {
            try {
                decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
            } catch (error) {
                throw new HarnessError(`a ${bytes.length}-byte JPEG image could not be decoded: ${error.message}`);
            }
        } else if (match[1] === "image/png") {
            try {
                decoded = PNG.sync.read(bytes);
            } catch (error) {
                throw new HarnessError(`a ${bytes.length}-byte PNG image could not be decoded: ${error.message}`);
            }
        } else {
            throw new HarnessError(`image type ${match[1]} is not supported`);
        }
        this.width = decoded.width;
        this.height = decoded.height;
        this.pixels = new Uint8ClampedArray(decoded.data.buffer, decoded.data.byteOffset, decoded.width * decoded.height * 4);
    }
}

globalThis.window = globalThis;
globalThis.ImageData = ImageDataShim;
globalThis.Image = ImageShim;
globalThis.document = { createElement: (name) => {
    if (name !== "canvas") {
        throw new HarnessError(`document.createElement('${name}') is not available`);
    }
    return new CanvasShim();
} };
if (typeof globalThis.navigator === "undefined") {
    globalThis.navigator = { userAgent: "node" };
}
if (typeof globalThis.WebSocket === "undefined") {
    globalThis.WebSocket = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 };
}

// Loaded only now: these modules read the globals above when they load.
const Websock = require("@novnc/novnc/lib/websock.js").default;
const Display = require("@novnc/novnc/lib/display.js").default;
const { encodings } = require("@novnc/novnc/lib/encodings.js");
const decoderModules = {
    [encodings.encodingRaw]: "raw",
    [encodings.encodingCopyRect]: "copyrect",
    [encodings.encodingRRE]: "rre",
    [encodings.encodingHextile]: "hextile",
    [encodings.encodingZlib]: "zlib",
    [encodings.encodingTight]: "tight",
    [encodings.encodingTightPNG]: "tightpng",
    [encodings.encodingZRLE]: "zrle",
    [encodings.encodingJPEG]: "jpeg",
};

// ---- The client side of noVNC's RFB object, for FramebufferUpdate messages ---------------------------

const defaultChunk = 1024 * 1024;

// The depth noVNC passes to its decoders: 24 for every server but Intel AMT KVM.
const depth = 24;

class UpdateReader {
    constructor(sock, display) {
        this.sock = sock;
        this.display = display;
        this.decoders = {};
        for (const [encoding, name] of Object.entries(decoderModules)) {
            const Decoder = require(`@novnc/novnc/lib/decoders/${name}.js`).default;
            this.decoders[encoding] = new Decoder();
        }
        this.rects = 0; // rectangles left in the current update, as noVNC's FBU.rects
        this.rect = null; // the rectangle being decoded, once its header has been read
        this.updates = 0;
        this.rectIndex = 0; // within the current update
    }

    get inMessage() {
        return this.rects > 0;
    }

    describeRect() {
        const r = this.rect;
        if (r === null) {
            return `update ${this.updates}, before the header of rectangle ${this.rectIndex}`;
        }
        return `update ${this.updates}, rectangle ${this.rectIndex} (${r.width}x${r.height} at ${r.x},${r.y}, encoding ${r.encoding})`;
    }

    // Consumes what the receive queue holds. Returns when it needs more bytes or holds none.
    async readAvailable() {
        const sock = this.sock;
        for (;;) {
            if (this.rects === 0) {
                if (sock.rQwait("message", 1)) {
                    return;
                }
                if (sock.rQpeek8() !== 0) {
                    throw new HarnessError(`update ${this.updates + 1}: server message type ${sock.rQpeek8()} is not a FramebufferUpdate`);
                }
                if (sock.rQwait("FBU header", 4)) {
                    return;
                }
                sock.rQskipBytes(2); // type, padding
                this.rects = sock.rQshift16();
                this.updates++;
                this.rectIndex = 0;
                this.rect = null;
                if (this.rects === 0) {
                    this.display.flip();
                    continue;
                }
                // noVNC lets the previous update finish rendering before it starts the next.
                if (this.display.pending()) {
                    await this.waitForDisplay();
                }
            }
            while (this.rects > 0) {
                if (this.rect === null) {
                    if (sock.rQwait("rect header", 12)) {
                        return;
                    }
                    this.rect = {
                        x: sock.rQshift16(),
                        y: sock.rQshift16(),
                        width: sock.rQshift16(),
                        height: sock.rQshift16(),
                        encoding: sock.rQshift32() >> 0,
                    };
                }
                if (!this.handleRect()) {
                    return;
                }
                this.rects--;
                this.rectIndex++;
                this.rect = null;
            }
            this.display.flip();
        }
    }

    // Returns false while the rectangle needs more bytes, as noVNC's _handleRect.
    handleRect() {
        const r = this.rect;
        switch (r.encoding) {
            case encodings.pseudoEncodingLastRect:
                this.rects = 1;
                return true;
            case encodings.pseudoEncodingDesktopSize:
                this.display.resize(r.width, r.height);
                return true;
            case encodings.pseudoEncodingQEMUExtendedKeyEvent:
                return true;
            case encodings.pseudoEncodingDesktopName: {
                if (this.sock.rQwait("DesktopName", 4)) {
                    return false;
                }
                const length = this.sock.rQshift32();
                if (this.sock.rQwait("DesktopName", length, 4)) {
                    return false;
                }
                this.sock.rQskipBytes(length);
                return true;
            }
            default: {
                const decoder = this.decoders[r.encoding];
                if (!decoder) {
                    throw new HarnessError(`Unsupported encoding (encoding: ${r.encoding}) in ${this.describeRect()}`);
                }
                try {
                    return decoder.decodeRect(r.x, r.y, r.width, r.height, this.sock, this.display, depth);
                } catch (error) {
                    throw new HarnessError(`noVNC: Error decoding rect: ${error} in ${this.describeRect()}`);
                }
            }
        }
    }

    async waitForDisplay() {
        // Images decode on later turns of the event loop; a queue that still waits once no image is
        // pending will never drain.
        while (this.display.pending()) {
            checkImages();
            if (pendingImages === 0 && this.display.pending()) {
                await new Promise((resolve) => setImmediate(resolve));
                checkImages();
                if (pendingImages === 0 && this.display.pending()) {
                    throw new HarnessError(`noVNC's render queue is stuck${describeLoggedErrors()}`);
                }
                continue;
            }
            await new Promise((resolve) => setImmediate(resolve));
        }
        checkLoggedErrors();
    }
}

function describeLoggedErrors() {
    return loggedErrors.length === 0 ? "" : `; noVNC logged: ${loggedErrors.join(" | ")}`;
}

function checkImages() {
    if (imageFailures.length > 0) {
        throw new HarnessError(imageFailures.join("; "));
    }
}

function checkLoggedErrors() {
    if (loggedErrors.length > 0) {
        throw new HarnessError(`noVNC logged an error: ${loggedErrors.join(" | ")}`);
    }
}

// A data channel with the properties Websock.attach checks; what the "server" sends arrives through
// onmessage, and the client never sends anything here.
class ChannelShim {
    constructor() {
        this.binaryType = "arraybuffer";
        this.protocol = "";
        this.readyState = "open";
        this.onerror = null;
        this.onmessage = null;
        this.onopen = null;
        this.onclose = null;
    }

    send() {
        throw new HarnessError("the decoder harness does not send to the server");
    }

    close() {
        this.readyState = "closed";
    }
}

// ---- Main -------------------------------------------------------------------------------------------

function parseArguments(argv) {
    let input = null;
    let chunk = 0;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--chunk") {
            chunk = Number(argv[++i]);
            if (!Number.isInteger(chunk) || chunk < 1) {
                throw new Error("--chunk takes a positive whole number");
            }
        } else if (input === null) {
            input = argv[i];
        } else {
            throw new Error(`unexpected argument '${argv[i]}'`);
        }
    }
    if (input === null) {
        throw new Error("usage: node decode.mjs INPUT|- [--chunk N]");
    }
    return { input, chunk };
}

async function main() {
    let options;
    try {
        options = parseArguments(process.argv.slice(2));
    } catch (error) {
        process.stderr.write(`decode.mjs: ${error.message}\n`);
        return 2;
    }

    const input = readFileSync(options.input === "-" ? 0 : options.input);
    if (input.length < 4) {
        throw new HarnessError(`the input holds ${input.length} bytes; it must start with the framebuffer width and height (u16 BE each)`);
    }
    const width = input.readUInt16BE(0);
    const height = input.readUInt16BE(2);
    const stream = input.subarray(4);

    const channel = new ChannelShim();
    const sock = new Websock();
    sock.attach(channel);
    const display = new Display(new CanvasShim());
    display.resize(width, height); // what noVNC does with ServerInit's size
    const reader = new UpdateReader(sock, display);

    const chunk = options.chunk > 0 ? options.chunk : defaultChunk;
    for (let offset = 0; offset < stream.length; offset += chunk) {
        const part = stream.subarray(offset, Math.min(stream.length, offset + chunk));
        // Websock takes the ArrayBuffer of a WebSocket message; give each message its own buffer.
        channel.onmessage({ data: part.buffer.slice(part.byteOffset, part.byteOffset + part.length) });
        await reader.readAvailable();
        checkImages();
    }

    if (reader.inMessage) {
        throw new HarnessError(`the input ended inside ${reader.describeRect()}: noVNC needed more bytes than were given`);
    }
    if (!sock.rQwait("message", 1)) {
        throw new HarnessError(`the input ended inside a message header after ${reader.updates} updates`);
    }
    await reader.waitForDisplay();
    checkLoggedErrors();

    const image = display.getImageData();
    const header = Buffer.alloc(8);
    header.writeUInt32BE(image.width, 0);
    header.writeUInt32BE(image.height, 4);
    process.stdout.write(header);
    await new Promise((resolve, reject) => process.stdout.write(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), (error) => (error ? reject(error) : resolve())));
    return 0;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error) => {
        const message = error instanceof HarnessError ? error.message : (error && error.stack) || String(error);
        process.stderr.write(`decode.mjs: ${message}\n`);
        process.exitCode = 1;
    });
