#!/usr/bin/python3
"""Export LiteMedSAM's TinyViT image encoder to ONNX for the ONNX Runtime side of LiteEncoderBenchmark.

Our own minimal PyTorch statement of the encoder (the same structure TinyVitEncoderGraph builds in TensorFlow:
tiny_vit_sam.py of the MedSAM LiteMedSAM branch, eval mode only, no training paths), loaded from the
`image_encoder.*` keys of a LiteMedSAM state_dict. Before exporting, the network is run on the parity fixture's
input and compared with the reference's embeddings; the script refuses to export if they differ by more than
the fixture tolerance (5e-5), so the benchmark never times a different network.

Run with Debian's Python (python3-torch 1.13; no onnx package needed):
    /usr/bin/python3 benchmarks/tools/export_litemedsam_encoder.py [--fixtures ../shared/fixtures/litemedsam-parity]
        [--out benchmarks/target/litemedsam-encoder.onnx]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

EMBED_DIMS = [64, 128, 160, 320]
DEPTHS = [2, 2, 6, 2]
HEADS = [2, 4, 5, 10]
WINDOWS = [7, 7, 14, 7]
IMG = 256
EXPANSION = 4
TOLERANCE = 5e-5


class ConvBN(nn.Module):
    """Conv2d without bias followed by BatchNorm2d (keys `c.*` and `bn.*`)."""

    def __init__(self, cin, cout, kernel=1, stride=1, pad=0, groups=1):
        super().__init__()
        self.c = nn.Conv2d(cin, cout, kernel, stride, pad, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.c(x))


class PatchEmbed(nn.Module):
    def __init__(self, d):
        super().__init__()
        # LiteMedSAM's patch embedding is two 1x1 Conv+BN with GELU between: indices 0, 1, 2 of `seq`.
        self.seq = nn.Sequential(ConvBN(3, d // 2), nn.GELU(), ConvBN(d // 2, d))

    def forward(self, x):
        return self.seq(x)


class MBConv(nn.Module):
    def __init__(self, d):
        super().__init__()
        h = EXPANSION * d
        self.conv1 = ConvBN(d, h)
        self.conv2 = ConvBN(h, h, 3, 1, 1, groups=h)
        self.conv3 = ConvBN(h, d)

    def forward(self, x):
        y = F.gelu(self.conv1(x))
        y = F.gelu(self.conv2(y))
        return F.gelu(self.conv3(y) + x)


class PatchMerging(nn.Module):
    """Works on NCHW here (the reference takes tokens and reshapes; the arithmetic is the same)."""

    def __init__(self, d, out):
        super().__init__()
        # The reference keeps the grid (stride 1) for output widths 320, 448 and 576.
        stride = 1 if out in (320, 448, 576) else 2
        self.conv1 = ConvBN(d, out)
        self.conv2 = ConvBN(out, out, 3, stride, 1, groups=out)
        self.conv3 = ConvBN(out, out)

    def forward(self, x):
        return self.conv3(F.gelu(self.conv2(F.gelu(self.conv1(x)))))


class Attention(nn.Module):
    def __init__(self, d, heads, ws):
        super().__init__()
        self.heads = heads
        self.kd = d // heads
        self.norm = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.attention_biases = nn.Parameter(torch.zeros(heads, ws * ws))
        # Offset (|dy|, |dx|) -> column |dy| * ws + |dx|: the reference numbers offsets in order of first
        # appearance, and every offset first appears from the window's top-left token, so this is its index.
        ys, xs = np.divmod(np.arange(ws * ws), ws)
        idx = np.abs(ys[:, None] - ys[None, :]) * ws + np.abs(xs[:, None] - xs[None, :])
        self.register_buffer("bias_index", torch.from_numpy(idx.astype(np.int64)), persistent=False)

    def forward(self, x):  # x: (B, N, d)
        b, n, _ = x.shape
        qkv = self.qkv(self.norm(x)).view(b, n, self.heads, 3 * self.kd)
        q, k, v = qkv.split([self.kd, self.kd, self.kd], dim=3)
        q, k, v = q.permute(0, 2, 1, 3), k.permute(0, 2, 1, 3), v.permute(0, 2, 1, 3)
        a = (q @ k.transpose(-2, -1)) * (self.kd ** -0.5) + self.attention_biases[:, self.bias_index]
        o = (a.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, self.heads * self.kd)
        return self.proj(o)


class Mlp(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, EXPANSION * d)
        self.fc2 = nn.Linear(EXPANSION * d, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(self.norm(x))))


class TinyVitBlock(nn.Module):
    """Window attention (zero padding bottom/right), depthwise 3x3 Conv+BN, MLP; on NCHW."""

    def __init__(self, d, heads, ws):
        super().__init__()
        self.ws = ws
        self.attn = Attention(d, heads, ws)
        self.local_conv = ConvBN(d, d, 3, 1, 1, groups=d)
        self.mlp = Mlp(d)

    def forward(self, x):
        _, d, h, w = x.shape
        ws = self.ws
        t = x.permute(0, 2, 3, 1)  # (1, H, W, d)
        ph, pw = (ws - h % ws) % ws, (ws - w % ws) % ws
        if ph or pw:
            t = F.pad(t, (0, 0, 0, pw, 0, ph))
        hp, wp = h + ph, w + pw
        nh, nw = hp // ws, wp // ws
        t = t.reshape(nh, ws, nw, ws, d).transpose(1, 2).reshape(nh * nw, ws * ws, d)
        t = self.attn(t)
        t = t.reshape(nh, nw, ws, ws, d).transpose(1, 2).reshape(1, hp, wp, d)[:, :h, :w]
        x = x + t.permute(0, 3, 1, 2)
        x = self.local_conv(x)
        tokens = x.flatten(2).transpose(1, 2)
        tokens = tokens + self.mlp(tokens)
        return tokens.transpose(1, 2).reshape(1, d, h, w)


class Layer(nn.Module):
    def __init__(self, i):
        super().__init__()
        d = EMBED_DIMS[i]
        if i == 0:
            self.blocks = nn.ModuleList(MBConv(d) for _ in range(DEPTHS[i]))
        else:
            self.blocks = nn.ModuleList(TinyVitBlock(d, HEADS[i], WINDOWS[i]) for _ in range(DEPTHS[i]))
        self.downsample = PatchMerging(d, EMBED_DIMS[i + 1]) if i + 1 < len(EMBED_DIMS) else None

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.downsample(x) if self.downsample is not None else x


class LayerNorm2d(nn.Module):
    def __init__(self, c, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class TinyVitEncoder(nn.Module):
    """(1, 3, 256, 256) normalised image -> (1, 256, 64, 64) embedding."""

    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed(EMBED_DIMS[0])
        self.layers = nn.ModuleList(Layer(i) for i in range(len(EMBED_DIMS)))
        self.neck = nn.Sequential(
            nn.Conv2d(EMBED_DIMS[-1], 256, 1, bias=False), LayerNorm2d(256),
            nn.Conv2d(256, 256, 3, padding=1, bias=False), LayerNorm2d(256))

    def forward(self, x):
        x = self.patch_embed(x)
        for layer in self.layers:
            x = layer(x)
        return self.neck(x)


def load_encoder(weights):
    state = torch.load(weights, map_location="cpu")
    prefix = "image_encoder."
    enc = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    if not enc:
        raise SystemExit(f"{weights}: no '{prefix}*' keys; is this a LiteMedSAM state_dict?")
    model = TinyVitEncoder()
    # strict: every key of ours must be in the file and the reverse, so a wrong structure cannot load quietly.
    model.load_state_dict(enc, strict=True)
    return model.eval()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", default=os.path.join(root, "..", "shared", "fixtures", "litemedsam-parity"))
    ap.add_argument("--out", default=os.path.join(root, "benchmarks", "target", "litemedsam-encoder.onnx"))
    ap.add_argument("--opset", type=int, default=17)
    args = ap.parse_args()

    paths = [os.path.join(args.fixtures, *p) for p in
             (("weights", "lite_medsam_random.pth"), ("ct_wide", "input.npy"), ("ct_wide", "embeddings.npy"))]
    for p in paths:
        if not os.path.isfile(p):
            raise SystemExit(f"{p}: not found (pass --fixtures <shared>/fixtures/litemedsam-parity)")
    torch.set_grad_enabled(False)
    model = load_encoder(paths[0])
    x = torch.from_numpy(np.load(paths[1]))
    expected = np.load(paths[2])
    if x.shape != (1, 3, IMG, IMG) or x.dtype != torch.float32:
        raise SystemExit(f"{paths[1]}: expected a float32 (1, 3, {IMG}, {IMG}) input, got {x.dtype} {tuple(x.shape)}")
    got = model(x).numpy()
    if got.shape != expected.shape:
        raise SystemExit(f"embedding shape {got.shape}, the fixture has {expected.shape}")
    diff = float(np.abs(got - expected).max())
    print(f"PyTorch restatement vs ct_wide/embeddings.npy: max abs diff {diff:.3g} (tolerance {TOLERANCE})")
    if not diff <= TOLERANCE:
        raise SystemExit("refusing to export: the restatement does not match the reference")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    # Write next to the target and rename, so a failed export never leaves a half-written .onnx behind.
    fd, tmp = tempfile.mkstemp(suffix=".onnx.part", dir=os.path.dirname(os.path.abspath(args.out)))
    os.close(fd)
    try:
        torch.onnx.export(model, x, tmp, opset_version=args.opset, input_names=["image"],
                          output_names=["embedding"], do_constant_folding=True)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it a normal file's mode
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, opset {args.opset})")
    try:  # optional check with onnxruntime's Python package, when someone has it
        import onnxruntime as ort
        y = ort.InferenceSession(args.out).run(None, {"image": x.numpy()})[0]
        print(f"ONNX Runtime (Python) vs fixture: max abs diff {float(np.abs(y - expected).max()):.3g}")
    except ImportError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
