"""Device-to-host copy bandwidth with PyTorch: the physical limit a GL readback is compared with.

Copies a frame-sized buffer from GPU memory into pinned (page-locked) and into ordinary host
memory, 50 times after 5 warm-ups, timed with CUDA events, and prints GiB/s per frame size.
"""
import torch

def measure(nbytes, pinned, repeats=50):
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty(nbytes, dtype=torch.uint8, pin_memory=pinned)
    for _ in range(5):
        dst.copy_(src, non_blocking=pinned)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(repeats):
        dst.copy_(src, non_blocking=pinned)
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1000 / repeats
    return nbytes / seconds / 2**30, seconds * 1000

print("D2H", torch.cuda.get_device_name(0), "torch", torch.__version__)
for w, h in [(1920, 1080), (3840, 2160)]:
    n = w * h * 4
    for pinned in (True, False):
        gib, ms = measure(n, pinned)
        print(f"D2H {w}x{h} {'pinned  ' if pinned else 'pageable'} {gib:7.2f} GiB/s  {ms:6.3f} ms per frame  ({1000 / ms:8.1f} frames/s)")
