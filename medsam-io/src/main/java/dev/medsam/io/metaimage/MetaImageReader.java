package dev.medsam.io.metaimage;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.Limits;
import dev.medsam.io.files.internal.RawData;
import dev.medsam.io.files.internal.Text;
import dev.medsam.io.metaimage.internal.MetaHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads MetaImage files (ITK's format): {@code .mha} with the data after the header, or a {@code .mhd} header
 * and its data file.
 *
 * <h2>What is read</h2>
 * <ul>
 *   <li>{@code NDims}, {@code DimSize}; {@code ElementType} MET_CHAR/UCHAR/SHORT/USHORT/INT/UINT/LONG/ULONG
 *       (4 bytes, as in MetaIO)/LONG_LONG/ULONG_LONG/FLOAT/DOUBLE (also with an {@code _ARRAY} suffix);
 *       {@code ElementNumberOfChannels} 1..4 as the voxel's components;</li>
 *   <li>{@code BinaryDataByteOrderMSB} (or {@code ElementByteOrderMSB}); {@code CompressedData} (zlib);
 *       {@code BinaryData = False} (values as text); {@code HeaderSize} bytes skipped in a data file (-1: the
 *       data ends the file);</li>
 *   <li>{@code ElementDataFile}: {@code LOCAL}, a file name (relative to the header's folder), {@code LIST}
 *       followed by file names, or a pattern {@code name%03d.raw min max step}; the files are concatenated
 *       (each compressed on its own);</li>
 *   <li>geometry: {@code ElementSpacing} (else {@code ElementSize}), {@code Offset} (or {@code Position},
 *       {@code Origin}), {@code TransformMatrix} (or {@code Rotation}, {@code Orientation}; axis i's direction is
 *       its i-th group of NDims values, as ITK reads it), all in LPS, as ITK and SimpleITK take them. The
 *       {@code AnatomicalOrientation} is descriptive in ITK and kept as the attribute
 *       {@code metaimage.AnatomicalOrientation}; it does not change the geometry. A 2D image's affine gets a
 *       unit z axis.</li>
 * </ul>
 * The image's attributes carry every header key as {@code metaimage.<Key>}, except the data file list.
 *
 * <p>Thread-safe (stateless).
 */
public final class MetaImageReader {

    private MetaImageReader() {
    }

    /**
     * Reads {@code file} ({@code .mha} or {@code .mhd}).
     *
     * @throws MalformedImageException naming the file and the key if the header is invalid or unsupported, or
     *                                 the data is missing, truncated or corrupt
     * @throws IOException             if a file cannot be read at all
     */
    public static MedicalImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        MetaHeader h = MetaHeader.read(file);
        Map<String, String> f = h.fields;
        String objectType = f.get("objecttype");
        if (objectType != null && !objectType.equalsIgnoreCase("Image")) {
            throw new MalformedImageException(file, "MetaImage ObjectType is '" + Text.clip(objectType)
                    + "'; only Image is supported");
        }
        int n = Text.integer(file, "MetaImage NDims", required(file, f, "ndims"), 1, 16);
        int[] dims = new int[n];
        double[] size = numbers(file, f, "dimsize", n, null);
        for (int i = 0; i < n; i++) {
            if (size[i] != Math.rint(size[i]) || size[i] < 1 || size[i] > Integer.MAX_VALUE) {
                throw new MalformedImageException(file, "MetaImage DimSize value " + i + " is " + size[i]);
            }
            dims[i] = (int) size[i];
        }
        DataType type = type(file, required(file, f, "elementtype"));
        int components = f.containsKey("elementnumberofchannels") ? Text.integer(file,
                "MetaImage ElementNumberOfChannels", f.get("elementnumberofchannels"), 1, 4) : 1;
        boolean msb = bool(file, f, "binarydatabyteordermsb", bool(file, f, "elementbyteordermsb", false));
        boolean binary = bool(file, f, "binarydata", true);
        boolean compressed = bool(file, f, "compresseddata", false);

        double[] ones = new double[n];
        Arrays.fill(ones, 1);
        double[] spacing = numbers(file, f, f.containsKey("elementspacing") ? "elementspacing" : "elementsize", n, ones);
        double[] origin = numbers(file, f, firstKey(f, "offset", "position", "origin"), n, new double[n]);
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 1;
        }
        double[] matrix = numbers(file, f, firstKey(f, "transformmatrix", "rotation", "orientation"), n * n,
                identity);
        double[][] cols = new double[3][3];
        double[] o3 = new double[3];
        for (int axis = 0; axis < 3; axis++) {
            if (axis < n) {
                for (int r = 0; r < Math.min(3, n); r++) {
                    cols[axis][r] = matrix[axis * n + r] * spacing[axis];
                }
                o3[axis] = origin[axis];
            } else {
                cols[axis][axis] = 1;
            }
        }
        Affine affine;
        try {
            affine = Affine.of(CoordinateSystem.LPS, cols[0][0], cols[1][0], cols[2][0], o3[0],
                    cols[0][1], cols[1][1], cols[2][1], o3[1], cols[0][2], cols[1][2], cols[2][2], o3[2]);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, "MetaImage TransformMatrix and ElementSpacing give no invertible "
                    + "affine: " + e.getMessage(), e);
        }

        long count = components;
        for (int d : dims) {
            count = Limits.multiply(count, d);
        }
        long bytes = Limits.multiply(count, type.bytes());
        Limits.checkAllocation(file, "the image data", bytes, MedicalImage.MAX_BYTES, "one image holds at most "
                + MedicalImage.MAX_BYTES);
        long headerSize = f.containsKey("headersize") ? Text.integer(file, "MetaImage HeaderSize", f.get("headersize"),
                -1, Integer.MAX_VALUE) : 0;
        byte[] data = data(file, h, type, msb ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, binary, compressed,
                headerSize, count, bytes);
        MedicalImage.Builder b;
        try {
            b = MedicalImage.builder(type, dims).components(components).affine(affine);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, e.getMessage(), e);
        }
        for (Map.Entry<String, String> e : h.original.entrySet()) {
            b.attribute("metaimage." + e.getKey(), e.getValue());
        }
        return b.data(ByteBuffer.wrap(data)).build();
    }

    private static String required(Path file, Map<String, String> f, String key) throws MalformedImageException {
        String v = f.get(key);
        if (v == null) {
            throw new MalformedImageException(file, "MetaImage key " + key + " is missing");
        }
        return v;
    }

    private static String firstKey(Map<String, String> f, String... keys) {
        for (String k : keys) {
            if (f.containsKey(k)) {
                return k;
            }
        }
        return keys[0];
    }

    private static double[] numbers(Path file, Map<String, String> f, String key, int count, double[] fallback)
            throws MalformedImageException {
        String v = f.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new MalformedImageException(file, "MetaImage key " + key + " is missing");
            }
            return fallback;
        }
        List<String> t = Text.tokens(v);
        if (t.size() != count) {
            throw new MalformedImageException(file, "MetaImage key " + key + " has " + t.size() + " values; " + count
                    + " expected");
        }
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = Text.finite(file, "MetaImage key " + key + " value " + i, t.get(i));
        }
        return out;
    }

    private static boolean bool(Path file, Map<String, String> f, String key, boolean fallback)
            throws MalformedImageException {
        String v = f.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new MalformedImageException(file, "MetaImage key " + key + " is '" + Text.clip(v)
                    + "', not True or False");
        };
    }

    static DataType type(Path file, String t) throws MalformedImageException {
        String n = t.trim().toUpperCase(Locale.ROOT);
        if (n.endsWith("_ARRAY")) {
            n = n.substring(0, n.length() - "_ARRAY".length());
        }
        return switch (n) {
            case "MET_CHAR" -> DataType.INT8;
            case "MET_UCHAR" -> DataType.UINT8;
            case "MET_SHORT" -> DataType.INT16;
            case "MET_USHORT" -> DataType.UINT16;
            case "MET_INT", "MET_LONG" -> DataType.INT32;
            case "MET_UINT", "MET_ULONG" -> DataType.UINT32;
            case "MET_LONG_LONG" -> DataType.INT64;
            case "MET_ULONG_LONG" -> DataType.UINT64;
            case "MET_FLOAT" -> DataType.FLOAT32;
            case "MET_DOUBLE" -> DataType.FLOAT64;
            default -> throw new MalformedImageException(file, "MetaImage ElementType '" + Text.clip(t)
                    + "' is not supported (MET_CHAR ... MET_DOUBLE are)");
        };
    }

    private static byte[] data(Path file, MetaHeader h, DataType type, ByteOrder order, boolean binary,
                               boolean compressed, long headerSize, long count, long bytes) throws IOException {
        String v = h.fields.get("elementdatafile");
        List<Path> files = new ArrayList<>();
        boolean local = v.equalsIgnoreCase("LOCAL");
        if (local) {
            files.add(file);
        } else if (v.equalsIgnoreCase("LIST") || v.toUpperCase(Locale.ROOT).startsWith("LIST ")) {
            if (h.listedFiles.isEmpty()) {
                throw new MalformedImageException(file, "MetaImage 'ElementDataFile = LIST' lists no files");
            }
            for (String name : h.listedFiles) {
                files.add(Text.sibling(file, name));
            }
        } else {
            List<String> t = Text.tokens(v);
            if (t.size() >= 4 && t.get(0).contains("%")) {
                int min = Text.integer(file, "MetaImage ElementDataFile pattern min", t.get(1), -1_000_000, 1_000_000);
                int max = Text.integer(file, "MetaImage ElementDataFile pattern max", t.get(2), -1_000_000, 1_000_000);
                int step = Text.integer(file, "MetaImage ElementDataFile pattern step", t.get(3), -1_000_000,
                        1_000_000);
                if (step == 0 || (max - min) / step < 0 || (max - min) / step > 100_000) {
                    throw new MalformedImageException(file, "MetaImage ElementDataFile pattern " + min + " " + max
                            + " " + step + " gives no sensible list of files");
                }
                for (int i = min; step > 0 ? i <= max : i >= max; i += step) {
                    try {
                        files.add(Text.sibling(file, String.format(Locale.ROOT, t.get(0), i)));
                    } catch (java.util.IllegalFormatException e) {
                        throw new MalformedImageException(file, "MetaImage ElementDataFile pattern '"
                                + Text.clip(t.get(0)) + "' is not a valid format for one integer");
                    }
                }
            } else {
                files.add(Text.sibling(file, v));
            }
        }
        return RawData.readParts(file, files, bytes, (p, per) -> {
            long start = local ? h.dataOffset : 0;
            if (!binary) {
                return RawData.parseText(file, RawData.readText(file, p, start), per / type.bytes(), type);
            }
            long skip = local ? 0 : headerSize;
            if (skip < 0 && compressed) {
                throw new MalformedImageException(file, "MetaImage HeaderSize = -1 cannot be used with "
                        + "CompressedData");
            }
            if (compressed && skip > 0) {
                // MetaIO skips HeaderSize bytes of the file itself before the compressed stream.
                start = skip;
                skip = 0;
            }
            byte[] part = RawData.read(file, p, start, skip, per, compressed ? RawData.Compression.ZLIB
                    : RawData.Compression.NONE);
            RawData.toLittleEndian(part, type.bytes(), order);
            return part;
        });
    }
}
