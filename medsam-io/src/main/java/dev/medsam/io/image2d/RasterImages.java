package dev.medsam.io.image2d;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.Limits;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.SinglePixelPackedSampleModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads 2D images (PNG, JPEG, BMP, TIFF) with ImageIO and the TwelveMonkeys TIFF and JPEG plugins into a
 * {@link MedicalImage} of dims (columns, rows) with 1 (grey) or 3 (RGB) components, keeping stored values:
 * <ul>
 *   <li>PNG: 8- and 16-bit grey (uint8/uint16) and RGB; an alpha channel is dropped; palette images are
 *       expanded through the palette (to grey if every entry is grey, else RGB), as are 1/2/4-bit greys.</li>
 *   <li>JPEG: uint8 grey or RGB as the decoder produces them (lossy: values differ by a level or two between
 *       decoders). CMYK/YCCK are converted to RGB by the plugin.</li>
 *   <li>TIFF: 8/16/32-bit unsigned and signed integers (SampleFormat 1 or 2), float32 and float64, grey or RGB;
 *       the first page only (the page count is in {@code tiff.pages}).</li>
 *   <li>BMP: as the JDK decodes it, expanded like PNG.</li>
 * </ul>
 * Other colour spaces are converted to 8-bit sRGB with a warning.
 *
 * <h2>Spacing</h2>
 * Unit spacing, except for a TIFF whose resolution is in pixels per centimetre (ResolutionUnit 3, spacing =
 * 10 / resolution mm) or which ImageJ calibrated (ResolutionUnit 1 with {@code unit=mm}, {@code um} or
 * {@code cm} in its ImageDescription). Resolutions per inch (the TIFF default) are almost always a print or
 * screen DPI (72, 96, ...) with no physical meaning for a medical image, so they are not converted; the raw
 * values are kept in the attributes {@code tiff.x_resolution}, {@code tiff.y_resolution} and
 * {@code tiff.resolution_unit}.
 *
 * <p>Decoded size is checked against the file size before decoding (the most DEFLATE could expand it), so a
 * small corrupt file cannot make the decoder allocate gigabytes. Thread-safe (stateless).
 */
public final class RasterImages {

    private static final System.Logger LOG = System.getLogger(RasterImages.class.getName());
    private static final Pattern IMAGEJ_UNIT = Pattern.compile("(?m)^unit=(\\S+)");

    /** The 2D formats this class reads. */
    enum Kind {
        PNG("png"), JPEG("jpeg"), BMP("bmp"), TIFF("tiff");

        final String imageIoName;

        Kind(String imageIoName) {
            this.imageIoName = imageIoName;
        }
    }

    private RasterImages() {
    }

    /** Reads {@code file}; recoverable problems are logged as warnings. */
    public static MedicalImage read(Path file) throws IOException {
        return read(file, w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /**
     * Reads {@code file} (PNG, JPEG, BMP or TIFF, told apart by content), passing recoverable problems to
     * {@code warnings}.
     *
     * @throws MalformedImageException if the file is none of these formats or cannot be decoded
     */
    public static MedicalImage read(Path file, Consumer<String> warnings) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(warnings, "warnings");
        Kind kind = sniff(file);
        if (kind == null) {
            throw new MalformedImageException(file, "is not a PNG, JPEG, BMP or TIFF image");
        }
        try {
            return decode(file, kind, warnings);
        } catch (MalformedImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO plugins signal damaged data with IIOException and, on odd input, with runtime exceptions
            // from deep inside (array bounds, negative sizes): all mean "this file cannot be decoded".
            throw new MalformedImageException(file, "cannot decode " + kind + ": " + e, e);
        }
    }

    /**
     * The pixels of an image already in memory (a {@link BufferedImage} from a viewer, a web upload decoded with
     * ImageIO, a screenshot) as stored values, exactly as {@link #read(Path)} would give them for the same pixels
     * in a file: grey as one component, RGB as three (alpha dropped), palettes expanded, other colour spaces
     * converted to 8-bit sRGB (logged as a warning). Dims (width, height), no geometry (1 mm pixels).
     */
    public static MedicalImage fromBufferedImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        return toImage(Path.of("BufferedImage"), image, null, w -> LOG.log(System.Logger.Level.WARNING, w)).build();
    }

