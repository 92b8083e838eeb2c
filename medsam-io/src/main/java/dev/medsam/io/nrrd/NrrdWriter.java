package dev.medsam.io.nrrd;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.internal.RawData;
import dev.medsam.io.nrrd.internal.NrrdHeader;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;

/**
 * Writes images and masks as NRRD (format NRRD0004, little-endian, space left-posterior-superior, the image's
 * affine as space directions and origin), atomically:
 * <ul>
 *   <li>{@code .nrrd}: header and gzip data in one file;</li>
 *   <li>{@code .nhdr}: a detached header and its data file beside it, {@code <name>.raw} (or {@code .raw.gz}
 *       when gzip is asked for); both files appear together or neither does;</li>
 *   <li>{@code .seg.nrrd}: a 3D Slicer segmentation, see {@link #writeSegmentation}.</li>
 * </ul>
 * A voxel's components (RGB, vectors) become a first axis of kind {@code RGB-color}, {@code RGBA-color} or
 * {@code vector}. A 2D image is written with two axes in 3D space (its third affine column is not stored;
 * {@link NrrdReader} restores it as the plane's unit normal). NRRD has no rescale: an image with one (or of
 * float16) is written as its scaled values, int16 or int32 when they are all whole, else float32. Axes beyond
 * the third get kind {@code list} and no direction.
 *
 * <p>Thread-safe (stateless). Example:
 * <pre>{@code
 * NrrdWriter.write(mask, Path.of("mask.nrrd"));
 * NrrdWriter.writeSegmentation(labels, List.of(NrrdSegment.of("liver", 1)), Path.of("liver.seg.nrrd"));
 * }</pre>
 */
public final class NrrdWriter {

    private NrrdWriter() {
    }

    /**
     * Writes {@code image} to {@code file}: gzip-compressed for {@code .nrrd}, a raw data file for {@code .nhdr}.
     *
     * @throws IllegalArgumentException if the name ends in neither {@code .nrrd} nor {@code .nhdr}
     * @throws IOException              if writing fails (no partial file is left)
     */
    public static void write(MedicalImage image, Path file) throws IOException {
        write(image, file, !isDetached(file));
    }

    /**
     * As {@link #write(MedicalImage, Path)}, choosing the encoding: gzip or raw.
     *
     * @throws IllegalArgumentException if the name ends in neither {@code .nrrd} nor {@code .nhdr}
     */
    public static void write(MedicalImage image, Path file, boolean gzip) throws IOException {
        Objects.requireNonNull(image, "image");
        checkName(file);
        AtomicFiles.writeAll(files(image, file, gzip));
    }

    /**
     * Writes {@code labels} (an integer label image, one component; 2D images get a third axis of size 1, as
     * Slicer expects volumes) as a 3D Slicer segmentation: one layer, with {@code segments} as its
     * {@code Segment<N>_*} key/value pairs (id, name, label value, layer 0, colour, extent) and the
     * {@code Segmentation_*} pairs Slicer needs to load it as a segmentation. Gzip-compressed for
     * {@code .nrrd} names, raw data file beside it for {@code .nhdr}.
     *
     * @throws IllegalArgumentException if {@code labels} is not an integer image of one component, a segment is
     *                                  on a layer other than 0, two segments share an id or a label value, or a
     *                                  non-zero voxel value has no segment
     */
    public static void writeSegmentation(MedicalImage labels, List<NrrdSegment> segments, Path file)
            throws IOException {
        AtomicFiles.writeAll(segmentationFiles(labels, segments, file));
    }

