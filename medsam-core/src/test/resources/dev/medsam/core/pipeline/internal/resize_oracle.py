# How the SHA-256 values in SplineResizeTest were produced (NumPy 2.4.6, SciPy 1.17.1 on x86-64).
# The inputs come from SplineResizeTest.generated(...), written as raw H x W x C uint8 files named
# rs_in_<W>x<H>x<C>.raw. zoom110 calls scipy's C zoom directly because SciPy >= 1.15 returns the input
# unchanged when every zoom factor is 1, which SciPy 1.10 (the reference's version) did not.
# The same recipe reproduces sam-parity/tiny/image_1024_u8.npy and preprocess/fundus_resized_1024_u8.npy exactly.
import glob, hashlib, re
import numpy as np, scipy.ndimage as ndi
from scipy.ndimage import _nd_image, _ni_support

def zoom110(inp, out_shape):
    filtered = ndi.spline_filter(inp, 3, output=np.float64, mode='mirror')
    output = np.zeros(out_shape, np.float64)
    zoom = np.array(inp.shape, float) / np.array(out_shape, float)
    _nd_image.zoom_shift(filtered, np.ascontiguousarray(zoom), None, output, 3,
                         _ni_support._extend_mode_to_code('mirror'), 0.0, 0, True)
    return output

def resize(img, out):  # skimage 0.19.3 resize(order=3, preserve_range=True, anti_aliasing=True)
    img = img.astype(np.float64)
    factors = np.divide(img.shape, out + img.shape[2:])
    f = ndi.gaussian_filter(img, np.maximum(0, (factors - 1) / 2), mode='mirror', truncate=4.0)
    return np.clip(zoom110(f, out + img.shape[2:]), img.min(), img.max())

for f in sorted(glob.glob('rs_in_*.raw')):
    w, h, ch = map(int, re.findall(r'(\d+)x(\d+)x(\d+)', f)[0])
    a = np.fromfile(f, np.uint8).reshape(h, w, ch)
    if ch == 1:
        a = np.repeat(a, 3, -1)
    print(w, h, ch, hashlib.sha256(resize(a, (1024, 1024)).astype(np.uint8).tobytes()).hexdigest())
