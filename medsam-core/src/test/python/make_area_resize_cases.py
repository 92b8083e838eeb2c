"""Writes OpenCV INTER_AREA reference cases for AreaResizeTest (run with Debian's python3-opencv 4.6).

  /usr/bin/python3 medsam-core/src/test/python/make_area_resize_cases.py medsam-core/src/test/resources/area-resize

Each case NAME gives NAME_in.npy (H, W, C uint8) and NAME_out.npy (cv2.resize(..., INTER_AREA)). The inputs are
seeded noise with smooth parts, so both rounding ties and ordinary values occur.
"""
import sys
import os
import numpy as np
import cv2

CASES = [
    # name, (H, W, C), (out W, out H)
    ("enlarge_grey_small", (13, 20, 1), (64, 42)),
    ("enlarge_rgb_to256", (60, 100, 3), (256, 154)),
    ("enlarge_rgba", (7, 5, 4), (33, 46)),
    ("enlarge_one_row", (1, 9, 3), (256, 28)),
    ("enlarge_one_pixel", (1, 1, 3), (256, 16)),
    ("enlarge_x3_exact", (10, 12, 3), (36, 30)),
    ("enlarge_tall", (40, 3, 1), (19, 256)),
    ("shrink_whole_x3", (30, 36, 3), (12, 10)),
    ("shrink_whole_x2_grey", (18, 34, 1), (17, 9)),
    ("shrink_whole_x2_rgba", (8, 12, 4), (6, 4)),
    ("shrink_fraction_grey", (97, 311, 1), (256, 80)),
    ("shrink_fraction_rgb", (131, 97, 3), (71, 96)),
    ("shrink_mixed_whole_and_fraction", (40, 60, 3), (30, 13)),
    ("shrink_one_side", (50, 300, 1), (256, 50)),
]


def image(shape, seed):
    rng = np.random.default_rng(seed)
    h, w, c = shape
    y, x = np.mgrid[0:h, 0:w]
    smooth = (127.5 + 120 * np.sin(x / 3.1 + y / 4.7))[..., None].repeat(c, axis=2)
    noise = rng.integers(0, 256, size=shape)
    img = np.where(rng.random(shape) < 0.5, smooth, noise)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for i, (name, shape, size) in enumerate(CASES):
        img = image(shape, 1000 + i)
        src = img[..., 0] if shape[2] == 1 else img
        out = cv2.resize(src, size, interpolation=cv2.INTER_AREA)
        if out.ndim == 2:
            out = out[..., None]
        np.save(os.path.join(out_dir, name + "_in.npy"), img)
        np.save(os.path.join(out_dir, name + "_out.npy"), np.ascontiguousarray(out))
    print("wrote", len(CASES), "cases with OpenCV", cv2.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
