"""Starts a program and waits until the X screen shows its first painted content: more than 64
distinct colours on the root window (text is drawn antialiased; an empty or plain window has one
or two). Prints the milliseconds from the start to that frame and leaves the program running;
its pid goes to stderr. Grabs with Xlib's XGetImage through ctypes (a few ms a frame), every 10 ms.

    python3 first_paint.py PROGRAM [ARGS...]     (under a display: xvfb-run)
"""

import ctypes
import ctypes.util
import subprocess
import sys
import time

ALL_PLANES = 0xFFFFFFFF
Z_PIXMAP = 2
TIMEOUT_S = 60


class XImage(ctypes.Structure):
    # The leading fields of Xlib's XImage, up to the ones read here.
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


def main() -> int:
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XGetImage.restype = ctypes.POINTER(XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                              ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XFree.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        print("no X display (run under xvfb-run)", file=sys.stderr)
        return 2
    root = x11.XDefaultRootWindow(display)
    x11.XDisplayWidth.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    width, height = x11.XDisplayWidth(display, 0), x11.XDisplayHeight(display, 0)

    start = time.monotonic()
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(proc.pid, file=sys.stderr, flush=True)
    frames = 0
    try:
        while time.monotonic() - start < TIMEOUT_S:
            image = x11.XGetImage(display, root, 0, 0, width, height, ALL_PLANES, Z_PIXMAP)
            frames += 1
            if not image:
                raise RuntimeError("XGetImage returned nothing")
            img = image.contents
            data = ctypes.string_at(img.data, img.bytes_per_line * img.height)
            # Every 7th pixel: enough to see text, and a frame is counted in ~10 ms, not ~80.
            pixels = memoryview(data).cast("I")[::7] if img.bits_per_pixel == 32 else []
            colours = len(set(pixels))
            # The pixel buffer and the structure were allocated by Xlib.
            x11.XFree(ctypes.c_void_p(img.data))
            x11.XFree(image)
            if colours > 64:
                elapsed = (time.monotonic() - start) * 1000
                print(f"{elapsed:.0f} {frames} {colours}")
                return 0
            time.sleep(0.01)
        print(f"nothing painted in {TIMEOUT_S} s", file=sys.stderr)
    except Exception as e:  # the program must not outlive a failed measurement
        print(f"first_paint: {e}", file=sys.stderr)
    proc.kill()
    proc.wait()
    return 1


if __name__ == "__main__":
    sys.exit(main())
