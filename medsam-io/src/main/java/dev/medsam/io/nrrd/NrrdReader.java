package dev.medsam.io.nrrd;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.Limits;
import dev.medsam.io.files.internal.RawData;
import dev.medsam.io.files.internal.Text;
import dev.medsam.io.nrrd.internal.NrrdHeader;

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
import java.util.TreeMap;

/**
 * Reads NRRD images ({@code .nrrd} with the header attached, {@code .nhdr} with a detached data file) and 3D
 * Slicer segmentations ({@code .seg.nrrd}).
 *
 * <h2>What is read</h2>
 * <ul>
 *   <li>Format versions NRRD0001..NRRD0005; every numeric {@code type} (int8 to uint64, float, double; not
 *       {@code block}); encodings {@code raw}, {@code gzip} and {@code ascii}/{@code text}; {@code endian}
 *       little or big; {@code line skip} and {@code byte skip} (-1 for "the data ends the file", raw only);
 *       {@code data file} as one file, a {@code LIST} of files or a {@code printf} pattern with min, max and
 *       step (the files are concatenated, each compressed on its own for gzip).</li>
 *   <li>Dims: the axes fastest first, as the file lists them. A first axis without a space direction (or,
 *       without space directions, of a non-spatial {@code kind} such as {@code RGB-color}, {@code vector} or
 *       {@code list}) of at most 4 samples becomes the voxel's components (a multi-layer Slicer segmentation
 *       gives one component per layer).</li>
 *   <li>Geometry: {@code space directions} and {@code space origin} in the named {@code space}
 *       (left-posterior-superior, right-anterior-superior, left-anterior-superior, their {@code -time} forms
 *       and the abbreviations LPS, RAS, LAS, ...) become the affine; scanner-xyz and 3D-right-handed spaces
 *       are taken as LPS, as ITK does. Without a space, {@code spacings} give an axis-aligned LPS affine at
 *       the origin. A 2D image's third affine column is the unit normal of its plane.</li>
 *   <li>Segmentations: the {@code Segment<N>_ID/_Name/_LabelValue/_Layer/_Color} pairs become
 *       {@link NrrdImage#segments()} (files from Slicer before 4.11 have no label value: each segment is then
 *       value 1 of its own layer, or value N+1 of a one-layer file).</li>
 * </ul>
 * The image's attributes carry {@code nrrd.type}, {@code nrrd.encoding}, {@code nrrd.space} and, for
 * segmentations, {@code nrrd.segment.<layer>.<label value>} = segment name.
 *
 * <p>Thread-safe (stateless). Example:
 * <pre>{@code
 * NrrdImage seg = NrrdReader.read(Path.of("liver.seg.nrrd"));
 * for (NrrdSegment s : seg.segments()) System.out.println(s.labelValue() + " " + s.name());
 * }</pre>
 */
public final class NrrdReader {

    private NrrdReader() {
    }

