package dev.medsam.io.dicom;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.PatientPoint;
import dev.medsam.io.dicom.internal.FrameData;
import dev.medsam.io.dicom.internal.Geometry;
import dev.medsam.io.dicom.internal.Tags;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A DICOM Segmentation object (SEG, SOP Class 1.2.840.10008.5.1.4.1.1.66.4): its segments, and for each frame the
 * segment it belongs to and the source image it was drawn on, so that a ground-truth mask on the grid of the source
 * series can be built.
 *
 * <pre>{@code
 * DicomSeries ct = DicomSeries.open(Path.of("ct"));
 * DicomSegmentation seg = DicomSegmentation.open(Path.of("seg/liver.dcm"));
 * MedicalImage labels = seg.labelVolume(ct);     // uint8 segment numbers on the CT grid, 0 = background
 * }</pre>
 *
 * <p>BINARY segmentations are 1 bit per pixel, packed continuously across frames (least significant bit first,
 * frames not byte-aligned); FRACTIONAL ones are 8-bit, a pixel counting as inside when its value exceeds half of
 * Maximum Fractional Value (0062,000E). Immutable and thread-safe.
 */
public final class DicomSegmentation {

    /** Segmentation Storage. */
    public static final String SOP_CLASS_UID = "1.2.840.10008.5.1.4.1.1.66.4";

    /** One segment. @param number Segment Number (from 1) @param label Segment Label (empty if none) */
    public record Segment(int number, String label) {
        public Segment {
            Objects.requireNonNull(label, "label");
        }
    }

    /**
     * What one frame of the SEG covers.
     *
     * @param index                   the frame's index in the file, from 0
     * @param segmentNumber           the segment it belongs to
     * @param referencedSopInstanceUid the source image it was drawn on ("" if the file does not say)
     */
    public record Frame(int index, int segmentNumber, String referencedSopInstanceUid) {
        public Frame {
            Objects.requireNonNull(referencedSopInstanceUid, "referencedSopInstanceUid");
        }
    }

    private final DicomFile file;
    private final String type;
    private final List<Segment> segments;
    private final List<Frame> frames;
    private final int maxFractional;

    private DicomSegmentation(DicomFile file) throws IOException {
        this.file = file;
        String src = file.path().toString();
        boolean seg = SOP_CLASS_UID.equals(file.sopClassUid().orElse("")) || "SEG".equals(file.modality().orElse(""));
        if (!seg) {
            throw new IOException(src + ": not a segmentation (SOP Class " + file.sopClassUid().orElse("absent")
                    + ", Modality " + file.modality().orElse("absent") + ")");
        }
        if (!file.hasPixelData()) {
            throw new IOException(src + ": segmentation without pixel data (7FE0,0010)");
        }
        this.type = file.dataset().string(Tags.SEGMENTATION_TYPE).orElse("BINARY");
        var ds = file.dataset().attributes();
        if ("BINARY".equals(type) && file.module().bitsAllocated() != 1) {
            throw new IOException(src + ": BINARY segmentation with Bits Allocated " + file.module().bitsAllocated());
        }
        if ("FRACTIONAL".equals(type) && file.module().bitsAllocated() != 8) {
            throw new IOException(src + ": FRACTIONAL segmentation with Bits Allocated " + file.module().bitsAllocated());
        }
        this.maxFractional = ds.integer(Tags.MAXIMUM_FRACTIONAL_VALUE).orElse(255);
        List<Segment> segs = new ArrayList<>();
        for (var item : ds.sequence(Tags.SEGMENT_SEQUENCE)) {
            int n = item.integer(Tags.SEGMENT_NUMBER).orElseThrow(() -> new IOException(src
                    + ": an item of Segment Sequence (0062,0002) has no Segment Number (0062,0004)"));
            segs.add(new Segment(n, item.string(Tags.SEGMENT_LABEL).orElse("")));
        }
        if (segs.isEmpty()) {
            throw new IOException(src + ": Segment Sequence (0062,0002) is missing or empty");
        }
        this.segments = List.copyOf(segs);
        List<Frame> fr = new ArrayList<>();
        List<FrameData> data = file.frameData();
        for (int i = 0; i < data.size(); i++) {
            FrameData d = data.get(i);
            int number = d.segmentNumber();
            if (number == 0 && segs.size() == 1) {
                number = segs.get(0).number();
            }
            final int n = number;
            if (segs.stream().noneMatch(s -> s.number() == n)) {
                throw new IOException(src + ": frame " + (i + 1) + " refers to segment " + number
                        + " (0062,000B), which Segment Sequence (0062,0002) does not define");
            }
            fr.add(new Frame(i, number, d.referencedSop() == null ? "" : d.referencedSop()));
        }
        this.frames = List.copyOf(fr);
    }

    /**
     * Reads the header of a SEG file (not its pixels).
     *
     * @throws IOException if the file cannot be read or is not a well-formed segmentation
     */
    public static DicomSegmentation open(Path file) throws IOException {
        return new DicomSegmentation(DicomFile.open(file));
    }

    /** The underlying file (its {@link DicomFile#readImage()} gives the frames as stored: uint8 0/1 for BINARY). */
    public DicomFile file() {
        return file;
    }

    /** BINARY or FRACTIONAL. */
    public String segmentationType() {
        return type;
    }

    public List<Segment> segments() {
        return segments;
    }

