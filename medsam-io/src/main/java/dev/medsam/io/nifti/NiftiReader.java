package dev.medsam.io.nifti;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.ByteOrders;
import dev.medsam.io.files.internal.Limits;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, and {@code .nii.gz} streamed through gzip),
 * either byte order, into a {@link MedicalImage} that keeps the stored values and type.
 *
 * <h2>What you get</h2>
 * <ul>
 *   <li>dims = {@code dim[1..dim[0]]}, singleton dims kept (a 64x64x1x1 file gives dims (64, 64, 1, 1)).
 *       Voxel order is NIfTI's (x fastest), which is {@code MedicalImage}'s layout.</li>
 *   <li>Types: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64, RGB24 (uint8 with 3
 *       components) and RGBA32 (uint8 with 4). Complex, float128 and binary types are rejected.</li>
 *   <li>Rescale from {@code scl_slope}/{@code scl_inter} as nibabel: a slope of 0 or a non-finite slope means
 *       unscaled; a valid slope with a non-finite intercept is an error.</li>
 *   <li>Affine as nibabel's {@code get_best_affine}: the sform if {@code sform_code != 0}, else the qform if
 *       {@code qform_code != 0} (qfac = {@code pixdim[0]}, -1 only when exactly -1), else
 *       diag(-pixdim[1], pixdim[2], pixdim[3]) centred on the grid. Header values are fixed as nibabel's
 *       {@code check_fix} does (pixdim 0 becomes 1, negative pixdims their absolute value, xform codes outside
 *       0..5 become 0). A transform that cannot be an affine (non-finite, singular, or a quaternion with
 *       b^2+c^2+d^2 &gt; 1) is skipped for the next one with a warning: nibabel would return a singular matrix,
 *       which {@link dev.medsam.core.image.Affine} cannot hold. The NIfTI affine is RAS; {@code image.affine(CoordinateSystem.RAS)}
 *       returns it exactly. Units are not converted ({@code xyzt_units} other than mm gives a warning).</li>
 *   <li>A window from {@code cal_min}/{@code cal_max} when {@code cal_max > cal_min}.</li>
 *   <li>Attributes (strings) keeping the header's facts, so that {@link NiftiWriter} can write an image on the
 *       same grid with the very same header geometry: {@code nifti.version} (1 or 2), {@code nifti.byte_order}
 *       (little or big), {@code nifti.datatype} (code), {@code nifti.dim} (dim[0..7]), {@code nifti.pixdim}
 *       (pixdim[0..7] as stored), {@code nifti.vox_offset}, {@code nifti.scl_slope}, {@code nifti.scl_inter},
 *       {@code nifti.cal_min}, {@code nifti.cal_max}, {@code nifti.qform_code}, {@code nifti.sform_code},
 *       {@code nifti.quatern} (b c d), {@code nifti.qoffset} (x y z), {@code nifti.srow_x},
 *       {@code nifti.srow_y}, {@code nifti.srow_z}, {@code nifti.xyzt_units}, {@code nifti.intent_code},
 *       {@code nifti.descrip}, {@code nifti.affine_source} (sform, qform or pixdim) and, when present,
 *       {@code nifti.extensions} (code:size pairs). Numbers are written so that they parse back to the exact
 *       stored value (float32 for NIfTI-1, float64 for NIfTI-2); lists are space-separated.</li>
 * </ul>
 * Header extensions are skipped (the data starts at {@code vox_offset}); bytes after the image are ignored.
 *
 * <h2>Bad files</h2>
 * Every problem with the content is a {@link MalformedImageException} naming the file and the field. Sizes are
 * checked against the file length (or, for gzip, the most DEFLATE can expand it) before anything is
 * allocated, so memory use is the stored image size plus small buffers.
 *
 * <p>Thread-safe (stateless). Example:
 * <pre>{@code
 * MedicalImage ct = NiftiReader.read(Path.of("ct.nii.gz"));
 * Affine ras = ct.affine(CoordinateSystem.RAS);
 * }</pre>
 */