    static Kind sniff(Path file) throws IOException {
        Limits.requireRegularFile(file);
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(8);
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return Kind.PNG;
        }
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return Kind.JPEG;
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return Kind.BMP;
        }
        if (b.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43)))) {
            return Kind.TIFF;
        }
        return null;
    }

    private static MedicalImage decode(Path file, Kind kind, Consumer<String> warnings) throws IOException {
        long fileSize = Files.size(file);
        if (kind == Kind.BMP) {
            checkBmpOffsets(file, fileSize);
        }
        TiffTags tags = kind == Kind.TIFF ? TiffTags.read(file) : null;
        BufferedImage img;
        try (ImageInputStream iis = new FileImageInputStream(file.toFile())) {
            ImageReader reader = pickReader(file, kind);
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new MalformedImageException(file, kind + " size is " + w + " x " + h);
                }
                int bytesPerPixel = 4;
                ImageTypeSpecifier raw = rawType(reader);
                if (raw != null) {
                    SampleModel sm = raw.getSampleModel();
                    int bits = 0;
                    for (int s : sm.getSampleSize()) {
                        bits += s;
                    }
                    bytesPerPixel = Math.max(4, (bits + 7) / 8);
                }
                long needed = Limits.multiply(Limits.multiply(w, h), bytesPerPixel);
                long bound = Limits.inflateBound(fileSize);
                Limits.checkImageAllocation(file, "the decoded " + w + " x " + h + " " + kind + " image", needed, bound,
                        "a " + fileSize + "-byte " + kind + " file cannot hold more than " + bound);
                if (rawTiff(tags) && reader.canReadRaster()) {
                    // The stored samples as tifffile returns them: BufferedImage reading would clamp floats to
                    // 0..1 and invert MinIsWhite.
                    Raster raster = reader.readRaster(0, null);
                    int photometric = tags.number(TiffTags.PHOTOMETRIC).orElse(1.0).intValue();
                    int samples = raster.getNumBands();
                    int[] bands = photometric == 2 && samples >= 3 ? new int[] {0, 1, 2} : new int[] {0};
                    if (samples != bands.length) {
                        warnings.accept(file + ": TIFF has " + samples + " samples per pixel; kept " + bands.length);
                    }
                    MedicalImage.Builder b = samples(raster, bands, tags);
                    applyTiffTags(file, tags, b, raster.getWidth(), raster.getHeight(), warnings);
                    return b.build();
                }
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        }
        MedicalImage.Builder b = toImage(file, img, tags, warnings);
        if (tags != null) {
            applyTiffTags(file, tags, b, img.getWidth(), img.getHeight(), warnings);
        }
        return b.build();
    }

    /**
     * Checks the two sizes a BMP header states before the JDK's reader trusts them: the pixel-data offset
     * (bfOffBits) and the info-header size must lie inside the file and leave room for each other. The JDK reads
     * the bytes between the info header and the pixel data as a colour table and allocates them in one array, so
     * a mangled offset near 2^31 would cost a 2 GB allocation before any error.
     */
    private static void checkBmpOffsets(Path file, long fileSize) throws IOException {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(18);
        }
        if (h.length < 18) {
            throw new MalformedImageException(file, "BMP header is cut off: " + h.length + " of 18 bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        long pixelOffset = Integer.toUnsignedLong(b.getInt(10));
        long infoSize = Integer.toUnsignedLong(b.getInt(14));
        if (infoSize < 12 || 14 + infoSize > fileSize) {
            throw new MalformedImageException(file, "BMP info header size " + infoSize
                    + " does not fit a " + fileSize + "-byte file");
        }
        if (pixelOffset < 14 + infoSize || pixelOffset > fileSize) {
            throw new MalformedImageException(file, "BMP pixel data offset " + pixelOffset + " is outside "
                    + (14 + infoSize) + ".." + fileSize + " (after the headers, inside the file)");
        }
    }

    /** Whether a TIFF's samples can be taken raw: grey or RGB, not JPEG-compressed (which may be YCbCr). */
    private static boolean rawTiff(TiffTags tags) {
        if (tags == null || tags.bigTiff || tags.pages == 0) {
            return false;
        }
        int photometric = tags.number(TiffTags.PHOTOMETRIC).orElse(-1.0).intValue();
        int compression = tags.number(TiffTags.COMPRESSION).orElse(1.0).intValue();
        return photometric >= 0 && photometric <= 2 && compression != 6 && compression != 7;
    }

    private static ImageTypeSpecifier rawType(ImageReader reader) {
        try {
            return reader.getRawImageType(0);
        } catch (IOException | RuntimeException e) {
            return null; // the size check then assumes 4 bytes per pixel
        }
    }

    private static ImageReader pickReader(Path file, Kind kind) throws MalformedImageException {
        List<ImageReader> readers = new ArrayList<>();
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(kind.imageIoName); it.hasNext(); ) {
            readers.add(it.next());
        }
        if (readers.isEmpty()) {
            throw new MalformedImageException(file, "no ImageIO reader for " + kind + " is installed");
        }
        // Prefer TwelveMonkeys for TIFF (signed and float samples) and JPEG (CMYK, damaged streams).
        for (ImageReader r : readers) {
            if ((kind == Kind.TIFF || kind == Kind.JPEG) && r.getClass().getName().startsWith("com.twelvemonkeys")) {
                return r;
            }
        }
        return readers.get(0);
    }

    /** The stored values of {@code img} as an image builder (data set). */
    static MedicalImage.Builder toImage(Path file, BufferedImage img, TiffTags tags, Consumer<String> warnings) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return expandPalette(icm, r, w, h);
        }
        int colour = cm.getNumColorComponents();
        int space = cm.getColorSpace().getType();
        int[] bands;
        if (colour == 1 && space == ColorSpace.TYPE_GRAY) {
            bands = new int[] {0};
        } else if (colour == 3 && space == ColorSpace.TYPE_RGB) {
            bands = new int[] {0, 1, 2};
        } else {
            warnings.accept(file + ": colour space with " + colour + " components (type " + space
                    + ") converted to 8-bit sRGB");
            BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = rgb.createGraphics();
            g.drawImage(img, 0, 0, null);
            g.dispose();
            return toImage(file, rgb, null, warnings);
        }
        return samples(r, bands, tags);
    }

    /** The given bands of a raster as stored values (type from the raster and the TIFF SampleFormat). */
    static MedicalImage.Builder samples(Raster r, int[] bands, TiffTags tags) {
        int w = r.getWidth();
        int h = r.getHeight();
        SampleModel sm = r.getSampleModel();
        int bits = sm.getSampleSize(0);
        boolean packed = sm instanceof SinglePixelPackedSampleModel || sm instanceof MultiPixelPackedSampleModel;
        int sampleFormat = tags == null ? 1 : tags.number(TiffTags.SAMPLE_FORMAT).orElse(1.0).intValue();
        DataType type;
        int bufferType = r.getDataBuffer().getDataType();
        if (packed) {
            type = bits <= 8 ? DataType.UINT8 : DataType.UINT16;
        } else {
            type = switch (bufferType) {
                case DataBuffer.TYPE_BYTE -> sampleFormat == 2 ? DataType.INT8 : DataType.UINT8;
                case DataBuffer.TYPE_USHORT -> DataType.UINT16;
                case DataBuffer.TYPE_SHORT -> DataType.INT16;
                case DataBuffer.TYPE_INT -> sampleFormat == 2 ? DataType.INT32 : DataType.UINT32;
                case DataBuffer.TYPE_FLOAT -> DataType.FLOAT32;
                case DataBuffer.TYPE_DOUBLE -> DataType.FLOAT64;
                default -> throw new IllegalStateException("raster data type " + bufferType);
            };
        }
        int c = bands.length;
        int nb = r.getNumBands();
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(Math.multiplyExact(w * c, h), type.bytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.FLOAT32 || type == DataType.FLOAT64) {
            double[] row = new double[w * nb];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int band : bands) {
                        double v = row[x * nb + band];
                        if (type == DataType.FLOAT32) {
                            out.putFloat((float) v);
                        } else {
                            out.putDouble(v);
                        }
                    }
                }
            }
        } else {
            int[] row = new int[w * nb];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int band : bands) {
                        int v = row[x * nb + band];
                        switch (type.bytes()) {
                            case 1 -> out.put((byte) v);
                            case 2 -> out.putShort((short) v);
                            default -> out.putInt(v);
                        }
                    }
                }
            }
        }
        out.flip();
        return MedicalImage.builder(type, w, h).components(c).data(out);
    }

    private static MedicalImage.Builder expandPalette(IndexColorModel icm, Raster r, int w, int h) {
        int size = icm.getMapSize();
        boolean grey = true;
        for (int i = 0; i < size; i++) {
            grey &= icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
        }
        int c = grey ? 1 : 3;
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), c)];
        int[] row = new int[w];
        int p = 0;
        for (int y = 0; y < h; y++) {
            r.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = Math.min(Math.max(row[x], 0), size - 1);
                if (grey) {
                    out[p++] = (byte) icm.getRed(i);
                } else {
                    out[p++] = (byte) icm.getRed(i);
                    out[p++] = (byte) icm.getGreen(i);
                    out[p++] = (byte) icm.getBlue(i);
                }
            }
        }
        return MedicalImage.builder(DataType.UINT8, w, h).components(c).data(ByteBuffer.wrap(out));
    }

    private static void applyTiffTags(Path file, TiffTags tags, MedicalImage.Builder b, int w, int h,
                                      Consumer<String> warnings) {
        b.attribute("tiff.pages", Integer.toString(tags.pages));
        if (tags.pages > 1) {
            warnings.accept(file + ": TIFF has " + tags.pages + " pages; read the first");
        }
        tags.number(TiffTags.SAMPLE_FORMAT).ifPresent(v -> b.attribute("tiff.sample_format", fmt(v)));
        tags.number(TiffTags.COMPRESSION).ifPresent(v -> b.attribute("tiff.compression", fmt(v)));
        tags.number(TiffTags.PHOTOMETRIC).ifPresent(v -> b.attribute("tiff.photometric", fmt(v)));
        double unit = tags.number(TiffTags.RESOLUTION_UNIT).orElse(2.0);
        var xr = tags.number(TiffTags.X_RESOLUTION);
        var yr = tags.number(TiffTags.Y_RESOLUTION);
        if (xr.isEmpty() || yr.isEmpty()) {
            return;
        }
        double x = xr.get();
        double y = yr.get();
        b.attribute("tiff.x_resolution", Double.toString(x));
        b.attribute("tiff.y_resolution", Double.toString(y));
        b.attribute("tiff.resolution_unit", fmt(unit));
        double mmPerUnit = Double.NaN;
        if (unit == 3) {
            mmPerUnit = 10;
        } else if (unit == 1 && tags.description != null) {
            Matcher m = IMAGEJ_UNIT.matcher(tags.description);
            if (m.find()) {
                String u = m.group(1).toLowerCase(Locale.ROOT);
                mmPerUnit = switch (u) {
                    case "mm", "millimeter", "millimetre" -> 1;
                    case "cm", "centimeter", "centimetre" -> 10;
                    case "um", "micron", "microns", "\\u00b5m", "µm" -> 1e-3;
                    default -> Double.NaN;
                };
            }
        }
        if (Double.isNaN(mmPerUnit)) {
            return;
        }
        if (!(x > 0) || !(y > 0) || !Double.isFinite(x) || !Double.isFinite(y)) {
            warnings.accept(file + ": TIFF resolution " + x + " x " + y + " is not positive; unit spacing used");
            return;
        }
        double sx = mmPerUnit / x;
        double sy = mmPerUnit / y;
        try {
            b.affine(Affine.ofSpacing(CoordinateSystem.LPS, new double[] {sx, sy, 1}, new double[] {0, 0, 0}));
        } catch (IllegalArgumentException e) {
            warnings.accept(file + ": TIFF resolution gives spacing " + sx + " x " + sy + " mm; unit spacing used");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