    /** One entry per frame, in file order. */
    public List<Frame> frames() {
        return frames;
    }

    /**
     * A label volume on {@code series}' grid: dims and affine of the series, value = segment number where a frame of
     * that segment covers the voxel, 0 elsewhere (uint8, or uint16 for segment numbers above 255). Where segments
     * overlap, the higher segment number wins. Frames are matched to slices by their referenced SOP Instance UID,
     * else by their position along the series' normal.
     *
     * @throws IOException if the frames cannot be decoded, differ in size from the slices, or a frame matches no slice
     */
    public MedicalImage labelVolume(DicomSeries series) throws IOException {
        return build(series, -1);
    }

    /**
     * A 0/1 uint8 mask of one segment on {@code series}' grid (see {@link #labelVolume(DicomSeries)}).
     *
     * @throws IllegalArgumentException if the segment is not defined
     * @throws IOException              as for {@link #labelVolume(DicomSeries)}
     */
    public MedicalImage mask(DicomSeries series, int segmentNumber) throws IOException {
        if (segments.stream().noneMatch(s -> s.number() == segmentNumber)) {
            throw new IllegalArgumentException("segment " + segmentNumber + " is not one of " + segments);
        }
        return build(series, segmentNumber);
    }

    /** Which slice of {@code series} each frame lies on. */
    public int[] sliceIndices(DicomSeries series) throws IOException {
        String src = file.path().toString();
        int[] out = new int[frames.size()];
        double[] positions = series.slicePositions();
        DicomFile first = series.files().get(0);
        double[][] dirs = Geometry.directions(first.frameData().get(0).orientation());
        for (Frame f : frames) {
            int idx = f.referencedSopInstanceUid().isEmpty() ? -1 : series.indexOf(f.referencedSopInstanceUid());
            FrameData fd = file.frameData().get(f.index());
            if (idx < 0 && fd.position() != null && dirs != null) {
                double d = Geometry.dot(fd.position(), dirs[2]);
                double tol = series.size() > 1 ? Math.abs(series.sliceStep()) / 4 : 1e-3;
                for (int i = 0; i < positions.length; i++) {
                    if (Math.abs(positions[i] - d) <= tol) {
                        idx = i;
                        break;
                    }
                }
            }
            if (idx < 0) {
                throw new IOException(src + ": frame " + (f.index() + 1) + " (source " + (f.referencedSopInstanceUid().isEmpty()
                        ? "not given" : f.referencedSopInstanceUid()) + ", position " + (fd.position() == null ? "not given"
                        : java.util.Arrays.toString(fd.position())) + ") lies on no slice of series " + series.seriesInstanceUid());
            }
            out[f.index()] = idx;
        }
        return out;
    }

    private MedicalImage build(DicomSeries series, int only) throws IOException {
        DicomFile first = series.files().get(0);
        int rows = first.rows();
        int cols = first.columns();
        if (file.rows() != rows || file.columns() != cols) {
            throw new IOException(file.path() + ": frames are " + file.columns() + " x " + file.rows() + " but the slices of "
                    + "series " + series.seriesInstanceUid() + " are " + cols + " x " + rows);
        }
        int[] slice = sliceIndices(series);
        byte[] stored = file.decodePixels();
        int plane = rows * cols;
        int maxLabel = only > 0 ? 1 : segments.stream().mapToInt(Segment::number).max().orElse(1);
        DataType outType = maxLabel > 255 ? DataType.UINT16 : DataType.UINT8;
        int voxels = plane * series.size();
        ByteBuffer data = ByteBuffer.allocate(voxels * outType.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int threshold = "FRACTIONAL".equals(type) ? maxFractional / 2 : 0;
        for (Frame f : frames) {
            if (only > 0 && f.segmentNumber() != only) {
                continue;
            }
            int value = only > 0 ? 1 : f.segmentNumber();
            int base = slice[f.index()] * plane;
            int src = f.index() * plane;
            for (int p = 0; p < plane; p++) {
                if ((stored[src + p] & 0xFF) <= threshold) {
                    continue;
                }
                int i = base + p;
                if (outType == DataType.UINT8) {
                    if ((data.get(i) & 0xFF) < value) {
                        data.put(i, (byte) value);
                    }
                } else if ((data.getShort(2 * i) & 0xFFFF) < value) {
                    data.putShort(2 * i, (short) value);
                }
            }
        }
        MedicalImage.Builder b = MedicalImage.builder(outType, cols, rows, series.size()).affine(series.affine())
                .modality("SEG").attribute("dicom.seriesInstanceUid", series.seriesInstanceUid())
                .attribute("dicom.segmentationSopInstanceUid", file.sopInstanceUid().orElse(""));
        if (only > 0) {
            b.attribute("dicom.segmentNumber", Integer.toString(only));
        }
        return b.data(data).build();
    }

    /** The position of frame {@code index} in LPS mm, if the file gives one. */
    public Optional<PatientPoint> framePosition(int index) {
        double[] p = file.frameData().get(index).position();
        return p == null ? Optional.empty() : Optional.of(new PatientPoint(CoordinateSystem.LPS, p[0], p[1], p[2]));
    }

    @Override
    public String toString() {
        return "DicomSegmentation[" + file.path() + ", " + type + ", " + segments.size() + " segments, " + frames.size()
                + " frames]";
    }
}
