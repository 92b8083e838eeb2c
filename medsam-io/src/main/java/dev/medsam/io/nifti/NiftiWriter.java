package dev.medsam.io.nifti;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.io.files.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a {@link MedicalImage} as a single-file NIfTI image: {@code .nii}, or gzip-compressed when the file
 * name ends in {@code .gz}. The file appears complete or not at all (written to a temporary file in the same
 * folder, then moved over the target).
 *
 * <h2>Geometry</h2>
 * If the image carries the {@code nifti.*} attributes of the header it was read from (see
 * {@link NiftiReader}; {@link MedicalImage#toBuilder} keeps them, so a mask made on a NIfTI image's grid has
 * them) and it still lies on that grid (same x, y, z dims and the same affine within 1e-6 mm), the source's
 * qform and sform codes, quaternion, qoffset, srows, pixdim (qfac included) and units are written unchanged:
 * every tool then sees exactly the source's geometry. Otherwise the affine is written as the sform and its
 * nearest rotation as the qform (pixdim = column lengths, qfac = sign of the determinant), with the source's
 * codes where known, else code 1 (scanner) for both.
 *
 * <h2>Defaults</h2>
 * NIfTI-1, unless a dimension exceeds 32767 or the image was read from a NIfTI-2 file (then NIfTI-2, so that
 * its float64 geometry is not rounded); little-endian; {@code scl_slope}/{@code scl_inter}
 * from the image's rescale; {@code cal_min}/{@code cal_max} from its window. Types: every {@link DataType} but
 * float16 (NIfTI has none); 3-component uint8 is written as RGB24, 4-component as RGBA32.
 *
 * <p>Immutable and thread-safe. Example:
 * <pre>{@code
 * MedicalImage ct = NiftiReader.read(Path.of("ct.nii.gz"));
 * MedicalImage mask = ct.toBuilder(DataType.UINT8).data(ByteBuffer.wrap(labels)).build();
 * NiftiWriter.write(mask, Path.of("mask.nii.gz"));   // same geometry as ct.nii.gz, bit for bit
 * }</pre>
 */
public final class NiftiWriter {

    private static final NiftiWriter DEFAULT = builder().build();

    private final NiftiVersion version;
    private final ByteOrder order;

    private NiftiWriter(Builder b) {
        this.version = b.version;
        this.order = b.order;
    }

    /** A builder for a writer with non-default options. */
    public static Builder builder() {
        return new Builder();
    }

    /** Writes {@code image} to {@code file} with the default options. */
    public static void write(MedicalImage image, Path file) throws IOException {
        DEFAULT.writeImage(image, file);
    }

    /**
     * Writes {@code image} to {@code file}.
     *
     * @throws IllegalArgumentException if the image's type or components have no NIfTI equivalent, or NIfTI-1
     *                                  was requested for a dimension above 32767
     * @throws IOException              if the file cannot be written (no partial file is left)
     */
    public void writeImage(MedicalImage image, Path file) throws IOException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(file, "file");
        NiftiHeader h = header(image);
        boolean gzip = file.getFileName() != null && file.getFileName().toString().endsWith(".gz");
        AtomicFiles.write(file, raw -> {
            OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
            out.write(h.encode());
            out.write(new byte[(int) h.voxOffset - h.version.headerSize()]); // extension flag 0, no extensions
            writeData(image, h.order, out);
            if (out instanceof GZIPOutputStream gz) {
                gz.finish();
            }
        });
    }

    /** The header this writer would write for {@code image} (package-private for tests). */
    NiftiHeader header(MedicalImage image) {
        int rank = image.rank();
        if (rank > 7) {
            throw new IllegalArgumentException("NIfTI holds at most 7 dimensions; the image has " + rank);
        }
        boolean big = false;
        for (int d : image.dims()) {
            big |= d > Short.MAX_VALUE;
        }
        // A NIfTI-2 source keeps NIfTI-2, so that its float64 geometry is not rounded to float32.
        boolean fromNifti2 = "2".equals(image.attributes().get(NiftiGeometry.VERSION));
        NiftiVersion v = version != null ? version : big || fromNifti2 ? NiftiVersion.NIFTI2 : NiftiVersion.NIFTI1;
        if (v == NiftiVersion.NIFTI1 && big) {
            throw new IllegalArgumentException("NIfTI-1 dimensions are at most 32767; the image has dims "
                    + java.util.Arrays.toString(image.dims()) + " (use NIfTI-2)");
        }
        NiftiHeader h = new NiftiHeader();
        h.version = v;
        h.order = order;
        h.magic = v.magic();
        h.dim[0] = rank;
        for (int i = 1; i < 8; i++) {
            h.dim[i] = i <= rank ? image.dim(i - 1) : 1;
        }
        java.util.Arrays.fill(h.pixdim, 1.0);
        int[] code = datatype(image);
        h.datatype = code[0];
        h.bitpix = code[1];
        h.voxOffset = v.minDataOffset();
        Rescale r = image.rescale();
        h.sclSlope = r.slope();
        h.sclInter = r.intercept();
        image.window().ifPresent(w -> {
            h.calMin = w.lower();
            h.calMax = w.upper();
        });
        h.descrip = "medsam-java";
        Optional<NiftiHeader> source = NiftiGeometry.fromAttributes(image.attributes());
        if (source.isPresent() && NiftiGeometry.sameGrid(source.get(), image)) {
            NiftiHeader s = source.get();
            h.qformCode = s.qformCode;
            h.sformCode = s.sformCode;
            h.quaternB = s.quaternB;
            h.quaternC = s.quaternC;
            h.quaternD = s.quaternD;
            h.qoffsetX = s.qoffsetX;
            h.qoffsetY = s.qoffsetY;
            h.qoffsetZ = s.qoffsetZ;
            System.arraycopy(s.srowX, 0, h.srowX, 0, 4);
            System.arraycopy(s.srowY, 0, h.srowY, 0, 4);
            System.arraycopy(s.srowZ, 0, h.srowZ, 0, 4);
            for (int i = 0; i < 8; i++) {
                // pixdim[0..3] carry qfac and the voxel size; later ones only for axes the image still has.
                if (i <= 3 || (i <= rank && i <= s.dim[0] && s.dim[i] == image.dim(i - 1))) {
                    h.pixdim[i] = s.pixdim[i];
                }
            }
            h.xyztUnits = s.xyztUnits;
        } else {
            NiftiGeometry.setAffine(h, image.affine(CoordinateSystem.RAS));
            int q = source.map(s -> NiftiGeometry.fixedCode(s.qformCode)).orElse(0);
            int s = source.map(x -> NiftiGeometry.fixedCode(x.sformCode)).orElse(0);
            h.qformCode = q > 0 ? q : s > 0 ? s : 1;
            h.sformCode = s > 0 ? s : h.qformCode;
            h.xyztUnits = source.map(x -> x.xyztUnits).orElse(rank >= 4 ? 2 | 8 : 2);
        }
        return h;
    }

    private static int[] datatype(MedicalImage image) {
        int components = image.components();
        DataType t = image.dataType();
        if (components == 3 || components == 4) {
            if (t != DataType.UINT8) {
                throw new IllegalArgumentException("NIfTI stores " + components + "-component voxels only as uint8 "
                        + (components == 3 ? "RGB24" : "RGBA32") + ", not " + t.numpyName());
            }
            return components == 3 ? new int[] {NiftiHeader.DT_RGB24, 24} : new int[] {NiftiHeader.DT_RGBA32, 32};
        }
        if (components != 1) {
            throw new IllegalArgumentException("NIfTI has no " + components + "-component voxel type");
        }
        int code = switch (t) {
            case UINT8 -> NiftiHeader.DT_UINT8;
            case INT8 -> NiftiHeader.DT_INT8;
            case INT16 -> NiftiHeader.DT_INT16;
            case UINT16 -> NiftiHeader.DT_UINT16;
            case INT32 -> NiftiHeader.DT_INT32;
            case UINT32 -> NiftiHeader.DT_UINT32;
            case INT64 -> NiftiHeader.DT_INT64;
            case UINT64 -> NiftiHeader.DT_UINT64;
            case FLOAT32 -> NiftiHeader.DT_FLOAT32;
            case FLOAT64 -> NiftiHeader.DT_FLOAT64;
            case FLOAT16 -> throw new IllegalArgumentException(
                    "NIfTI has no float16 type; convert the image to float32 first");
        };
        return new int[] {code, t.bytes() * 8};
    }

    private static void writeData(MedicalImage image, ByteOrder order, OutputStream out) throws IOException {
        ByteBuffer data = image.data();
        int width = image.dataType().bytes();
        byte[] chunk = new byte[Math.max(width, (1 << 16) / width * width)];
        boolean swap = order == ByteOrder.BIG_ENDIAN && width > 1;
        while (data.remaining() > 0) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            if (swap) {
                dev.medsam.io.files.internal.ByteOrders.swap(chunk, 0, n, width);
            }
            out.write(chunk, 0, n);
        }
    }

    /** Options for a {@link NiftiWriter}. Not thread-safe; the writer it builds is. */
    public static final class Builder {
        private NiftiVersion version;
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        private Builder() {
        }

        /**
         * Always write this version (default: NIfTI-1, or NIfTI-2 when a dimension exceeds 32767 or the image
         * comes from a NIfTI-2 file).
         */
        public Builder version(NiftiVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Byte order of the header and data (default little-endian). */
        public Builder byteOrder(ByteOrder order) {
            this.order = Objects.requireNonNull(order, "byte order");
            return this;
        }

        public NiftiWriter build() {
            return new NiftiWriter(this);
        }
    }
}
