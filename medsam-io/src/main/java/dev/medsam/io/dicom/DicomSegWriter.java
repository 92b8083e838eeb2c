package dev.medsam.io.dicom;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.dicom.internal.CieLab;
import dev.medsam.io.dicom.internal.DicomOutput;
import dev.medsam.io.dicom.internal.FrameData;
import dev.medsam.io.dicom.internal.Geometry;
import dev.medsam.io.dicom.internal.Tags;
import dev.medsam.io.dicom.internal.Uids;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes label maps as DICOM Segmentation objects (SEG, binary, SOP Class 1.2.840.10008.5.1.4.1.1.66.4) that
 * reference the DICOM image or series they were drawn on, so that a PACS or viewer shows them over the source.
 *
 * <pre>{@code
 * DicomSeries ct = DicomSeries.open(Path.of("ct"));
 * MedicalImage labels = ...;                       // uint8/uint16, dims (columns, rows, slices) on ct's grid
 * DicomSegWriter writer = DicomSegWriter.builder("MedSAM", "0.1.0")
 *         .segment(1, SegmentDescription.of("Liver"))
 *         .build();
 * DicomSegWriter.Result r = writer.write(Path.of("liver.dcm"), ct, labels);
 * }</pre>
 *
 * <p>Each label value above 0 becomes one segment with that Segment Number; values without a description get
 * {@link SegmentDescription#of(String) SegmentDescription.of("Segment N")}. The file holds one frame per segment and
 * source slice that contains the segment (slices without it are left out), ordered by segment, then by position
 * along the slice normal; bits packed least significant first across frames. It carries the source's patient,
 * study and frame of reference attributes; a new series, instance and dimension organisation, each with a UID
 * under 2.25 made from a random UUID; Multi-frame Functional Groups (shared Pixel Measures and Plane Orientation,
 * per frame Plane Position, Frame Content with Dimension Index Values (segment number, slice rank from 1), Segment
 * Identification and a Derivation Image with its Source Image); Dimension Organization/Index on Referenced Segment
 * Number and Image Position (Patient); and the Referenced Series Sequence. The algorithm type is SEMIAUTOMATIC
 * (MedSAM is prompted by a person's boxes). Encoding: explicit VR little endian, all text in ASCII or, when any text
 * is not, UTF-8 (ISO_IR 192).
 *
 * <p>Sources must be single-frame images with Image Position and Orientation (Patient) and a Frame of Reference UID
 * (CT, MR, PET and the like); multi-frame (enhanced) sources are not supported yet. Immutable and thread-safe;
 * every write creates new UIDs. Files are written with {@link AtomicFiles}: complete or not at all.
 */
public final class DicomSegWriter {

    private static final System.Logger LOG = System.getLogger(DicomSegWriter.class.getName());

    private static final CodedConcept ARTIFICIAL_INTELLIGENCE = new CodedConcept("123110", "DCM", "Artificial Intelligence");
    private static final CodedConcept SEGMENTATION = new CodedConcept("113076", "DCM", "Segmentation");
    private static final CodedConcept SOURCE_FOR_PROCESSING = new CodedConcept("121322", "DCM",
            "Source image for image processing operation");

    /** Patient and study attributes copied from the source, with their VRs (PS3.3 C.7.1.1, C.7.2.1, C.7.2.2). */
    private static final Object[][] COPIED = {
        {0x00080020, "DA"}, {0x00080030, "TM"}, {0x00080050, "SH"}, {0x00080090, "PN"}, {0x00081030, "LO"},
        {0x00100010, "PN"}, {0x00100020, "LO"}, {0x00100021, "LO"}, {0x00100030, "DA"}, {0x00100040, "CS"},
        {0x00101010, "AS"}, {0x00101020, "DS"}, {0x00101030, "DS"}, {0x00200010, "SH"}, {0x00201040, "LO"},
    };
    /** Of {@link #COPIED}, those the SEG IOD requires to be present (type 2), written empty when the source lacks them. */
    private static final Set<Integer> TYPE_2 = Set.of(0x00080020, 0x00080030, 0x00080050, 0x00080090, 0x00100010,
            0x00100020, 0x00100030, 0x00100040, 0x00200010, 0x00201040);

    /**
     * What was written.
     *
     * @param sopInstanceUid    the new SEG's SOP Instance UID
     * @param seriesInstanceUid the new SEG series' UID
     * @param frames            the number of frames (segment x slice pairs holding a mask)
     * @param segments          the segment numbers, ascending
     */
    public record Result(String sopInstanceUid, String seriesInstanceUid, int frames, List<Integer> segments) {
        public Result {
            Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
            Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
            segments = List.copyOf(segments);
        }
    }

    private final String algorithmName;
    private final String algorithmVersion;
    private final Map<Integer, SegmentDescription> segments;
    private final String seriesDescription;
    private final int seriesNumber;
    private final String contentLabel;

    private DicomSegWriter(Builder b) {
        this.algorithmName = b.algorithmName;
        this.algorithmVersion = b.algorithmVersion;
        this.segments = Map.copyOf(b.segments);
        this.seriesDescription = b.seriesDescription == null ? algorithmName + " segmentation" : b.seriesDescription;
        this.seriesNumber = b.seriesNumber;
        this.contentLabel = b.contentLabel;
    }

    /**
     * A builder for a writer that names the algorithm that made the masks, such as ("MedSAM", "0.1.0").
     *
     * @throws IllegalArgumentException if a name is blank, longer than 64 characters or holds a backslash
     */
    public static Builder builder(String algorithmName, String algorithmVersion) {
        return new Builder(algorithmName, algorithmVersion);
    }

    /**
     * Writes the labels of a 2D result on one single-frame DICOM image.
     *
     * @param labels integer labels 0..65535 with dims (columns, rows) or (columns, rows, 1) of the image and its
     *               in-plane geometry (affine)
     * @throws IllegalArgumentException if the labels do not fit the image's grid, are not integers, are negative, or
     *                                  hold no label at all
     * @throws IOException              if the source lacks what a SEG must reference, or the file cannot be written
     */
    public Result write(Path out, DicomFile source, MedicalImage labels) throws IOException {
        Objects.requireNonNull(source, "source");
        return write(out, List.of(source), source.affine(), labels, true);
    }

    /**
     * Writes the labels of a 3D result on a DICOM series.
     *
     * @param labels integer labels 0..65535 with dims (columns, rows, slices) and the affine of
     *               {@link DicomSeries#readVolume()} (slices in the series' position order)
     * @throws IllegalArgumentException as for {@link #write(Path, DicomFile, MedicalImage)}
     * @throws IOException              as for {@link #write(Path, DicomFile, MedicalImage)}
     */
    public Result write(Path out, DicomSeries source, MedicalImage labels) throws IOException {
        Objects.requireNonNull(source, "source");
        return write(out, source.files(), source.affine(), labels, source.size() == 1);
    }

    private Result write(Path out, List<DicomFile> files, Affine grid, MedicalImage labels, boolean plane)
            throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(labels, "labels");
        DicomFile first = files.get(0);
        String src = files.size() == 1 ? first.path().toString() : "series " + first.seriesInstanceUid().orElse("?");
        for (DicomFile f : files) {
            if (!f.hasPixelData()) {
                throw new IOException(f.path() + ": not an image (no Pixel Data (7FE0,0010)); a SEG needs image sources");
            }
            if (f.frameCount() != 1) {
                throw new IOException(f.path() + ": a multi-frame image (" + f.frameCount() + " frames); SEG output "
                        + "supports single-frame sources only");
            }
        }
        int cols = first.columns();
        int rows = first.rows();
        checkGrid(labels, cols, rows, files.size(), grid, plane, src);
        int[] values = labelValues(labels);

        // which segments exist, and which (segment, slice) pairs hold a mask
        int plane1 = cols * rows;
        TreeMap<Integer, boolean[]> present = new TreeMap<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0) {
                present.computeIfAbsent(values[i], k -> new boolean[files.size()])[i / plane1] = true;
            }
        }
        if (present.isEmpty()) {
            throw new IllegalArgumentException("the label map holds no labelled pixel (all 0): there is nothing to "
                    + "write as a segmentation of " + src);
        }
        Set<Integer> numbers = new java.util.TreeSet<>(present.keySet());
        numbers.addAll(segments.keySet());

        Source s = Source.of(files, src);
        String sopUid = Uids.random();
        String seriesUid = Uids.random();
        String dimensionUid = Uids.random();
        ZonedDateTime now = ZonedDateTime.now();
        String date = now.format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8);
        String time = now.format(DateTimeFormatter.ofPattern("HHmmss.SSS", Locale.ROOT));

        DicomOutput ds = new DicomOutput();
        copyPatientAndStudy(first, ds, src);
        // SOP Common, General Series, Segmentation Series, General/Enhanced Equipment, Segmentation Image
        ds.text(Tags.SOP_CLASS_UID, "UI", DicomSegmentation.SOP_CLASS_UID)
                .text(Tags.SOP_INSTANCE_UID, "UI", sopUid)
                .text(0x00080012, "DA", date).text(0x00080013, "TM", time)
                .text(0x00080021, "DA", date).text(0x00080031, "TM", time)
                .text(0x00080023, "DA", date).text(0x00080033, "TM", time)
                .text(Tags.IMAGE_TYPE, "CS", "DERIVED\\PRIMARY")
                .text(Tags.MODALITY, "CS", "SEG")
                .text(Tags.MANUFACTURER, "LO", "MedSAM for Java")
                .text(0x00081090, "LO", algorithmName)
                .text(0x0008103E, "LO", seriesDescription)
                .text(0x00181000, "LO", "1")
                .text(0x00181020, "LO", algorithmVersion)
                .text(Tags.SERIES_INSTANCE_UID, "UI", seriesUid)
                .text(0x00200011, "IS", Integer.toString(seriesNumber))
                .text(Tags.INSTANCE_NUMBER, "IS", "1")
                .text(0x00700080, "CS", contentLabel)
                .text(0x00700081, "LO", algorithmName + " " + algorithmVersion + " segmentation")
                .text(0x00700084, "PN", "")
                .text(Tags.SEGMENTATION_TYPE, "CS", "BINARY")
                .text(0x00620013, "CS", "NO") // Segments Overlap: one label per pixel cannot overlap
                .text(0x00282110, "CS", "00");
        ds.text(Tags.FRAME_OF_REFERENCE_UID, "UI", s.frameOfReference);
        // Image Pixel
        ds.unsignedShorts(Tags.SAMPLES_PER_PIXEL, 1)
                .text(Tags.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2")
                .unsignedShorts(Tags.ROWS, rows).unsignedShorts(Tags.COLUMNS, cols)
                .unsignedShorts(Tags.BITS_ALLOCATED, 1).unsignedShorts(Tags.BITS_STORED, 1)
                .unsignedShorts(Tags.HIGH_BIT, 0).unsignedShorts(Tags.PIXEL_REPRESENTATION, 0);

        List<DicomOutput> segmentItems = new ArrayList<>();
        List<Integer> numberList = new ArrayList<>(numbers);
        for (int n : numberList) {
            if (n > 0xFFFF) {
                throw new IllegalArgumentException("segment number " + n + " exceeds 65535");
            }
            segmentItems.add(segmentItem(n, segments.getOrDefault(n, SegmentDescription.of("Segment " + n))));
        }
        ds.sequence(Tags.SEGMENT_SEQUENCE, segmentItems);

        // Multi-frame Dimension
        ds.sequence(0x00209221, new DicomOutput().text(0x00209164, "UI", dimensionUid));
        ds.sequence(0x00209222, List.of(
                new DicomOutput().text(0x00209164, "UI", dimensionUid)
                        .attributeTags(0x00209165, Tags.REFERENCED_SEGMENT_NUMBER)
                        .attributeTags(0x00209167, Tags.SEGMENT_IDENTIFICATION_SEQUENCE)
                        .text(0x00209421, "LO", "ReferencedSegmentNumber"),
                new DicomOutput().text(0x00209164, "UI", dimensionUid)
                        .attributeTags(0x00209165, Tags.IMAGE_POSITION_PATIENT)
                        .attributeTags(0x00209167, Tags.PLANE_POSITION_SEQUENCE)
                        .text(0x00209421, "LO", "ImagePositionPatient")));

        // frames: by segment, then by slice position
        List<int[]> frames = new ArrayList<>();
        for (Map.Entry<Integer, boolean[]> e : present.entrySet()) {
            for (int z = 0; z < files.size(); z++) {
                if (e.getValue()[z]) {
                    frames.add(new int[] {e.getKey(), z});
                }
            }
        }
        DicomOutput shared = new DicomOutput();
        DicomOutput measures = new DicomOutput().decimals(Tags.PIXEL_SPACING, s.pixelSpacing);
        if (!Double.isNaN(s.sliceThickness)) {
            measures.decimals(Tags.SLICE_THICKNESS, s.sliceThickness);
        }
        if (files.size() > 1) {
            measures.decimals(Tags.SPACING_BETWEEN_SLICES, s.step);
        }
        shared.sequence(Tags.PIXEL_MEASURES_SEQUENCE, measures);
        shared.sequence(Tags.PLANE_ORIENTATION_SEQUENCE,
                new DicomOutput().decimals(Tags.IMAGE_ORIENTATION_PATIENT, s.orientation));
        ds.sequence(Tags.SHARED_FUNCTIONAL_GROUPS_SEQUENCE, shared);

        List<DicomOutput> perFrame = new ArrayList<>(frames.size());
        Set<Integer> referenced = new LinkedHashSet<>();
        for (int[] f : frames) {
            int z = f[1];
            referenced.add(z);
            DicomOutput sourceImage = new DicomOutput()
                    .text(Tags.REFERENCED_SOP_CLASS_UID, "UI", s.sopClasses[z])
                    .text(Tags.REFERENCED_SOP_INSTANCE_UID, "UI", s.sopInstances[z])
                    .sequence(0x0040A170, code(SOURCE_FOR_PROCESSING));
            DicomOutput derivation = new DicomOutput()
                    .sequence(Tags.SOURCE_IMAGE_SEQUENCE, sourceImage)
                    .sequence(0x00089215, code(SEGMENTATION));
            perFrame.add(new DicomOutput()
                    .sequence(Tags.DERIVATION_IMAGE_SEQUENCE, derivation)
                    .sequence(Tags.FRAME_CONTENT_SEQUENCE,
                            new DicomOutput().unsignedLongs(Tags.DIMENSION_INDEX_VALUES, f[0], z + 1L))
                    .sequence(Tags.PLANE_POSITION_SEQUENCE,
                            new DicomOutput().decimals(Tags.IMAGE_POSITION_PATIENT, s.positions[z]))
                    .sequence(Tags.SEGMENT_IDENTIFICATION_SEQUENCE,
                            new DicomOutput().unsignedShorts(Tags.REFERENCED_SEGMENT_NUMBER, f[0])));
        }
        ds.sequence(Tags.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, perFrame);
        ds.text(Tags.NUMBER_OF_FRAMES, "IS", Integer.toString(frames.size()));

        // Common Instance Reference: the source instances the frames were derived from
        List<DicomOutput> instances = new ArrayList<>();
        for (int z : new java.util.TreeSet<>(referenced)) {
            instances.add(new DicomOutput().text(Tags.REFERENCED_SOP_CLASS_UID, "UI", s.sopClasses[z])
                    .text(Tags.REFERENCED_SOP_INSTANCE_UID, "UI", s.sopInstances[z]));
        }
        ds.sequence(Tags.REFERENCED_SERIES_SEQUENCE, new DicomOutput()
                .sequence(Tags.REFERENCED_INSTANCE_SEQUENCE, instances)
                .text(Tags.SERIES_INSTANCE_UID, "UI", s.seriesInstanceUid));

        ds.otherBytes(Tags.PIXEL_DATA, packBits(values, frames, plane1));
        if (!ds.isAscii()) {
            ds.text(Tags.SPECIFIC_CHARACTER_SET, "CS", "ISO_IR 192");
        }
        DicomOutput body = ds;
        AtomicFiles.write(out, o -> body.writeFile(o, DicomSegmentation.SOP_CLASS_UID, sopUid,
                Uids.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_VERSION_NAME));
        LOG.log(System.Logger.Level.DEBUG, () -> "wrote SEG " + out + ": " + frames.size() + " frames, segments "
                + numberList + ", source " + src);
        return new Result(sopUid, seriesUid, frames.size(), numberList);
    }

    private DicomOutput segmentItem(int number, SegmentDescription d) {
        int[] lab = CieLab.dicomLab(d.rgb() >>> 16 & 0xFF, d.rgb() >>> 8 & 0xFF, d.rgb() & 0xFF);
        DicomOutput algorithm = new DicomOutput()
                .sequence(0x0066002F, code(ARTIFICIAL_INTELLIGENCE))
                .text(0x00660036, "LO", algorithmName)
                .text(0x00660031, "LO", algorithmVersion);
        return new DicomOutput()
                .sequence(0x00620003, code(d.category()))
                .unsignedShorts(Tags.SEGMENT_NUMBER, number)
                .text(Tags.SEGMENT_LABEL, "LO", d.label())
                .sequence(0x00620007, algorithm)
                .text(0x00620008, "CS", "SEMIAUTOMATIC")
                .text(0x00620009, "LO", algorithmName)
                .unsignedShorts(0x0062000D, lab)
                .sequence(0x0062000F, code(d.type()));
    }

    private static DicomOutput code(CodedConcept c) {
        return new DicomOutput().text(0x00080100, "SH", c.value()).text(0x00080102, "SH", c.scheme())
                .text(0x00080104, "LO", c.meaning());
    }

    private static void copyPatientAndStudy(DicomFile f, DicomOutput ds, String src) throws IOException {
        DicomDataset in = f.dataset();
        String study = in.string(Tags.STUDY_INSTANCE_UID).orElseThrow(() -> new IOException(f.path()
                + ": no Study Instance UID (0020,000D); a SEG must belong to its source's study"));
        ds.text(Tags.STUDY_INSTANCE_UID, "UI", study);
        for (Object[] c : COPIED) {
            int tag = (Integer) c[0];
            var v = in.string(tag);
            if (v.isPresent()) {
                ds.text(tag, (String) c[1], v.get());
            } else if (TYPE_2.contains(tag)) {
                ds.text(tag, (String) c[1], "");
            }
        }
    }

    /** The labels as ints, checked to be integers 0..65535. */
    private static int[] labelValues(MedicalImage labels) {
        DataType t = labels.dataType();
        if (t.isFloatingPoint()) {
            throw new IllegalArgumentException("labels must be of an integer type; got " + t.numpyName());
        }
        if (labels.components() != 1) {
            throw new IllegalArgumentException("labels must have one component; got " + labels.components());
        }
        long n = labels.voxelCount();
        int[] out = new int[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            double v = labels.get(i);
            if (v < 0 || v > 0xFFFF || v != Math.rint(v)) {
                throw new IllegalArgumentException("label value " + (v == Math.rint(v) ? Long.toString((long) v)
                        : Double.toString(v)) + " at index " + i + " is not an integer 0..65535");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static void checkGrid(MedicalImage labels, int cols, int rows, int slices, Affine grid, boolean plane,
                                  String src) {
        int[] d = labels.dims();
        boolean ok = d.length >= 2 && d[0] == cols && d[1] == rows && (d.length < 3 ? slices == 1 : d[2] == slices);
        for (int a = 3; a < d.length && ok; a++) {
            ok = d[a] == 1;
        }
        if (!ok) {
            throw new IllegalArgumentException("the labels have dims " + Arrays.toString(d) + " but " + src + " is "
                    + cols + " x " + rows + " x " + slices + " (columns, rows, slices)");
        }
        Affine a = labels.affine(CoordinateSystem.LPS);
        grid = grid.to(CoordinateSystem.LPS);
        // in-plane axes and origin must agree; for a single image the slice axis is nominal and not compared
        int columns = plane ? 2 : 3;
        for (int c = 0; c <= 3; c++) {
            if (c == 2 && columns == 2) {
                continue;
            }
            for (int r = 0; r < 3; r++) {
                double want = grid.get(r, c);
                if (Math.abs(a.get(r, c) - want) > 1e-3 + 1e-5 * Math.abs(want)) {
                    throw new IllegalArgumentException("the labels' affine " + a + " does not put them on the grid of "
                            + src + " (" + grid + "); give them the source's geometry");
                }
            }
        }
    }

    /** The frames' pixels, one bit each, least significant bit first, continuous across frames, padded to even. */
    private static byte[] packBits(int[] values, List<int[]> frames, int plane) {
        long bits = (long) frames.size() * plane;
        long bytes = (bits + 7) / 8;
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(frames.size() + " frames of " + plane + " pixels exceed one Pixel Data element");
        }
        byte[] out = new byte[(int) bytes];
        long bit = 0;
        for (int[] f : frames) {
            int base = f[1] * plane;
            for (int p = 0; p < plane; p++, bit++) {
                if (values[base + p] == f[0]) {
                    out[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
                }
            }
        }
        return out;
    }

    /** What the SEG needs from its source slices, in series order. */
    private record Source(String frameOfReference, String seriesInstanceUid, String[] sopClasses, String[] sopInstances,
                          double[][] positions, double[] orientation, double[] pixelSpacing, double sliceThickness,
                          double step) {

        static Source of(List<DicomFile> files, String src) throws IOException {
            DicomFile first = files.get(0);
            String frameOfReference = first.dataset().string(Tags.FRAME_OF_REFERENCE_UID).orElseThrow(() -> new IOException(
                    first.path() + ": no Frame of Reference UID (0020,0052); SEG output needs sources placed in a "
                            + "patient frame of reference"));
            String series = first.seriesInstanceUid().orElseThrow(() -> new IOException(first.path()
                    + ": no Series Instance UID (0020,000E)"));
            int n = files.size();
            String[] classes = new String[n];
            String[] instances = new String[n];
            double[][] positions = new double[n][];
            FrameData f0 = first.frameData().get(0);
            double[] orientation = f0.orientation();
            if (orientation == null || Geometry.directions(orientation) == null) {
                throw new IOException(first.path() + ": no usable Image Orientation (Patient) (0020,0037); SEG frames "
                        + "need it");
            }
            for (int i = 0; i < n; i++) {
                DicomFile f = files.get(i);
                classes[i] = f.sopClassUid().orElseThrow(() -> new IOException(f.path() + ": no SOP Class UID (0008,0016)"));
                instances[i] = f.sopInstanceUid().orElseThrow(() -> new IOException(f.path()
                        + ": no SOP Instance UID (0008,0018)"));
                FrameData fd = f.frameData().get(0);
                if (fd.position() == null) {
                    throw new IOException(f.path() + ": no Image Position (Patient) (0020,0032); SEG frames need it");
                }
                if (!Geometry.sameOrientation(fd.orientation(), orientation)) {
                    throw new IOException(f.path() + ": Image Orientation (Patient) " + Arrays.toString(fd.orientation())
                            + " differs from " + first.path().getFileName() + "'s " + Arrays.toString(orientation)
                            + "; a SEG of " + src + " needs one orientation");
                }
                positions[i] = fd.position().clone();
            }
            double[] ps = f0.pixelSpacing();
            if (ps == null || !(ps[0] > 0) || !(ps[1] > 0)) {
                throw new IOException(first.path() + ": no positive Pixel Spacing (0028,0030); SEG pixel measures need it");
            }
            double step = Double.NaN;
            if (n > 1) {
                double[] normal = Geometry.directions(orientation)[2];
                step = (Geometry.dot(positions[n - 1], normal) - Geometry.dot(positions[0], normal)) / (n - 1);
            }
            return new Source(frameOfReference, series, classes, instances, positions, orientation.clone(), ps.clone(),
                    f0.sliceThickness(), step);
        }
    }

    /** Optional settings of a {@link DicomSegWriter}. Not thread-safe; {@link #build()} copies what it holds. */
    public static final class Builder {
        private final String algorithmName;
        private final String algorithmVersion;
        private final Map<Integer, SegmentDescription> segments = new TreeMap<>();
        private String seriesDescription;
        private int seriesNumber = 1000;
        private String contentLabel = "MEDSAM";

        private Builder(String algorithmName, String algorithmVersion) {
            CodedConcept.check("algorithm name", algorithmName, 64);
            CodedConcept.check("algorithm version", algorithmVersion, 64);
            this.algorithmName = algorithmName;
            this.algorithmVersion = algorithmVersion;
        }

        /**
         * Describes label value {@code number} (1..65535). A described segment is listed even when no pixel has its
         * label (it then has no frames).
         */
        public Builder segment(int number, SegmentDescription description) {
            if (number < 1 || number > 0xFFFF) {
                throw new IllegalArgumentException("segment number " + number + " is not in 1..65535");
            }
            segments.put(number, Objects.requireNonNull(description, "description"));
            return this;
        }

        /** Series Description (0008,103E); default "{algorithm name} segmentation". */
        public Builder seriesDescription(String text) {
            CodedConcept.check("series description", text, 64);
            this.seriesDescription = text;
            return this;
        }

        /** Series Number (0020,0011); default 1000, out of the way of a scanner's series numbers. */
        public Builder seriesNumber(int number) {
            if (number < 0) {
                throw new IllegalArgumentException("series number " + number + " is negative");
            }
            this.seriesNumber = number;
            return this;
        }

        /** Content Label (0070,0080): 1 to 16 of A-Z, 0-9, space and underscore; default "MEDSAM". */
        public Builder contentLabel(String label) {
            Objects.requireNonNull(label, "label");
            if (!label.matches("[A-Z0-9 _]{1,16}")) {
                throw new IllegalArgumentException("content label '" + label + "' must be 1 to 16 of A-Z, 0-9, space, _");
            }
            this.contentLabel = label;
            return this;
        }

        public DicomSegWriter build() {
            return new DicomSegWriter(this);
        }
    }
}