    /**
     * The files {@link #writeSegmentation} creates, each with its writer, for staging with other outputs in
     * {@link AtomicFiles#writeAll} (as {@link #files}).
     *
     * @throws IllegalArgumentException as {@link #writeSegmentation}
     */
    public static Map<Path, AtomicFiles.IOConsumer<Path>> segmentationFiles(MedicalImage labels,
                                                                           List<NrrdSegment> segments, Path file) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(segments, "segments");
        checkName(file);
        if (labels.dataType().isFloatingPoint() || labels.components() != 1 || labels.rank() < 2
                || labels.rank() > 3) {
            throw new IllegalArgumentException("a segmentation needs a 2D or 3D integer label image of one component; "
                    + "got " + labels);
        }
        Map<Integer, NrrdSegment> byValue = new TreeMap<>();
        TreeSet<String> ids = new TreeSet<>();
        for (NrrdSegment s : segments) {
            if (s.layer() != 0) {
                throw new IllegalArgumentException("segment " + s.id() + " is on layer " + s.layer()
                        + "; only one-layer segmentations are written");
            }
            if (byValue.put(s.labelValue(), s) != null) {
                throw new IllegalArgumentException("two segments have label value " + s.labelValue());
            }
            if (!ids.add(s.id())) {
                throw new IllegalArgumentException("two segments have id " + s.id());
            }
        }
        int[] d = labels.dims();
        int nz = d.length == 3 ? d[2] : 1;
        Map<Integer, int[]> extents = new TreeMap<>();
        long i = 0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < d[1]; y++) {
                for (int x = 0; x < d[0]; x++, i++) {
                    double v = labels.get(i);
                    if (v == 0) {
                        continue;
                    }
                    if (!byValue.containsKey((int) v) || v != (int) v) {
                        throw new IllegalArgumentException("voxel (" + x + ", " + y + ", " + z + ") has label " + v
                                + ", which no segment has (segments: " + byValue.keySet() + ")");
                    }
                    int[] e = extents.get((int) v);
                    if (e == null) {
                        e = new int[] {x, x, y, y, z, z};
                        extents.put((int) v, e);
                    }
                    e[0] = Math.min(e[0], x);
                    e[1] = Math.max(e[1], x);
                    e[2] = Math.min(e[2], y);
                    e[3] = Math.max(e[3], y);
                    e[4] = Math.min(e[4], z);
                    e[5] = Math.max(e[5], z);
                }
            }
        }
        MedicalImage volume = labels;
        if (labels.rank() == 2) {
            volume = MedicalImage.builder(labels.dataType(), d[0], d[1], 1).affine(labels.affine(CoordinateSystem.LPS))
                    .data(labels.data()).build();
        }
        boolean gzip = !isDetached(file);
        StringBuilder h = header(volume, gzip, true);
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("Segmentation_ContainedRepresentationNames", "Binary labelmap|");
        kv.put("Segmentation_ConversionParameters", "");
        kv.put("Segmentation_MasterRepresentation", "Binary labelmap");
        kv.put("Segmentation_ReferenceImageExtentOffset", "0 0 0");
        int n = 0;
        for (NrrdSegment s : byValue.values()) {
            String p = "Segment" + n++ + "_";
            int[] e = extents.getOrDefault(s.labelValue(), new int[] {0, -1, 0, -1, 0, -1});
            kv.put(p + "Color", num(s.red()) + " " + num(s.green()) + " " + num(s.blue()));
            kv.put(p + "ColorAutoGenerated", "0");
            kv.put(p + "Extent", e[0] + " " + e[1] + " " + e[2] + " " + e[3] + " " + e[4] + " " + e[5]);
            kv.put(p + "ID", s.id());
            kv.put(p + "LabelValue", Integer.toString(s.labelValue()));
            kv.put(p + "Layer", "0");
            kv.put(p + "Name", s.name());
            kv.put(p + "NameAutoGenerated", "0");
            kv.put(p + "Tags", "|");
        }
        for (Map.Entry<String, String> e : kv.entrySet()) {
            h.append(NrrdHeader.escape(e.getKey())).append(":=").append(NrrdHeader.escape(e.getValue())).append('\n');
        }
        return files(volume, file, gzip, h);
    }

    /** Whether {@code file}'s name asks for a detached header. */
    private static boolean isDetached(Path file) {
        return name(file).endsWith(".nhdr");
    }

    private static String name(Path file) {
        return Objects.requireNonNull(Objects.requireNonNull(file, "file").getFileName(), "file name").toString()
                .toLowerCase(Locale.ROOT);
    }

    private static void checkName(Path file) {
        String n = name(file);
        if (!n.endsWith(".nrrd") && !n.endsWith(".nhdr")) {
            throw new IllegalArgumentException(file + ": a NRRD file name ends in .nrrd or .nhdr");
        }
    }

    private static String typeName(DataType t) {
        return switch (t) {
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case INT16 -> "int16";
            case UINT16 -> "uint16";
            case INT32 -> "int32";
            case UINT32 -> "uint32";
            case INT64 -> "int64";
            case UINT64 -> "uint64";
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case FLOAT16 -> throw new AssertionError("float16 is converted before writing");
        };
    }

    private static StringBuilder header(MedicalImage img, boolean gzip, boolean segmentation) {
        int rank = img.rank();
        int c = img.components();
        List<String> sizes = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        if (c > 1) {
            sizes.add(Integer.toString(c));
            dirs.add("none");
            kinds.add(c == 3 ? "RGB-color" : c == 4 ? "RGBA-color" : "vector");
        }
        Affine a = img.affine(CoordinateSystem.LPS);
        for (int i = 0; i < rank; i++) {
            sizes.add(Integer.toString(img.dim(i)));
            if (i < 3) {
                dirs.add("(" + num(a.get(0, i)) + "," + num(a.get(1, i)) + "," + num(a.get(2, i)) + ")");
                kinds.add("domain");
            } else {
                dirs.add("none");
                kinds.add("list");
            }
        }
        StringBuilder h = new StringBuilder("NRRD0004\n");
        h.append("# Complete NRRD file format specification at:\n# http://teem.sourceforge.net/nrrd/format.html\n");
        h.append("# written by medsam-java").append(segmentation ? " (3D Slicer segmentation)" : "").append('\n');
        h.append("type: ").append(typeName(img.dataType())).append('\n');
        h.append("dimension: ").append(sizes.size()).append('\n');
        h.append("space: left-posterior-superior\n");
        h.append("sizes: ").append(String.join(" ", sizes)).append('\n');
        h.append("space directions: ").append(String.join(" ", dirs)).append('\n');
        h.append("kinds: ").append(String.join(" ", kinds)).append('\n');
        h.append("endian: little\n");
        h.append("encoding: ").append(gzip ? "gzip" : "raw").append('\n');
        h.append("space origin: (").append(num(a.get(0, 3))).append(',').append(num(a.get(1, 3))).append(',')
                .append(num(a.get(2, 3))).append(")\n");
        return h;
    }

    /** Shortest text that reads back to the same double ("1" rather than "1.0"). */
    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /**
     * The files a write of {@code image} to {@code file} creates, each with the writer that writes it to the
     * (staging) path it is given, for {@link AtomicFiles#writeAll}: one for {@code .nrrd}, the data file and
     * then the header for {@code .nhdr} (the header names the data file by its final name, so the pair may be
     * staged together with other outputs).
     *
     * @throws IllegalArgumentException as {@link #write(MedicalImage, Path, boolean)}
     */
    public static Map<Path, AtomicFiles.IOConsumer<Path>> files(MedicalImage image, Path file, boolean gzip) {
        Objects.requireNonNull(image, "image");
        checkName(file);
        MedicalImage img = RawData.storable(image);
        return files(img, file, gzip, header(img, gzip, false));
    }

    private static Map<Path, AtomicFiles.IOConsumer<Path>> files(MedicalImage img, Path file, boolean gzip,
                                                                StringBuilder header) {
        Map<Path, AtomicFiles.IOConsumer<Path>> files = new LinkedHashMap<>();
        if (!isDetached(file)) {
            byte[] text = header.append('\n').toString().getBytes(StandardCharsets.UTF_8);
            files.put(file, p -> AtomicFiles.write(p, out -> {
                out.write(text);
                writeData(img, gzip, out);
            }));
            return files;
        }
        String base = file.getFileName().toString();
        String dataName = base.substring(0, base.length() - ".nhdr".length()) + (gzip ? ".raw.gz" : ".raw");
        byte[] text = header.append("data file: ").append(dataName).append('\n').toString()
                .getBytes(StandardCharsets.UTF_8);
        // The data first: a header never appears without the data it names.
        files.put(file.resolveSibling(dataName), p -> AtomicFiles.write(p, out -> writeData(img, gzip, out)));
        files.put(file, p -> AtomicFiles.write(p, out -> out.write(text)));
        return files;
    }

    private static void writeData(MedicalImage img, boolean gzip, OutputStream raw) throws IOException {
        if (!gzip) {
            RawData.writeValues(img, ByteOrder.LITTLE_ENDIAN, raw);
            return;
        }
        GZIPOutputStream gz = new GZIPOutputStream(raw, 1 << 16);
        RawData.writeValues(img, ByteOrder.LITTLE_ENDIAN, gz);
        gz.finish();
    }
}