    /**
     * Reads {@code file}, a {@code .nrrd} or the {@code .nhdr} header of a detached NRRD.
     *
     * @throws MalformedImageException naming the file and the field if the header is invalid or unsupported, or
     *                                 the data is missing, truncated or corrupt
     * @throws IOException             if a file cannot be read at all
     */
    public static NrrdImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        NrrdHeader h = NrrdHeader.read(file);
        Map<String, String> f = h.fields;
        DataType type = type(file, required(file, f, "type"));
        int dimension = Text.integer(file, "NRRD field 'dimension'", required(file, f, "dimension"), 1, 16);
        long[] sizes = numbers(file, "sizes", required(file, f, "sizes"), dimension);
        int[] dims = new int[dimension];
        for (int i = 0; i < dimension; i++) {
            if (sizes[i] < 1 || sizes[i] > Integer.MAX_VALUE) {
                throw new MalformedImageException(file, "NRRD field 'sizes': axis " + i + " has size " + sizes[i]);
            }
            dims[i] = (int) sizes[i];
        }
        String encoding = required(file, f, "encoding").toLowerCase(Locale.ROOT);
        RawData.Compression compression = switch (encoding) {
            case "raw" -> RawData.Compression.NONE;
            case "gzip", "gz" -> RawData.Compression.GZIP;
            case "ascii", "text", "txt" -> null;
            default -> throw new MalformedImageException(file, "NRRD encoding '" + Text.clip(encoding)
                    + "' is not supported (raw, gzip and ascii are)");
        };
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        String endian = f.get("endian");
        if (endian != null) {
            order = switch (endian.toLowerCase(Locale.ROOT)) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default -> throw new MalformedImageException(file, "NRRD field 'endian' is '" + Text.clip(endian)
                        + "', not little or big");
            };
        } else if (type.bytes() > 1 && compression != null) {
            throw new MalformedImageException(file, "NRRD field 'endian' is missing; a " + type.numpyName()
                    + " image needs it");
        }
        List<String> kinds = f.containsKey("kinds") ? Text.tokens(f.get("kinds")) : List.of();
        if (!kinds.isEmpty() && kinds.size() != dimension) {
            throw new MalformedImageException(file, "NRRD field 'kinds' has " + kinds.size() + " entries for "
                    + dimension + " axes");
        }
        Space space = Space.of(file, f);
        double[][] directions = directions(file, f, dimension, space);

        // A non-spatial first axis of up to 4 samples is the voxel's components (RGB, vectors, segment layers).
        boolean componentAxis = dimension >= 2 && (directions != null ? directions[0] == null
                : !kinds.isEmpty() && !isSpatialKind(kinds.get(0)));
        int components = componentAxis ? dims[0] : 1;
        if (components > 4) {
            throw new MalformedImageException(file, "axis 0 holds " + components + " values per voxel (kind "
                    + (kinds.isEmpty() ? "unknown" : Text.clip(kinds.get(0))) + "); at most 4 are supported");
        }
        int[] imageDims = componentAxis ? Arrays.copyOfRange(dims, 1, dims.length) : dims;
        long voxels = 1;
        for (long s : sizes) {
            voxels = Limits.multiply(voxels, s);
        }
        long bytes = Limits.multiply(voxels, type.bytes());
        Limits.checkAllocation(file, "the image data", bytes, MedicalImage.MAX_BYTES, "one image holds at most "
                + MedicalImage.MAX_BYTES);

        Affine affine = affine(file, f, space, directions, componentAxis ? 1 : 0, dimension);
        byte[] data = data(file, h, type, order, compression, voxels, bytes);

        MedicalImage.Builder b;
        try {
            b = MedicalImage.builder(type, imageDims).components(components).affine(affine);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, e.getMessage(), e);
        }
        b.attribute("nrrd.type", type.numpyName()).attribute("nrrd.encoding", encoding)
                .attribute("nrrd.space", space.name);
        List<NrrdSegment> segments = segments(file, h.keyValues, components);
        for (NrrdSegment s : segments) {
            b.attribute("nrrd.segment." + s.layer() + "." + s.labelValue(), s.name());
        }
        MedicalImage image = b.data(ByteBuffer.wrap(data)).build();
        return new NrrdImage(image, f, h.keyValues, segments);
    }

    private static String required(Path file, Map<String, String> f, String name) throws MalformedImageException {
        String v = f.get(name);
        if (v == null) {
            throw new MalformedImageException(file, "NRRD field '" + name + "' is missing");
        }
        return v;
    }

    static DataType type(Path file, String t) throws MalformedImageException {
        String n = t.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return switch (n) {
            case "signed char", "int8", "int8_t" -> DataType.INT8;
            case "uchar", "unsigned char", "uint8", "uint8_t" -> DataType.UINT8;
            case "short", "short int", "signed short", "signed short int", "int16", "int16_t" -> DataType.INT16;
            case "ushort", "unsigned short", "unsigned short int", "uint16", "uint16_t" -> DataType.UINT16;
            case "int", "signed int", "int32", "int32_t" -> DataType.INT32;
            case "uint", "unsigned int", "uint32", "uint32_t" -> DataType.UINT32;
            case "longlong", "long long", "long long int", "signed long long", "signed long long int", "int64",
                 "int64_t" -> DataType.INT64;
            case "ulonglong", "unsigned long long", "unsigned long long int", "uint64", "uint64_t" -> DataType.UINT64;
            case "float" -> DataType.FLOAT32;
            case "double" -> DataType.FLOAT64;
            default -> throw new MalformedImageException(file, "NRRD type '" + Text.clip(t)
                    + "' is not supported (the integer types, float and double are)");
        };
    }

    private static long[] numbers(Path file, String field, String value, int count) throws MalformedImageException {
        List<String> t = Text.tokens(value);
        if (t.size() != count) {
            throw new MalformedImageException(file, "NRRD field '" + field + "' has " + t.size() + " values; "
                    + count + " expected");
        }
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = Long.parseLong(t.get(i));
            } catch (NumberFormatException e) {
                throw new MalformedImageException(file, "NRRD field '" + field + "': value " + i + ", '"
                        + Text.clip(t.get(i)) + "', is not a whole number");
            }
        }
        return out;
    }

    private static boolean isSpatialKind(String kind) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "domain", "space", "time", "???", "none" -> true;
            default -> false;
        };
    }

    /** The named space: how many coordinates its vectors have and how they map to LPS. */
    private record Space(String name, int dimension, CoordinateSystem system, boolean flipY) {

        static Space of(Path file, Map<String, String> f) throws MalformedImageException {
            String s = f.get("space");
            String sd = f.get("space dimension");
            if (s != null && sd != null) {
                throw new MalformedImageException(file, "NRRD header gives both 'space' and 'space dimension'");
            }
            if (sd != null) {
                return new Space("", Text.integer(file, "NRRD field 'space dimension'", sd, 1, 16),
                        CoordinateSystem.LPS, false);
            }
            if (s == null) {
                return new Space("", 0, CoordinateSystem.LPS, false);
            }
            String n = s.trim().toLowerCase(Locale.ROOT);
            return switch (n) {
                case "right-anterior-superior", "ras" -> new Space(n, 3, CoordinateSystem.RAS, false);
                case "left-anterior-superior", "las" -> new Space(n, 3, CoordinateSystem.LPS, true);
                case "left-posterior-superior", "lps" -> new Space(n, 3, CoordinateSystem.LPS, false);
                case "right-anterior-superior-time", "rast" -> new Space(n, 4, CoordinateSystem.RAS, false);
                case "left-anterior-superior-time", "last" -> new Space(n, 4, CoordinateSystem.LPS, true);
                case "left-posterior-superior-time", "lpst" -> new Space(n, 4, CoordinateSystem.LPS, false);
                case "scanner-xyz", "3d-right-handed", "3d-left-handed" -> new Space(n, 3, CoordinateSystem.LPS, false);
                case "scanner-xyz-time", "3d-right-handed-time", "3d-left-handed-time" ->
                        new Space(n, 4, CoordinateSystem.LPS, false);
                default -> throw new MalformedImageException(file, "NRRD space '" + Text.clip(s) + "' is not known");
            };
        }
    }

    /** Per axis the space direction, or null for "none"; null as a whole if the field is absent. */
    private static double[][] directions(Path file, Map<String, String> f, int dimension, Space space)
            throws MalformedImageException {
        String v = f.get("space directions");
        if (v == null) {
            return null;
        }
        if (space.dimension == 0) {
            throw new MalformedImageException(file, "NRRD field 'space directions' needs 'space' or 'space dimension'");
        }
        List<String> t = vectorTokens(v);
        if (t.size() != dimension) {
            throw new MalformedImageException(file, "NRRD field 'space directions' has " + t.size() + " entries for "
                    + dimension + " axes");
        }
        double[][] out = new double[dimension][];
        for (int i = 0; i < dimension; i++) {
            if (!t.get(i).equalsIgnoreCase("none")) {
                out[i] = vector(file, "space directions", i, t.get(i), space.dimension);
            }
        }
        return out;
    }

    /** Splits "(1,0,0) none (0,1,0)" into its vectors and "none"s (a vector may contain spaces). */
    private static List<String> vectorTokens(String v) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < v.length()) {
            char c = v.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(') {
                int close = v.indexOf(')', i);
                int end = close < 0 ? v.length() : close + 1;
                out.add(v.substring(i, end));
                i = end;
            } else {
                int end = i;
                while (end < v.length() && !Character.isWhitespace(v.charAt(end)) && v.charAt(end) != '(') {
                    end++;
                }
                out.add(v.substring(i, end));
                i = end;
            }
        }
        return out;
    }

    private static double[] vector(Path file, String field, int index, String token, int size)
            throws MalformedImageException {
        String where = "NRRD field '" + field + "' entry " + index;
        if (!token.startsWith("(") || !token.endsWith(")")) {
            throw new MalformedImageException(file, where + " is '" + Text.clip(token) + "', not a vector (x,y,z)");
        }
        String[] parts = token.substring(1, token.length() - 1).split(",", -1);
        if (parts.length != size) {
            throw new MalformedImageException(file, where + " has " + parts.length + " coordinates; the space has "
                    + size);
        }
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = Text.finite(file, where, parts[i]);
        }
        return out;
    }

    private static Affine affine(Path file, Map<String, String> f, Space space, double[][] directions, int first,
                                 int dimension) throws MalformedImageException {
        double[][] cols = new double[3][];
        int imageAxes = dimension - first;
        for (int i = 0; i < 3 && i < imageAxes; i++) {
            double[] d = directions == null ? null : directions[first + i];
            if (d != null) {
                cols[i] = Arrays.copyOf(d, 3); // a 2D space's vectors get z = 0; a -time space's lose t
            }
        }
        double[] spacings = null;
        if (directions == null && f.containsKey("spacings")) {
            List<String> t = Text.tokens(f.get("spacings"));
            if (t.size() != dimension) {
                throw new MalformedImageException(file, "NRRD field 'spacings' has " + t.size() + " values for "
                        + dimension + " axes");
            }
            spacings = new double[dimension];
            for (int i = 0; i < dimension; i++) {
                spacings[i] = t.get(i).equalsIgnoreCase("nan") ? Double.NaN
                        : Text.finite(file, "NRRD field 'spacings' value " + i, t.get(i));
            }
        }
        int known = 0;
        for (double[] c : cols) {
            known += c != null ? 1 : 0;
        }
        for (int i = 0; i < 3; i++) {
            if (cols[i] != null) {
                continue;
            }
            if (known == 2 && directions != null) {
                // A plane in space: the third axis is its unit normal, so that the affine stays invertible.
                double[] a = cols[(i + 1) % 3];
                double[] b = cols[(i + 2) % 3];
                double[] n = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
                double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
                if (len > 0) {
                    cols[i] = new double[] {n[0] / len, n[1] / len, n[2] / len};
                    continue;
                }
            }
            double s = spacings != null && first + i < dimension && Double.isFinite(spacings[first + i])
                    && spacings[first + i] != 0 ? spacings[first + i] : 1;
            cols[i] = new double[3];
            cols[i][i] = s;
        }
        double[] origin = new double[3];
        String o = f.get("space origin");
        if (o != null) {
            if (space.dimension == 0) {
                throw new MalformedImageException(file, "NRRD field 'space origin' needs 'space' or 'space dimension'");
            }
            origin = Arrays.copyOf(vector(file, "space origin", 0, o.trim(), space.dimension), 3);
        }
        double sy = space.flipY ? -1 : 1;
        try {
            return Affine.of(space.system,
                    cols[0][0], cols[1][0], cols[2][0], origin[0],
                    sy * cols[0][1], sy * cols[1][1], sy * cols[2][1], sy * origin[1],
                    cols[0][2], cols[1][2], cols[2][2], origin[2]);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, "NRRD space directions give no invertible affine: "
                    + e.getMessage(), e);
        }
    }

    private static byte[] data(Path file, NrrdHeader h, DataType type, ByteOrder order,
                               RawData.Compression compression, long voxels, long bytes) throws IOException {
        Map<String, String> f = h.fields;
        long lineSkip = f.containsKey("line skip")
                ? Text.integer(file, "NRRD field 'line skip'", f.get("line skip"), 0, Integer.MAX_VALUE) : 0;
        long byteSkip = f.containsKey("byte skip")
                ? Text.integer(file, "NRRD field 'byte skip'", f.get("byte skip"), -1, Integer.MAX_VALUE) : 0;
        if (byteSkip == -1 && compression != RawData.Compression.NONE) {
            throw new MalformedImageException(file, "NRRD 'byte skip: -1' is only allowed with raw encoding");
        }
        List<Path> files = dataFiles(file, h);
        boolean attached = files.isEmpty();
        if (attached) {
            if (!h.ended) {
                throw new MalformedImageException(file, "the NRRD header has no 'data file' and no data follows it "
                        + "(a detached header needs 'data file: <name>')");
            }
            files = List.of(file);
        }
        return RawData.readParts(file, files, bytes, (p, per) -> {
            long start = skipLines(file, p, attached ? h.dataOffset : 0, lineSkip);
            if (compression == null) {
                String s = RawData.readText(file, p, start);
                return RawData.parseText(file, byteSkip > 0 ? s.substring((int) Math.min(byteSkip, s.length())) : s,
                        per / type.bytes(), type);
            }
            byte[] part = RawData.read(file, p, start, byteSkip, per, compression);
            RawData.toLittleEndian(part, type.bytes(), order);
            return part;
        });
    }

    /** The detached data files, or an empty list for data attached to the header. */
    private static List<Path> dataFiles(Path file, NrrdHeader h) throws MalformedImageException {
        String v = h.fields.get("data file");
        if (v == null) {
            return List.of();
        }
        if (v.equals("LIST") || v.startsWith("LIST ")) {
            if (h.listedFiles.isEmpty()) {
                throw new MalformedImageException(file, "NRRD 'data file: LIST' lists no files");
            }
            List<Path> out = new ArrayList<>();
            for (String name : h.listedFiles) {
                out.add(Text.sibling(file, name));
            }
            return out;
        }
        List<String> t = Text.tokens(v);
        if (t.size() >= 4 && t.get(0).contains("%")) {
            int min = Text.integer(file, "NRRD 'data file' pattern min", t.get(1), -1_000_000, 1_000_000);
            int max = Text.integer(file, "NRRD 'data file' pattern max", t.get(2), -1_000_000, 1_000_000);
            int step = Text.integer(file, "NRRD 'data file' pattern step", t.get(3), -1_000_000, 1_000_000);
            if (step == 0 || (max - min) / step < 0 || (max - min) / step > 100_000) {
                throw new MalformedImageException(file, "NRRD 'data file' pattern " + min + " " + max + " " + step
                        + " gives no sensible list of files");
            }
            List<Path> out = new ArrayList<>();
            for (int i = min; step > 0 ? i <= max : i >= max; i += step) {
                String name;
                try {
                    name = String.format(Locale.ROOT, t.get(0), i);
                } catch (java.util.IllegalFormatException e) {
                    throw new MalformedImageException(file, "NRRD 'data file' pattern '" + Text.clip(t.get(0))
                            + "' is not a valid format for one integer");
                }
                out.add(Text.sibling(file, name));
            }
            return out;
        }
        return List.of(Text.sibling(file, v));
    }

    /** The offset after {@code lines} more lines of {@code p} from {@code start}. */
    private static long skipLines(Path header, Path p, long start, long lines) throws IOException {
        if (lines == 0) {
            return start;
        }
        try (var ch = Files.newByteChannel(p)) {
            ch.position(start);
            var in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch));
            long pos = start;
            long seen = 0;
            int c;
            while (seen < lines && (c = in.read()) >= 0) {
                pos++;
                if (c == '\n') {
                    seen++;
                }
            }
            if (seen < lines) {
                throw new MalformedImageException(header, "NRRD 'line skip: " + lines + "' skips past the end of "
                        + p);
            }
            return pos;
        }
    }

    private static List<NrrdSegment> segments(Path file, Map<String, String> kv, int layers)
            throws MalformedImageException {
        TreeMap<Integer, Map<String, String>> byIndex = new TreeMap<>();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("Segment") || k.startsWith("Segmentation")) {
                continue;
            }
            int us = k.indexOf('_');
            if (us <= 7) {
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(k.substring(7, us));
            } catch (NumberFormatException ex) {
                continue; // some other key that happens to start with "Segment"
            }
            if (index < 0 || index > 100_000) {
                throw new MalformedImageException(file, "segmentation key '" + Text.clip(k) + "' has index " + index);
            }
            byIndex.computeIfAbsent(index, i -> new TreeMap<>()).put(k.substring(us + 1), e.getValue());
        }
        List<NrrdSegment> out = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, String>> e : byIndex.entrySet()) {
            int n = e.getKey();
            Map<String, String> p = e.getValue();
            String key = "Segment" + n + "_";
            String id = p.getOrDefault("ID", "Segment_" + (n + 1));
            String name = p.getOrDefault("Name", id);
            int layer = p.containsKey("Layer") ? Text.integer(file, "segmentation key " + key + "Layer", p.get("Layer"),
                    0, Integer.MAX_VALUE) : layers > 1 ? n : 0;
            if (layer >= layers) {
                throw new MalformedImageException(file, "segmentation key " + key + "Layer is " + layer
                        + " but the file has " + layers + " layer(s)");
            }
            int label = p.containsKey("LabelValue") ? Text.integer(file, "segmentation key " + key + "LabelValue",
                    p.get("LabelValue"), 1, Integer.MAX_VALUE) : layers > 1 ? 1 : n + 1;
            double[] rgb = {0.5, 0.5, 0.5};
            if (p.containsKey("Color")) {
                List<String> t = Text.tokens(p.get("Color"));
                if (t.size() != 3) {
                    throw new MalformedImageException(file, "segmentation key " + key + "Color has " + t.size()
                            + " values, not 3");
                }
                for (int i = 0; i < 3; i++) {
                    rgb[i] = Text.finite(file, "segmentation key " + key + "Color", t.get(i));
                }
            }
            try {
                out.add(new NrrdSegment(id.isBlank() ? "Segment_" + (n + 1) : id, name.isBlank() ? id : name, label,
                        layer, rgb[0], rgb[1], rgb[2]));
            } catch (IllegalArgumentException ex) {
                throw new MalformedImageException(file, "segmentation keys " + key + "*: " + ex.getMessage(), ex);
            }
        }
        return out;
    }
}
