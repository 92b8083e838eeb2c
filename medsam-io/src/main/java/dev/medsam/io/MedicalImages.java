package dev.medsam.io;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.ProbabilityMask;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.internal.DicomDispatch;
import dev.medsam.io.image2d.PngWriter;
import dev.medsam.io.image2d.RasterImages;
import dev.medsam.io.metaimage.MetaImageReader;
import dev.medsam.io.metaimage.MetaImageWriter;
import dev.medsam.io.internal.FormatSniffer;
import dev.medsam.io.internal.MaskImages;
import dev.medsam.io.internal.StagedInput;
import dev.medsam.io.nifti.NiftiReader;
import dev.medsam.io.nifti.NiftiWriter;
import dev.medsam.io.nrrd.NrrdReader;
import dev.medsam.io.nrrd.NrrdSegment;
import dev.medsam.io.nrrd.NrrdWriter;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyHeader;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One entry point for every supported file: the format is recognised from the content (never from the name
 * alone), the file is read into a {@link MedicalImage}, written by extension, or inspected.
 *
 * <h2>What each format gives</h2>
 * <ul>
 *   <li>NIfTI-1/-2 ({@code .nii}, {@code .nii.gz}): see {@link NiftiReader}.</li>
 *   <li>PNG, JPEG, BMP, TIFF: dims (columns, rows), 1 or 3 components; see {@link RasterImages}.</li>
 *   <li>NPY: the array mapped as {@link NpyArray#toMedicalImage()} (shape (D, H, W) gives dims (W, H, D));
 *       a rank-3 array whose last axis has 3 elements, (H, W, 3), is read as an RGB image of dims (W, H), as
 *       MedSAM's 2D preprocessing stores images.</li>
 *   <li>NPZ: the {@code imgs} array of a MedSAM-style archive (see {@link MedSamNpz}), with its spacing read
 *       in array order ({@link SpacingOrder#ARRAY_ORDER}); otherwise the archive's only array. Archives with
 *       several arrays and no {@code imgs} must be read with {@link Npz}.</li>
 *   <li>DICOM: a file as {@link dev.medsam.io.dicom.DicomFile#readImage()} (dims (columns, rows[, frames])); a
 *       folder as its one image series, {@link dev.medsam.io.dicom.DicomSeries#readVolume()}. Inspecting a folder
 *       gives one entry per series.</li>
 * </ul>
 *
 * <p>Thread-safe (stateless). Example:
 * <pre>{@code
 * LoadedImage loaded = MedicalImages.read(Path.of("scan.nii.gz"));
 * MedicalImage image = loaded.image();
 * ImageFormat format = loaded.format();                 // ImageFormat.NIFTI1
 * }</pre>
 */
public final class MedicalImages {

    private static final System.Logger LOG = System.getLogger(MedicalImages.class.getName());

    private MedicalImages() {
    }

    /**
     * The format of {@code file}, from its first bytes.
     *
     * @throws MalformedImageException if it is no supported format
     */
    public static ImageFormat detect(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return FormatSniffer.detect(file);
    }

    /**
     * Reads {@code file} in whichever supported format it is.
     *
     * @throws MalformedImageException if the content is no supported format or is damaged (the message names
     *                                 the file and what was wrong)
     * @throws IOException             if the file cannot be read at all (missing, unreadable)
     */
    public static LoadedImage read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            return DicomDispatch.read(file); // a folder is a DICOM series
        }
        ImageFormat format = detect(file);
        if (format == ImageFormat.DICOM) {
            return DicomDispatch.read(file);
        }
        List<String> warnings = new ArrayList<>();
        Consumer<String> sink = w -> {
            warnings.add(w);
            LOG.log(System.Logger.Level.WARNING, w);
        };
        MedicalImage image = switch (format) {
            case NIFTI1, NIFTI2 -> NiftiReader.read(file, sink);
            case NPY -> npyImage(file, Npy.read(file));
            case NPZ -> npzImage(file);
            case PNG, JPEG, BMP, TIFF -> RasterImages.read(file, sink);
            case DICOM -> throw new AssertionError("DICOM is read above");
            case NRRD -> NrrdReader.read(file).image();
            case METAIMAGE -> MetaImageReader.read(file);
        };
        return new LoadedImage(format, image, warnings);
    }

    /**
     * Writes {@code image} in the format its file name asks for: {@code .nii} or {@code .nii.gz} (see
     * {@link NiftiWriter}), {@code .png} ({@link PngWriter}), {@code .npy} (the image's values as an array of
     * shape (..., rows, cols[, components]), see {@link NpyArray#of(MedicalImage)}), {@code .nrrd} or
     * {@code .nhdr} ({@link NrrdWriter}), {@code .seg.nrrd} (a 3D Slicer segmentation with one segment per
     * non-zero label, see {@link NrrdWriter#writeSegmentation}), {@code .mha} or {@code .mhd}
     * ({@link MetaImageWriter}). Atomic; a detached header and its data file appear together.
     *
     * @throws IllegalArgumentException if the extension is none of these, or the format cannot hold the image
     */
    public static void write(MedicalImage image, Path file) throws IOException {
        Objects.requireNonNull(image, "image");
        String name = Objects.requireNonNull(file.getFileName(), "file name").toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".nii") || name.endsWith(".nii.gz")) {
            NiftiWriter.write(image, file);
        } else if (name.endsWith(".png")) {
            PngWriter.write(image, file);
        } else if (name.endsWith(".npy")) {
            Npy.write(file, NpyArray.of(image));
        } else if (name.endsWith(".seg.nrrd") || name.endsWith(".seg.nhdr")) {
            NrrdWriter.writeSegmentation(image, segments(image), file);
        } else if (name.endsWith(".nrrd") || name.endsWith(".nhdr")) {
            NrrdWriter.write(image, file);
        } else if (name.endsWith(".mha") || name.endsWith(".mhd")) {
            MetaImageWriter.write(image, file);
        } else {
            throw new IllegalArgumentException("cannot tell the format from the name " + file.getFileName()
                    + "; use .nii, .nii.gz, .png, .npy, .nrrd, .seg.nrrd, .nhdr, .mha or .mhd");
        }
    }

    /**
     * The files {@link #write(MedicalImage, Path)} would create for {@code file}, each with the writer that
     * writes it to the path it is given, for staging together with other outputs in
     * {@link AtomicFiles#writeAll}: two for a detached header ({@code .nhdr}, {@code .mhd}: data file, then
     * header, which names the data file by its final name), one otherwise.
     *
     * @throws IllegalArgumentException if the extension is not one {@link #write(MedicalImage, Path)} knows
     */
    public static Map<Path, AtomicFiles.IOConsumer<Path>> writers(MedicalImage image, Path file) {
        Objects.requireNonNull(image, "image");
        String name = Objects.requireNonNull(file.getFileName(), "file name").toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".seg.nhdr")) {
            return NrrdWriter.segmentationFiles(image, segments(image), file);
        }
        if (name.endsWith(".nhdr")) {
            return NrrdWriter.files(image, file, false);
        }
        if (name.endsWith(".mhd")) {
            return MetaImageWriter.files(image, file, false);
        }
        if (!(name.endsWith(".nii") || name.endsWith(".nii.gz") || name.endsWith(".png") || name.endsWith(".npy")
                || name.endsWith(".nrrd") || name.endsWith(".mha"))) {
            throw new IllegalArgumentException("cannot tell the format from the name " + file.getFileName()
                    + "; use .nii, .nii.gz, .png, .npy, .nrrd, .seg.nrrd, .nhdr, .mha or .mhd");
        }
        Map<Path, AtomicFiles.IOConsumer<Path>> one = new java.util.LinkedHashMap<>();
        one.put(file, p -> write(image, p));
        return one;
    }

    /**
     * One segment per non-zero label of {@code labels}: named as the {@code nrrd.segment.0.<value>} attribute
     * says (a mask read from a Slicer segmentation keeps its names), else {@code Segment_<value>}.
     */
    private static List<NrrdSegment> segments(MedicalImage labels) {
        if (labels.dataType().isFloatingPoint()) {
            throw new IllegalArgumentException("a .seg.nrrd segmentation needs integer labels; the image is "
                    + labels.dataType().numpyName());
        }
        TreeSet<Long> values = new TreeSet<>();
        long n = labels.valueCount();
        for (long i = 0; i < n; i++) {
            double v = labels.get(i);
            if (v != 0) {
                if (v < 1 || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("a .seg.nrrd segmentation needs labels 1.." + Integer.MAX_VALUE
                            + "; the value at flat index " + i + " is " + v);
                }
                values.add((long) v);
            }
        }
        List<NrrdSegment> out = new ArrayList<>();
        for (long v : values) {
            String name = labels.attributes().getOrDefault("nrrd.segment.0." + v, "Segment_" + v);
            out.add(NrrdSegment.of(name, (int) v));
        }
        return out;
    }

    /**
     * Reads {@code file} completely and describes it: see {@link Inspection}.
     *
     * @throws MalformedImageException if the content is no supported format or is damaged
     */
    public static Inspection inspect(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            return DicomDispatch.inspect(file); // a folder is one or more DICOM series
        }
        ImageFormat format = detect(file);
        List<String> warnings = new ArrayList<>();
        Consumer<String> sink = w -> {
            warnings.add(w);
            LOG.log(System.Logger.Level.DEBUG, w);
        };
        List<Inspection.Entry> entries = new ArrayList<>();
        switch (format) {
            case NIFTI1, NIFTI2 -> {
                MedicalImage image = NiftiReader.read(file, sink);
                entries.add(Inspection.Entry.ofImage("", image, Inspection.DimsConvention.FIRST_AXIS_FASTEST,
                        CoordinateSystem.RAS, NiftiReader.zooms(image).orElse(null)));
            }
            case NPY -> {
                NpyHeader h = Npy.readHeader(file);
                entries.add(Inspection.Entry.ofArray("", Npy.read(file), npyDetails(h)));
            }
            case NPZ -> {
                Map<String, NpyArray> arrays = Npz.read(file, sink);
                for (Npz.Member m : Npz.members(file)) {
                    NpyArray a = arrays.get(m.key());
                    if (a == null) {
                        continue;
                    }
                    Map<String, String> details = npyDetails(m.header());
                    details.put("npz.member", m.entryName());
                    details.put("npz.compression", m.compressed() ? "deflate" : "stored");
                    entries.add(Inspection.Entry.ofArray(m.key(), a, details));
                }
                if (entries.isEmpty()) {
                    throw new MalformedImageException(file, "holds no .npy arrays");
                }
            }
            case DICOM -> {
                return DicomDispatch.inspect(file);
            }
            case PNG, JPEG, BMP, TIFF -> entries.add(Inspection.Entry.ofImage("", RasterImages.read(file, sink),
                    Inspection.DimsConvention.ROW_MAJOR, CoordinateSystem.LPS));
            case NRRD -> entries.add(Inspection.Entry.ofImage("", NrrdReader.read(file).image(),
                    Inspection.DimsConvention.FIRST_AXIS_FASTEST, CoordinateSystem.LPS));
            case METAIMAGE -> entries.add(Inspection.Entry.ofImage("", MetaImageReader.read(file),
                    Inspection.DimsConvention.FIRST_AXIS_FASTEST, CoordinateSystem.LPS));
        }
        return Inspection.of(file, format, entries, warnings);
    }

    // ------------------------------------------------------------------------------- streams and memory

    /**
     * Reads an image from a stream (an upload, a PACS retrieval, a resource), in whichever supported format its
     * content is, as {@link #read(Path)} reads a file. The stream is read to its end and closed.
     *
     * <p>The readers need random access, so the content is copied to a private temporary file that is deleted
     * before this method returns; it does not have to fit in memory.
     *
     * @param name what to call the content in messages, e.g. the upload's file name
     * @throws MalformedImageException if the content is no supported format or is damaged (the message names
     *                                 {@code name})
     */
    public static LoadedImage read(InputStream in, String name) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(name, "name");
        return StagedInput.readStream(in, name, MedicalImages::read);
    }

    /** {@link #read(InputStream, String)} of the bytes {@code content}. */
    public static LoadedImage read(byte[] content, String name) throws IOException {
        Objects.requireNonNull(content, "content");
        return read(new ByteArrayInputStream(content), name);
    }

    /**
     * Reads the DICOM files of one series, each from its own stream (as a PACS sends them, in any order), as
     * {@link #read(Path)} reads a folder: slices sorted by position, one volume. Every stream is read and closed.
     *
     * @param name what to call the series in messages
     * @throws MalformedImageException if the files are not one DICOM image series
     */
    public static LoadedImage readDicomSeries(List<? extends InputStream> files, String name) throws IOException {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(name, "name");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no DICOM files given for " + name);
        }
        return StagedInput.readStreams(files, name, true, DicomDispatch::read);
    }

    /** An image already in memory: see {@link RasterImages#fromBufferedImage(BufferedImage)}. */
    public static MedicalImage of(BufferedImage image) {
        return RasterImages.fromBufferedImage(image);
    }

    // ------------------------------------------------------------------------------------------ masks

    /**
     * Writes one mask on the grid of {@code image}, the 2D image it was made on (same size, position, orientation,
     * spacing and modality), in the format the file name asks for (see {@link #write(MedicalImage, Path)}): 0
     * background and 1 object in {@code .nii}, {@code .nii.gz} and {@code .npy}; 0 and 255 in {@code .png}, so
     * that a picture viewer shows it. Atomic.
     *
     * @throws IllegalArgumentException if the mask's size is not the image's, or the image is not 2D
     */
    public static void write(BinaryMask mask, MedicalImage image, Path file) throws IOException {
        writeLabels(List.of(mask), image, file);
    }

    /**
     * Writes several masks as one label map on the grid of {@code image} (as {@link #write(BinaryMask,
     * MedicalImage, Path)}): mask {@code i} (0-based) is label {@code i + 1}, later masks overwriting earlier ones
     * where they overlap, 0 elsewhere. In {@code .png}, label {@code k} of {@code n} is stored as
     * {@code round(255 k / n)} so that each object has its own visible grey level (one mask: 255). Atomic.
     *
     * @throws IllegalArgumentException if there are no masks or more than 255, or a size differs from the image's
     */
    public static void writeLabels(List<BinaryMask> masks, MedicalImage image, Path file) throws IOException {
        boolean png = isPng(file);
        write(MaskImages.labels(masks, image, png), file);
    }

    /**
     * The label map of several masks on the grid of {@code image}, as {@link #writeLabels} writes it to NIfTI: uint8,
     * mask {@code i} (0-based) is label {@code i + 1}, later masks over earlier ones, 0 elsewhere; the image's
     * affine, and no modality (a label map of a CT is not a CT).
     *
     * @throws IllegalArgumentException if there are no masks or more than 255, or a size differs from the image's
     */
    public static MedicalImage labelMap(List<BinaryMask> masks, MedicalImage image) {
        return MaskImages.labels(masks, image, false);
    }

    /**
     * Writes probabilities on the grid of {@code image}: float32 values in [0, 1] in {@code .nii}, {@code .nii.gz}
     * and {@code .npy}; {@code round(255 p)} in {@code .png}. Atomic.
     */
    public static void write(ProbabilityMask probabilities, MedicalImage image, Path file) throws IOException {
        write(isPng(file) ? MaskImages.probabilitiesAsBytes(probabilities, image)
                : MaskImages.probabilities(probabilities, image), file);
    }

    private static boolean isPng(Path file) {
        Path name = Objects.requireNonNull(file, "file").getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".png");
    }

    private static Map<String, String> npyDetails(NpyHeader h) {
        Map<String, String> d = new TreeMap<>();
        d.put("npy.version", h.major() + "." + h.minor());
        d.put("npy.descr", h.descr());
        d.put("npy.fortran_order", Boolean.toString(h.fortranOrder()));
        d.put("npy.byte_order", h.bigEndian() ? "big" : "little");
        return d;
    }

    private static MedicalImage npyImage(Path file, NpyArray a) throws MalformedImageException {
        if (a.rank() == 0 || a.size() == 0) {
            throw new MalformedImageException(file, "holds an array of shape " + java.util.Arrays.toString(a.shape())
                    + ", which is not an image");
        }
        if (a.rank() == 3 && a.dim(2) == 3) {
            return a.toMedicalImage(3);
        }
        return a.toMedicalImage();
    }

    private static MedicalImage npzImage(Path file) throws IOException {
        // Headers first, so that only the arrays needed are read.
        List<String> keys = new ArrayList<>();
        for (Npz.Member m : Npz.members(file)) {
            keys.add(m.key());
        }
        if (keys.contains("imgs")) {
            return MedSamNpz.read(file).image(SpacingOrder.ARRAY_ORDER);
        }
        if (keys.size() == 1) {
            return npyImage(file, Npz.read(file, keys.get(0)));
        }
        throw new MalformedImageException(file, "holds " + keys.size() + " arrays " + keys
                + " and no 'imgs'; read the one you want with Npz.read(file, key)");
    }
}