public final class NiftiReader {

    private static final System.Logger LOG = System.getLogger(NiftiReader.class.getName());

    private NiftiReader() {
    }

    /** Reads {@code file}; recoverable problems are logged as warnings. */
    public static MedicalImage read(Path file) throws IOException {
        return read(file, w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /**
     * Reads {@code file}, passing each recoverable problem (one line naming the file) to {@code warnings}.
     *
     * @throws MalformedImageException if the content is not a readable NIfTI image
     * @throws IOException             if the file cannot be read
     */
    public static MedicalImage read(Path file, Consumer<String> warnings) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(warnings, "warnings");
        try {
            return readImage(file, warnings);
        } catch (RuntimeException e) {
            // A last line of defence: every header value is validated above, so this is a bug, but the caller
            // still gets a checked exception that names the file.
            throw new MalformedImageException(file, "cannot be read as NIfTI: " + e, e);
        }
    }

    private static MedicalImage readImage(Path file, Consumer<String> warnings) throws IOException {
        Limits.requireRegularFile(file);
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1F && b1 == 0x8B;
            InputStream in = raw;
            if (gzip) {
                try {
                    in = new GZIPInputStream(raw, 1 << 16);
                } catch (IOException e) {
                    throw new MalformedImageException(file, "corrupt gzip header: " + e.getMessage(), e);
                }
            }
            Reader r = new Reader(file, in, gzip);
            NiftiHeader h = r.header();
            Layout layout = layout(file, h, warnings);
            long dataOffset = dataOffset(file, h, warnings);
            long available = gzip ? Limits.inflateBound(fileSize) - dataOffset : fileSize - dataOffset;
            if (!gzip && dataOffset > fileSize) {
                throw new MalformedImageException(file, "vox_offset " + dataOffset + " is past the end of the "
                        + fileSize + "-byte file");
            }
            Limits.checkImageAllocation(file, "the image data (" + Arrays.toString(layout.dims) + " x "
                    + layout.components + " " + layout.type.numpyName() + ")", layout.bytes, available,
                    gzip ? "a " + fileSize + "-byte gzip file cannot hold more than " + Math.max(0, available)
                            + " bytes after vox_offset " + dataOffset
                            : "the file has only " + Math.max(0, available) + " bytes after vox_offset " + dataOffset);
            r.extensions(h, dataOffset, warnings);
            r.skipTo(dataOffset);
            byte[] data = r.readData((int) layout.bytes, dataOffset);
            if (gzip) {
                r.drainGzip(Limits.TRAILING_CHECK_BYTES, warnings);
            }
            if (h.order == ByteOrder.BIG_ENDIAN) {
                ByteOrders.swap(data, layout.type.bytes());
            }
            return build(file, h, layout, data, warnings);
        }
    }

    /** The element type, components, dims and byte count the header describes. */
    record Layout(DataType type, int components, int[] dims, long bytes) {
    }

