package dev.medsam.core.volume;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.nio.ByteBuffer;

/** Small synthetic uint8 volumes: background 0, objects drawn as boxes with a value. */
final class Volumes {

    final int nx;
    final int ny;
    final int nz;
    final byte[] v;

    Volumes(int nx, int ny, int nz) {
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.v = new byte[nx * ny * nz];
    }

    /** Fills x0..x1, y0..y1 (inclusive) on slices z0..z1 with {@code value}. */
    Volumes box(int x0, int y0, int z0, int x1, int y1, int z1, int value) {
        for (int z = z0; z <= z1; z++) {
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    v[x + nx * (y + ny * z)] = (byte) value;
                }
            }
        }
        return this;
    }

    int get(int x, int y, int z) {
        return v[x + nx * (y + ny * z)] & 0xFF;
    }

    MedicalImage image() {
        return MedicalImage.builder(DataType.UINT8, nx, ny, nz)
                .affine(Affine.of(CoordinateSystem.LPS, -0.7, 0, 0, 12.5, 0, 0.7, 0, -30, 0, 0, 2.5, 100))
                .modality("MR")
                .attribute("test.origin", "synthetic")
                .data(ByteBuffer.wrap(v.clone())).build();
    }

    /** The labels of a result as an array indexed like {@link #v}. */
    static int label(MedicalImage labels, int x, int y, int z) {
        return (int) labels.get(labels.index(x, y, z, 0));
    }
}
