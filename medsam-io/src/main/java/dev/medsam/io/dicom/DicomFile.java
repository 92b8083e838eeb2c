package dev.medsam.io.dicom;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.io.dicom.internal.DicomParser;
import dev.medsam.io.dicom.internal.FrameData;
import dev.medsam.io.dicom.internal.Geometry;
import dev.medsam.io.dicom.internal.ParsedFile;
import dev.medsam.io.dicom.internal.PixelDecoder;
import dev.medsam.io.dicom.internal.PixelModule;
import dev.medsam.io.dicom.internal.SiemensCsa;
import dev.medsam.io.dicom.internal.Tags;
import dev.medsam.io.dicom.internal.TransferSyntax;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One DICOM file: its header, read when the file is opened, and its pixels, decoded only when asked for. Opening
 * reads up to the Pixel Data element (7FE0,0010) and stops there, so scanning many headers is cheap.
 *
 * <p>Reads DICOM Part 10 files (and bare data sets without preamble) in implicit or explicit VR little endian,
 * explicit VR big endian and deflated explicit VR little endian; pixel data native (1, 8, 16 or 32 bits, signed or
 * not, 1 or 3 samples, either planar configuration, float and double) or encapsulated as RLE, JPEG (baseline,
 * extended, lossless), JPEG-LS lossless and JPEG 2000.
 *
 * <pre>{@code
 * DicomFile file = DicomFile.open(Path.of("ct.dcm"));
 * MedicalImage image = file.readImage();          // dims (columns, rows) or (columns, rows, frames)
 * double hu = image.scaled(image.index(256, 256, 0, 0));
 * }</pre>
 *
 * <p>The {@link MedicalImage} holds the stored values (no rescale applied) with the {@link MedicalImage#rescale()},
 * the first Window Center/Width, the modality and an LPS affine. Its {@link MedicalImage#attributes()} carry
 * {@code dicom.photometricInterpretation} (a viewer inverts {@code MONOCHROME1}), {@code dicom.pixelPaddingValue}
 * (in stored units) when present, {@code dicom.transferSyntaxUid}, {@code dicom.sopInstanceUid},
 * {@code dicom.seriesInstanceUid} and {@code dicom.bitsStored}.
 *
 * <p>Immutable and thread-safe; holds no open file between calls. Every read failure is an {@link IOException}
 * naming the file and the tag {@code (gggg,eeee)} or byte offset at fault.
 */
public final class DicomFile {

    private static final System.Logger LOG = System.getLogger(DicomFile.class.getName());

    private final ParsedFile parsed;
    private final DicomDataset dataset;
    private final PixelModule module;
    private final List<FrameData> frameData;
    private final List<DicomFrame> frames;
    private final Affine affine;
    private final List<String> warnings;

    private DicomFile(ParsedFile parsed) throws IOException {
        this.parsed = parsed;
        this.dataset = new DicomDataset(parsed.dataset());
        List<String> warn = new ArrayList<>();
        if (parsed.pixelData().isPresent()) {
            this.module = PixelModule.of(parsed.dataset(), parsed.pixelInfo().tag());
            this.frameData = Geometry.frames(parsed.dataset(), module.frames());
        } else {
            this.module = null;
            this.frameData = Geometry.frames(parsed.dataset(), 1);
        }
        List<DicomFrame> fr = new ArrayList<>();
        for (int i = 0; i < frameData.size(); i++) {
            FrameData d = frameData.get(i);
            fr.add(new DicomFrame(i, d.position(), d.orientation(), d.pixelSpacing(), d.sliceThickness(), d.rescale(),
                    d.window()));
        }
        this.frames = List.copyOf(fr);
        this.affine = frameAffine(frameData, parsed.path().toString(), warn);
        this.warnings = List.copyOf(warn);
        for (String w : warnings) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
    }

    /**
     * Reads the header of {@code file} (not its pixels).
     *
     * @throws IOException if the file cannot be read, is not DICOM, or its header or image pixel module is malformed
     */
    public static DicomFile open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try {
            return new DicomFile(DicomParser.parse(file));
        } catch (IllegalArgumentException e) {
            // Values the core model rejects (a singular geometry, an impossible window) are file errors here.
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return parsed.path();
    }

    /** The data set (without the file meta group and without pixel data). */
    public DicomDataset dataset() {
        return dataset;
    }

    /** The file meta group (0002,xxxx); empty for files written without one. */
    public DicomDataset fileMeta() {
        return new DicomDataset(parsed.meta());
    }

    /** Transfer Syntax UID (0002,0010), or the one guessed for a file without meta group. */
    public String transferSyntaxUid() {
        return parsed.transferSyntax().uid();
    }

    public Optional<String> sopClassUid() {
        return dataset.string(Tags.SOP_CLASS_UID);
    }

    public Optional<String> sopInstanceUid() {
        return dataset.string(Tags.SOP_INSTANCE_UID);
    }

    public Optional<String> seriesInstanceUid() {
        return dataset.string(Tags.SERIES_INSTANCE_UID);
    }

    public Optional<String> modality() {
        return dataset.string(Tags.MODALITY);
    }

    /** Instance Number (0020,0013), if present and an integer. */
    public OptionalInt instanceNumber() {
        try {
            return parsed.dataset().integer(Tags.INSTANCE_NUMBER);
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** Whether the file has pixel data. */
    public boolean hasPixelData() {
        return module != null;
    }

    /** Rows of each frame. @throws IllegalStateException if there is no pixel data */
    public int rows() {
        return module().rows();
    }

    /** Columns of each frame. @throws IllegalStateException if there is no pixel data */
    public int columns() {
        return module().columns();
    }

    /** Number of frames (1 for single-frame objects). @throws IllegalStateException if there is no pixel data */
    public int frameCount() {
        return module().frames();
    }

    /** Samples per pixel: 1 (grey) or 3 (colour). @throws IllegalStateException if there is no pixel data */
    public int samplesPerPixel() {
        return module().samplesPerPixel();
    }

    /** The type values are delivered in by {@link #readImage()}. @throws IllegalStateException if there is no pixel data */
    public DataType dataType() {
        return module().dataType();
    }

    /** Per-frame facts (position, orientation, spacing, rescale, window), one per frame, in file order. */
    public List<DicomFrame> frames() {
        return frames;
    }

    /**
     * Voxel (column, row, frame) to patient LPS mm: columns [row cosines * PixelSpacing[1], column cosines *
     * PixelSpacing[0], normal * step, first frame's position], normal = row x column cosines. For multi-frame
     * objects whose frames form one evenly spaced stack the step is theirs (negative if they run against the
     * normal); otherwise it is Spacing Between Slices, else Slice Thickness, else 1, with a warning.
     */
    public Affine affine() {
        return affine;
    }

    /** What was doubtful in the geometry (also logged). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Reads and decodes the pixels.
     *
     * @return dims (columns, rows) for one frame, (columns, rows, frames) for several; stored values; see the
     *         class comment for what else it carries. Frames whose rescales differ are delivered as float32 real
     *         values with an identity rescale (attribute {@code dicom.rescaledToFloat}).
     * @throws IOException if there is no pixel data, or it is truncated, malformed or in an unsupported transfer syntax
     */
    public MedicalImage readImage() throws IOException {
        byte[] data = decodePixels();
        PixelModule m = module();
        int[] dims = m.frames() == 1 ? new int[] {m.columns(), m.rows()} : new int[] {m.columns(), m.rows(), m.frames()};
        Rescale rescale = frameData.get(0).rescale();
        boolean varies = frameData.stream().anyMatch(f -> !f.rescale().equals(rescale));
        MedicalImage.Builder b;
        if (varies) {
            b = MedicalImage.builder(DataType.FLOAT32, dims);
            data = toReal(data, m.dataType(), (int) m.frameValues(), frameData);
            b.attribute("dicom.rescaledToFloat", "true");
        } else {
            b = MedicalImage.builder(m.dataType(), dims).rescale(rescale);
        }
        b.components(m.samplesPerPixel()).affine(affine).modality(modality().orElse(null));
        if (frameData.get(0).window() != null) {
            b.window(frameData.get(0).window());
        }
        describe(b, true);
        return b.data(ByteBuffer.wrap(data)).build();
    }

    /**
     * The number of slices tiled in a Siemens mosaic: Image Type (0008,0008) contains MOSAIC and the CSA image
     * header (0029,xx10) gives NumberOfImagesInMosaic. Empty for anything else.
     *
     * @throws IOException if the CSA header is malformed
     */
    public OptionalInt mosaicSliceCount() throws IOException {
        if (!dataset.strings(Tags.IMAGE_TYPE).contains("MOSAIC")) {
            return OptionalInt.empty();
        }
        var csa = SiemensCsa.imageHeader(parsed.dataset());
        if (csa.isEmpty() || csa.get().getOrDefault("NumberOfImagesInMosaic", List.of()).isEmpty()) {
            return OptionalInt.empty();
        }
        String v = csa.get().get("NumberOfImagesInMosaic").get(0);
        try {
            int n = (int) Double.parseDouble(v);
            if (n < 1) {
                throw new NumberFormatException(v);
            }
            return OptionalInt.of(n);
        } catch (NumberFormatException e) {
            throw new IOException(parsed.path() + ": NumberOfImagesInMosaic '" + v + "' in the CSA header (0029,1010) is not a "
                    + "positive number");
        }
    }

    /**
     * A Siemens mosaic as the volume it tiles: dims (tile columns, tile rows, slices), slices taken from the tiles
     * row by row, the affine moved from the mosaic's corner to the first tile's (as nibabel and dcm2niix do) with
     * the slice axis along the normal (flipped when the CSA SliceNormalVector points the other way) times Spacing
     * Between Slices (else Slice Thickness). Rescale, window and attributes as {@link #readImage()}.
     *
     * @throws IOException if the file is not a mosaic ({@link #mosaicSliceCount()} is empty) or cannot be decoded
     */
    public MedicalImage readMosaicVolume() throws IOException {
        int n = mosaicSliceCount().orElseThrow(() -> new IOException(parsed.path() + ": not a Siemens mosaic (Image Type "
                + "(0008,0008) without MOSAIC, or no NumberOfImagesInMosaic in the CSA header (0029,1010))"));
        PixelModule m = module();
        int grid = (int) Math.ceil(Math.sqrt(n));
        if (m.frames() != 1 || m.rows() % grid != 0 || m.columns() % grid != 0) {
            throw new IOException(parsed.path() + ": a mosaic of " + n + " slices (" + grid + " x " + grid + " tiles) does not "
                    + "fit " + m.frames() + " frame(s) of " + m.rows() + " x " + m.columns() + " (0028,0010)/(0028,0011)");
        }
        int tr = m.rows() / grid;
        int tc = m.columns() / grid;
        int bpv = m.dataType().bytes() * m.samplesPerPixel();
        byte[] mosaic = decodePixels();
        byte[] out = new byte[tr * tc * n * bpv];
        for (int s = 0; s < n; s++) {
            int tileRow = s / grid;
            int tileCol = s % grid;
            for (int r = 0; r < tr; r++) {
                System.arraycopy(mosaic, ((tileRow * tr + r) * m.columns() + tileCol * tc) * bpv, out, (s * tr + r) * tc * bpv,
                        tc * bpv);
            }
        }
        FrameData f = frameData.get(0);
        List<String> warn = new ArrayList<>();
        double[][] dirs = Geometry.directions(f.orientation());
        if (dirs == null || f.position() == null) {
            throw new IOException(parsed.path() + ": a mosaic needs Image Position (0020,0032) and Orientation (0020,0037)");
        }
        double[] ps = f.pixelSpacing() != null && f.pixelSpacing()[0] > 0 && f.pixelSpacing()[1] > 0 ? f.pixelSpacing()
                : new double[] {1, 1};
        double dr = (m.rows() - tr) / 2.0;
        double dc = (m.columns() - tc) / 2.0;
        double[] origin = new double[3];
        for (int i = 0; i < 3; i++) {
            origin[i] = f.position()[i] + dirs[1][i] * ps[0] * dr + dirs[0][i] * ps[1] * dc;
        }
        double[] normal = dirs[2];
        var csa = SiemensCsa.imageHeader(parsed.dataset());
        List<String> sn = csa.isPresent() ? csa.get().getOrDefault("SliceNormalVector", List.of()) : List.of();
        if (sn.size() == 3) {
            try {
                double[] v = {Double.parseDouble(sn.get(0)), Double.parseDouble(sn.get(1)), Double.parseDouble(sn.get(2))};
                if (Geometry.dot(v, normal) < 0) {
                    normal = new double[] {-normal[0], -normal[1], -normal[2]};
                }
            } catch (NumberFormatException e) {
                warn.add(parsed.path() + ": SliceNormalVector " + sn + " in the CSA header is not numeric; ignored");
            }
        }
        double step = !Double.isNaN(f.spacingBetween()) ? f.spacingBetween()
                : !Double.isNaN(f.sliceThickness()) ? f.sliceThickness() : 1;
        double[] slice = {normal[0] * step, normal[1] * step, normal[2] * step};
        for (String w : warn) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
        MedicalImage.Builder b = MedicalImage.builder(m.dataType(), tc, tr, n).components(m.samplesPerPixel())
                .rescale(f.rescale()).affine(Geometry.affine(dirs[0], dirs[1], ps, slice, origin))
                .modality(modality().orElse(null));
        if (f.window() != null) {
            b.window(f.window());
        }
        describe(b, true);
        b.attribute("dicom.mosaicSlices", Integer.toString(n));
        return b.data(ByteBuffer.wrap(out)).build();
    }

    /** Decoded values of all frames, little-endian, in MedicalImage layout. */
    byte[] decodePixels() throws IOException {
        if (module == null) {
            throw new IOException(parsed.path() + ": no pixel data (7FE0,0010)");
        }
        return PixelDecoder.decode(parsed, module);
    }

    List<FrameData> frameData() {
        return frameData;
    }

    PixelModule module() {
        if (module == null) {
            throw new IllegalStateException(parsed.path() + " has no pixel data");
        }
        return module;
    }

    /** Adds the {@code dicom.*} attributes shared by files and series. */
    void describe(MedicalImage.Builder b, boolean instance) {
        b.attribute("dicom.transferSyntaxUid", transferSyntaxUid());
        sopClassUid().ifPresent(v -> b.attribute("dicom.sopClassUid", v));
        if (instance) {
            sopInstanceUid().ifPresent(v -> b.attribute("dicom.sopInstanceUid", v));
        }
        seriesInstanceUid().ifPresent(v -> b.attribute("dicom.seriesInstanceUid", v));
        PixelModule m = module();
        TransferSyntax ts = parsed.transferSyntax();
        boolean converted = m.samplesPerPixel() == 3 && (ts.encapsulated() && !TransferSyntax.RLE.equals(ts.uid())
                || !ts.encapsulated() && PixelDecoder.nativeYbr422(m));
        b.attribute("dicom.photometricInterpretation", converted ? "RGB" : m.photometric());
        b.attribute("dicom.bitsStored", Integer.toString(m.bitsStored()));
        pixelPadding().ifPresent(v -> b.attribute("dicom.pixelPaddingValue", Long.toString(v)));
    }

    /** Pixel Padding Value in stored units; its VR (US or SS) follows Pixel Representation. */
    private Optional<Long> pixelPadding() {
        try {
            double[] v = parsed.dataset().doubles(Tags.PIXEL_PADDING_VALUE);
            if (v.length == 0) {
                return Optional.empty();
            }
            long p = (long) v[0];
            if (module != null && module.signed() && module.bitsAllocated() == 16 && p > Short.MAX_VALUE) {
                p -= 65536; // implicit VR files give no VR: the dictionary reads US
            }
            return Optional.of(p);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static byte[] toReal(byte[] data, DataType type, int frameValues, List<FrameData> frames) {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = data.length / type.bytes();
        ByteBuffer out = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            double v = switch (type) {
                case UINT8 -> in.get(i) & 0xFF;
                case INT8 -> in.get(i);
                case UINT16 -> in.getShort(i * 2) & 0xFFFF;
                case INT16 -> in.getShort(i * 2);
                case UINT32 -> in.getInt(i * 4) & 0xFFFFFFFFL;
                case INT32 -> in.getInt(i * 4);
                case FLOAT32 -> in.getFloat(i * 4);
                default -> in.getDouble(i * 8);
            };
            out.putFloat(i * 4, (float) frames.get(Math.min(i / frameValues, frames.size() - 1)).rescale().apply(v));
        }
        return out.array();
    }

    /** The affine of a frame stack (see {@link #affine()}). */
    static Affine frameAffine(List<FrameData> frames, String src, List<String> warn) {
        FrameData f0 = frames.get(0);
        if (frames.size() > 1) {
            boolean positioned = frames.stream().allMatch(f -> f.position() != null);
            double[][] dirs = Geometry.directions(f0.orientation());
            if (positioned && dirs != null
                    && frames.stream().allMatch(f -> Geometry.sameOrientation(f.orientation(), f0.orientation()))) {
                int n = frames.size();
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = Geometry.dot(frames.get(i).position(), dirs[2]);
                }
                double mean = (d[n - 1] - d[0]) / (n - 1);
                boolean even = mean != 0;
                for (int i = 1; i < n && even; i++) {
                    even = Math.abs(d[i] - d[i - 1] - mean) <= 1e-3 * Math.abs(mean) + 1e-4;
                }
                if (even) {
                    double[] slice = {dirs[2][0] * mean, dirs[2][1] * mean, dirs[2][2] * mean};
                    return Geometry.affine(dirs[0], dirs[1], spacing(f0, src, warn), slice, f0.position());
                }
                warn.add(src + ": the " + n + " frames are not one evenly spaced stack (positions along the normal from "
                        + d[0] + " to " + d[n - 1] + " mm); the affine's slice axis uses the nominal slice spacing");
            } else if (frames.stream().anyMatch(f -> f.position() != null)) {
                warn.add(src + ": the frames do not share one orientation or lack positions; the affine is the first "
                        + "frame's with the nominal slice spacing");
            }
        }
        double step = !Double.isNaN(f0.spacingBetween()) ? f0.spacingBetween()
                : !Double.isNaN(f0.sliceThickness()) ? f0.sliceThickness() : 1;
        return planeAffine(f0, step, src, warn);
    }

    /** The affine of one plane, with the slice axis along the normal scaled by {@code step}. */
    static Affine planeAffine(FrameData f, double step, String src, List<String> warn) {
        double[][] dirs = Geometry.directions(f.orientation());
        if (dirs == null) {
            if (f.orientation() != null) {
                warn.add(src + ": Image Orientation (Patient) (0020,0037) is degenerate; axis-aligned geometry is assumed");
            }
            dirs = new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        }
        double[] origin = f.position() == null ? new double[3] : f.position();
        double[] slice = {dirs[2][0] * step, dirs[2][1] * step, dirs[2][2] * step};
        return Geometry.affine(dirs[0], dirs[1], spacing(f, src, warn), slice, origin);
    }

    private static double[] spacing(FrameData f, String src, List<String> warn) {
        double[] ps = f.pixelSpacing();
        if (ps != null && ps[0] > 0 && ps[1] > 0) {
            return ps;
        }
        if (ps != null) {
            warn.add(src + ": Pixel Spacing (0028,0030) " + ps[0] + "\\" + ps[1] + " is not positive; 1 mm is assumed");
        }
        return new double[] {1, 1};
    }

    @Override
    public String toString() {
        return "DicomFile[" + parsed.path() + ", " + parsed.transferSyntax().name()
                + (module == null ? ", no pixels" : ", " + module.frames() + " x " + module.rows() + " x " + module.columns()) + "]";
    }
}