    static Layout layout(Path file, NiftiHeader h, Consumer<String> warnings) throws MalformedImageException {
        long rank = h.dim[0];
        if (rank < 1 || rank > 7) {
            throw new MalformedImageException(file, "dim[0] is " + rank + "; a NIfTI image has 1 to 7 dimensions");
        }
        int[] dims = new int[(int) rank];
        for (int i = 1; i <= rank; i++) {
            long d = h.dim[i];
            if (d < 1) {
                throw new MalformedImageException(file, "dim[" + i + "] is " + d + "; every dimension up to dim[0] = "
                        + rank + " must be at least 1 (dim = " + Arrays.toString(h.dim) + ")");
            }
            if (d > Integer.MAX_VALUE) {
                throw new MalformedImageException(file, "dim[" + i + "] is " + d + ", more than one array can index");
            }
            dims[i - 1] = (int) d;
        }
        DataType type;
        int components = 1;
        switch (h.datatype) {
            case NiftiHeader.DT_UINT8 -> type = DataType.UINT8;
            case NiftiHeader.DT_INT8 -> type = DataType.INT8;
            case NiftiHeader.DT_INT16 -> type = DataType.INT16;
            case NiftiHeader.DT_UINT16 -> type = DataType.UINT16;
            case NiftiHeader.DT_INT32 -> type = DataType.INT32;
            case NiftiHeader.DT_UINT32 -> type = DataType.UINT32;
            case NiftiHeader.DT_INT64 -> type = DataType.INT64;
            case NiftiHeader.DT_UINT64 -> type = DataType.UINT64;
            case NiftiHeader.DT_FLOAT32 -> type = DataType.FLOAT32;
            case NiftiHeader.DT_FLOAT64 -> type = DataType.FLOAT64;
            case NiftiHeader.DT_RGB24 -> {
                type = DataType.UINT8;
                components = 3;
            }
            case NiftiHeader.DT_RGBA32 -> {
                type = DataType.UINT8;
                components = 4;
            }
            case NiftiHeader.DT_COMPLEX64, NiftiHeader.DT_COMPLEX128, NiftiHeader.DT_COMPLEX256 ->
                    throw new MalformedImageException(file, "datatype " + h.datatype + " (complex) is not supported");
            case NiftiHeader.DT_FLOAT128 ->
                    throw new MalformedImageException(file, "datatype 1536 (float128) is not supported");
            case NiftiHeader.DT_BINARY ->
                    throw new MalformedImageException(file, "datatype 1 (binary, 1 bit) is not supported");
            default -> throw new MalformedImageException(file, "datatype " + h.datatype + " is not a NIfTI data type");
        }
        int bitpix = type.bytes() * 8 * components;
        if (h.bitpix != bitpix) {
            warnings.accept(file + ": bitpix is " + h.bitpix + " but datatype " + h.datatype + " has " + bitpix
                    + " bits; using the datatype");
        }
        long count = 1;
        for (int d : dims) {
            count = Limits.multiply(count, d);
        }
        long bytes = Limits.multiply(count, (long) type.bytes() * components);
        return new Layout(type, components, dims, bytes);
    }

    static long dataOffset(Path file, NiftiHeader h, Consumer<String> warnings) throws MalformedImageException {
        double v = h.voxOffset;
        if (!Double.isFinite(v) || v < 0 || v > Long.MAX_VALUE / 2) {
            throw new MalformedImageException(file, "vox_offset is " + v);
        }
        long offset = (long) v;
        int min = h.version.minDataOffset();
        if (offset < min) {
            // nibabel sets a too-small vox_offset of a single file to the minimum; 0 means "unset".
            if (offset != 0) {
                warnings.accept(file + ": vox_offset " + offset + " is inside the header; reading the data at " + min);
            }
            offset = min;
        }
        return offset;
    }

    private static MedicalImage build(Path file, NiftiHeader h, Layout layout, byte[] data, Consumer<String> warnings)
            throws MalformedImageException {
        MedicalImage.Builder b = MedicalImage.builder(layout.type, layout.dims).components(layout.components);
        b.rescale(rescale(file, h));
        NiftiGeometry.Choice choice = NiftiGeometry.best(h, problem -> warnings.accept(file + ": " + problem));
        b.affine(choice.affine());
        if (Double.isFinite(h.calMin) && Double.isFinite(h.calMax) && h.calMax > h.calMin) {
            double width = h.calMax - h.calMin;
            if (Double.isFinite(width)) {
                b.window(new Window(h.calMin + width / 2, width));
            }
        }
        int spaceUnit = h.xyztUnits & 0x07;
        if (spaceUnit == 1 || spaceUnit == 3) {
            warnings.accept(file + ": spatial unit is " + (spaceUnit == 1 ? "metre" : "micron")
                    + " (xyzt_units " + h.xyztUnits + "); the affine is kept as stored, not converted to mm");
        }
        NiftiGeometry.toAttributes(h, choice.source(), b);
        return b.data(ByteBuffer.wrap(data)).build();
    }

