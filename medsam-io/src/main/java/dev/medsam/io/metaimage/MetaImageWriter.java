package dev.medsam.io.metaimage;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.internal.RawData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes images and masks as MetaImage, atomically, in the layout ITK writes (little-endian, the affine as
 * {@code TransformMatrix}, {@code Offset} and {@code ElementSpacing} in LPS, {@code AnatomicalOrientation}
 * from the axes' dominant directions):
 * <ul>
 *   <li>{@code .mha}: header and zlib-compressed data in one file ({@code ElementDataFile = LOCAL});</li>
 *   <li>{@code .mhd}: the header and its data file beside it, {@code <name>.raw} (or {@code <name>.zraw} when
 *       compression is asked for); both appear together or neither does.</li>
 * </ul>
 * A 2D image whose affine lies in the z = 0 plane is written with {@code NDims = 2}; any other 2D image (an
 * oblique DICOM slice) as a volume of one slice, so that its position is kept. Components become
 * {@code ElementNumberOfChannels}. MetaImage has no rescale and no float16: such images are written as their
 * scaled values (int16 or int32 when all whole, else float32).
 *
 * <p>Thread-safe (stateless). Example: {@code MetaImageWriter.write(mask, Path.of("mask.mha"));}
 */
public final class MetaImageWriter {

    private MetaImageWriter() {
    }

    /**
     * Writes {@code image}: compressed for {@code .mha}, a raw data file for {@code .mhd}.
     *
     * @throws IllegalArgumentException if the name ends in neither {@code .mha} nor {@code .mhd}
     * @throws IOException              if writing fails (no partial file is left)
     */
    public static void write(MedicalImage image, Path file) throws IOException {
        write(image, file, !detached(file));
    }

    /**
     * As {@link #write(MedicalImage, Path)}, choosing whether the data is zlib-compressed.
     *
     * @throws IllegalArgumentException if the name ends in neither {@code .mha} nor {@code .mhd}
     */
    public static void write(MedicalImage image, Path file, boolean compressed) throws IOException {
        AtomicFiles.writeAll(files(image, file, compressed));
    }

    /**
     * The files a write of {@code image} to {@code file} creates, each with the writer that writes it to the
     * (staging) path it is given, for {@link AtomicFiles#writeAll}: one for {@code .mha}, the data file and then
     * the header for {@code .mhd} (the header names the data file by its final name, so the pair may be staged
     * together with other outputs). The values are encoded when the writers run.
     *
     * @throws IllegalArgumentException if the name ends in neither {@code .mha} nor {@code .mhd}
     */
    public static Map<Path, AtomicFiles.IOConsumer<Path>> files(MedicalImage image, Path file, boolean compressed) {
        Objects.requireNonNull(image, "image");
        boolean detached = detached(file);
        String base = file.getFileName().toString();
        String dataName = detached ? base.substring(0, base.length() - 4) + (compressed ? ".zraw" : ".raw") : "LOCAL";
        Encoded e = new Encoded(image, compressed);
        Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();
        if (!detached) {
            files.put(file, p -> AtomicFiles.write(p, out -> {
                out.write(e.header(dataName));
                out.write(e.payload());
            }));
        } else {
            files.put(file.resolveSibling(dataName), p -> AtomicFiles.write(p, out -> out.write(e.payload())));
            files.put(file, p -> AtomicFiles.write(p, out -> out.write(e.header(dataName))));
        }
        return files;
    }

    /** The image's values, encoded once on first use (the header states the compressed size). */
    private static final class Encoded {
        private final MedicalImage image;
        private final boolean compressed;
        private MedicalImage storable;
        private byte[] payload;

        Encoded(MedicalImage image, boolean compressed) {
            this.image = image;
            this.compressed = compressed;
        }

        synchronized byte[] payload() throws IOException {
            if (payload == null) {
                storable = RawData.storable(image);
                byte[] values = RawData.values(storable, ByteOrder.LITTLE_ENDIAN);
                payload = compressed ? deflate(values) : values;
            }
            return payload;
        }

        synchronized byte[] header(String dataName) throws IOException {
            byte[] p = payload();
            return MetaImageWriter.header(storable, compressed, p.length, dataName).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static boolean detached(Path file) {
        String n = Objects.requireNonNull(Objects.requireNonNull(file, "file").getFileName(), "file name").toString()
                .toLowerCase(Locale.ROOT);
        if (n.endsWith(".mhd")) {
            return true;
        }
        if (n.endsWith(".mha")) {
            return false;
        }
        throw new IllegalArgumentException(file + ": a MetaImage file name ends in .mha or .mhd");
    }

    private static byte[] deflate(byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, values.length / 4));
        try (DeflaterOutputStream z = new DeflaterOutputStream(bytes, new Deflater(Deflater.DEFAULT_COMPRESSION),
                1 << 16)) {
            z.write(values);
        }
        return bytes.toByteArray();
    }

    private static String elementType(DataType t) {
        return switch (t) {
            case INT8 -> "MET_CHAR";
            case UINT8 -> "MET_UCHAR";
            case INT16 -> "MET_SHORT";
            case UINT16 -> "MET_USHORT";
            case INT32 -> "MET_INT";
            case UINT32 -> "MET_UINT";
            case INT64 -> "MET_LONG_LONG";
            case UINT64 -> "MET_ULONG_LONG";
            case FLOAT32 -> "MET_FLOAT";
            case FLOAT64 -> "MET_DOUBLE";
            case FLOAT16 -> throw new AssertionError("float16 is converted before writing");
        };
    }

    static String header(MedicalImage img, boolean compressed, long compressedSize, String dataName) {
        Affine a = img.affine(CoordinateSystem.LPS);
        int[] dims = img.dims();
        boolean planar = a.get(2, 0) == 0 && a.get(2, 1) == 0 && a.get(2, 3) == 0;
        if (dims.length == 2 && !planar) {
            dims = new int[] {dims[0], dims[1], 1};
        }
        int n = dims.length;
        double[] spacing = new double[n];
        double[][] dir = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (i < 3) {
                double[] col = new double[3];
                double len = 0;
                for (int r = 0; r < 3; r++) {
                    col[r] = a.get(r, i);
                    len += col[r] * col[r];
                }
                len = Math.sqrt(len);
                spacing[i] = len;
                for (int r = 0; r < Math.min(3, n); r++) {
                    dir[i][r] = col[r] / len;
                }
            } else {
                spacing[i] = 1;
                dir[i][i] = 1;
            }
        }
        StringBuilder h = new StringBuilder();
        h.append("ObjectType = Image\n");
        h.append("NDims = ").append(n).append('\n');
        h.append("BinaryData = True\n");
        h.append("BinaryDataByteOrderMSB = False\n");
        h.append("CompressedData = ").append(compressed ? "True" : "False").append('\n');
        if (compressed) {
            h.append("CompressedDataSize = ").append(compressedSize).append('\n');
        }
        h.append("TransformMatrix =");
        for (double[] row : dir) {
            for (double v : row) {
                h.append(' ').append(num(v));
            }
        }
        h.append('\n');
        h.append("Offset =");
        for (int i = 0; i < n; i++) {
            h.append(' ').append(num(i < 3 ? a.get(i, 3) : 0));
        }
        h.append('\n');
        h.append("CenterOfRotation =").append(" 0".repeat(n)).append('\n');
        if (n <= 3) {
            h.append("AnatomicalOrientation = ").append(orientation(dir)).append('\n');
        }
        h.append("ElementSpacing =");
        for (double s : spacing) {
            h.append(' ').append(num(s));
        }
        h.append('\n');
        h.append("DimSize =");
        for (int d : dims) {
            h.append(' ').append(d);
        }
        h.append('\n');
        if (img.components() > 1) {
            h.append("ElementNumberOfChannels = ").append(img.components()).append('\n');
        }
        h.append("ElementType = ").append(elementType(img.dataType())).append('\n');
        h.append("ElementDataFile = ").append(dataName).append('\n');
        return h.toString();
    }

    /**
     * ITK's AnatomicalOrientation: per axis the letter of the side it starts from, by its dominant LPS
     * component ("RAI" for the identity: x runs from Right to left, y from Anterior, z from Inferior).
     */
    private static String orientation(double[][] dir) {
        StringBuilder s = new StringBuilder();
        for (double[] d : dir) {
            int best = 0;
            for (int r = 1; r < d.length; r++) {
                if (Math.abs(d[r]) > Math.abs(d[best])) {
                    best = r;
                }
            }
            boolean positive = d[best] >= 0;
            s.append(switch (best) {
                case 0 -> positive ? 'R' : 'L';
                case 1 -> positive ? 'A' : 'P';
                default -> positive ? 'I' : 'S';
            });
        }
        return s.toString();
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