    static Rescale rescale(Path file, NiftiHeader h) throws MalformedImageException {
        double slope = h.sclSlope;
        double inter = h.sclInter;
        if (slope == 0 || !Double.isFinite(slope)) {
            return Rescale.IDENTITY;
        }
        if (!Double.isFinite(inter)) {
            throw new MalformedImageException(file, "scl_slope is " + slope + " but scl_inter is " + inter);
        }
        return new Rescale(slope, inter);
    }

    /** Sequential reading of the header, extensions and data from a (possibly gzip) stream. */
    static final class Reader {
        private final Path file;
        private final InputStream in;
        private final boolean gzip;
        private long position;

        Reader(Path file, InputStream in, boolean gzip) {
            this.file = file;
            this.in = in;
            this.gzip = gzip;
        }

        NiftiHeader header() throws IOException {
            byte[] first = read(4, "the header");
            Object[] vo = first.length == 4 ? NiftiHeader.detect(first) : null;
            if (vo == null) {
                throw new MalformedImageException(file, "not a NIfTI file: sizeof_hdr is "
                        + (first.length == 4 ? ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt() + ""
                                : "missing (" + first.length + " bytes)") + ", expected 348 or 540");
            }
            NiftiVersion version = (NiftiVersion) vo[0];
            ByteOrder order = (ByteOrder) vo[1];
            byte[] rest = read(version.headerSize() - 4, "the header");
            if (rest.length < version.headerSize() - 4) {
                throw new MalformedImageException(file, "truncated: the " + version.headerSize()
                        + "-byte header ends after " + (4 + rest.length) + " bytes");
            }
            byte[] block = new byte[version.headerSize()];
            System.arraycopy(first, 0, block, 0, 4);
            System.arraycopy(rest, 0, block, 4, rest.length);
            NiftiHeader h = NiftiHeader.parse(block, version, order);
            if (h.isPair()) {
                throw new MalformedImageException(file, "is the header of a NIfTI pair (magic '" + h.magic
                        + "', .hdr/.img), which is not supported; convert it to a single .nii file");
            }
            if (!h.isSingleFile()) {
                throw new MalformedImageException(file, "bad NIfTI magic '" + printable(h.magic) + "' (expected '"
                        + version.magic() + "')");
            }
            if (version == NiftiVersion.NIFTI2) {
                boolean eolOk = block[8] == '\r' && block[9] == '\n' && block[10] == 0x1A && block[11] == '\n';
                boolean eolZero = block[8] == 0 && block[9] == 0 && block[10] == 0 && block[11] == 0;
                if (!eolOk && !eolZero) {
                    throw new MalformedImageException(file, "NIfTI-2 end-of-line check bytes are damaged: the "
                            + "file was probably corrupted by a text-mode transfer");
                }
            }
            return h;
        }

        /** Reads the extension list (if flagged) up to {@code dataOffset}, recording code and size. */
        void extensions(NiftiHeader h, long dataOffset, Consumer<String> warnings) throws IOException {
            if (position + 4 > dataOffset) {
                return;
            }
            byte[] flag = read(4, "the extension flag");
            if (flag.length < 4 || flag[0] == 0) {
                return;
            }
            while (position + 8 <= dataOffset) {
                byte[] eh = read(8, "an extension header");
                if (eh.length < 8) {
                    return; // the data check that follows reports the truncation
                }
                ByteBuffer bb = ByteBuffer.wrap(eh).order(h.order);
                int esize = bb.getInt(0);
                int ecode = bb.getInt(4);
                long start = position - 8;
                if (esize < 8 || start + esize > dataOffset) {
                    warnings.accept(file + ": header extension at byte " + start + " has size " + esize
                            + ", which does not fit before vox_offset " + dataOffset + "; ignoring it and any after it");
                    return;
                }
                if (esize % 16 != 0) {
                    warnings.accept(file + ": header extension at byte " + start + " has size " + esize
                            + ", not a multiple of 16");
                }
                h.extensions.add(new int[] {ecode, esize});
                skipTo(start + esize);
            }
        }

        void skipTo(long target) throws IOException {
            if (target < position) {
                throw new IllegalStateException("cannot seek backwards from " + position + " to " + target);
            }
            try {
                long remaining = target - position;
                while (remaining > 0) {
                    long n = in.skip(remaining);
                    if (n <= 0) {
                        if (in.read() < 0) {
                            throw new MalformedImageException(file, "vox_offset " + target + " is past the end of the "
                                    + (gzip ? "decompressed data" : "file") + " (" + position + " bytes)");
                        }
                        n = 1;
                    }
                    remaining -= n;
                    position += n;
                }
            } catch (MalformedImageException e) {
                throw e;
            } catch (IOException e) {
                throw corrupt(e);
            }
        }

        byte[] readData(int bytes, long dataOffset) throws IOException {
            byte[] data = new byte[bytes];
            int got = 0;
            try {
                while (got < bytes) {
                    int n = in.read(data, got, bytes - got);
                    if (n < 0) {
                        break;
                    }
                    got += n;
                }
            } catch (EOFException e) {
                // fall through to the truncation message
            } catch (IOException e) {
                throw corrupt(e);
            }
            position += got;
            if (got < bytes) {
                throw new MalformedImageException(file, "truncated: the image needs " + bytes + " bytes after vox_offset "
                        + dataOffset + " but the " + (gzip ? "decompressed data has" : "file has") + " only " + got);
            }
            return data;
        }

        /**
         * Reads to the end of the gzip stream so that its CRC is checked, but at most {@code bound} bytes past the
         * image data: more than that is data the image does not need, left unread (with a warning) rather than
         * inflated for nothing.
         */
        void drainGzip(long bound, Consumer<String> warnings) throws IOException {
            byte[] sink = new byte[1 << 16];
            long total = 0;
            try {
                int n;
                while ((n = in.read(sink)) >= 0) {
                    total += n;
                    if (total > bound) {
                        warnings.accept(file + ": more than " + bound + " bytes follow the image data in the gzip "
                                + "stream; they were not read (nor the stream's checksum checked)");
                        return;
                    }
                }
            } catch (MalformedImageException e) {
                throw e;
            } catch (IOException e) {
                throw corrupt(e);
            }
        }

        private byte[] read(int n, String what) throws IOException {
            try {
                byte[] b = in.readNBytes(n);
                position += b.length;
                return b;
            } catch (EOFException e) {
                throw new MalformedImageException(file, "truncated in " + what, e);
            } catch (IOException e) {
                throw corrupt(e);
            }
        }

        private MalformedImageException corrupt(IOException e) {
            if (e instanceof MalformedImageException m) {
                return m;
            }
            return new MalformedImageException(file, (gzip ? "corrupt gzip stream" : "read error") + " at byte "
                    + position + (gzip ? " of the decompressed data" : "") + ": " + e.getMessage(), e);
        }
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    /**
     * The voxel sizes of the spatial axes as nibabel's {@code get_zooms} reports them: pixdim[1..min(dim[0], 3)]
     * of the header {@code image} was read from, after nibabel's fixes (0 becomes 1, negatives their absolute
     * value). Empty if the image does not carry NIfTI attributes.
     */
    public static java.util.Optional<double[]> zooms(MedicalImage image) {
        return NiftiGeometry.fromAttributes(image.attributes()).map(h -> {
            int n = Math.max(1, Math.min(3, h.rank()));
            double[] z = new double[n];
            for (int i = 0; i < n; i++) {
                z[i] = h.fixedPixdim(i + 1);
            }
            return z;
        });
    }
}
