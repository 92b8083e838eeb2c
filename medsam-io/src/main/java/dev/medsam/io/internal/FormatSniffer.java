package dev.medsam.io.internal;

import dev.medsam.io.ImageFormat;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.Limits;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Tells formats apart by their first bytes, never by the file name. The one place to add a format's
 * signature (DICOM: "DICM" at byte 128, checked before the others since its preamble is free-form).
 */
public final class FormatSniffer {

    private static final int PROBE = 544;

    private FormatSniffer() {
    }

    /**
     * The format of {@code file}.
     *
     * @throws MalformedImageException naming the first bytes if no supported format matches
     */
    public static ImageFormat detect(Path file) throws IOException {
        Limits.requireRegularFile(file);
        byte[] b;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), PROBE)) {
            b = in.readNBytes(PROBE);
        }
        if (b.length >= 132 && startsWith(java.util.Arrays.copyOfRange(b, 128, 132), 'D', 'I', 'C', 'M')) {
            return ImageFormat.DICOM;
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B) {
            byte[] inner;
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                inner = in.readNBytes(PROBE);
            } catch (IOException e) {
                throw new MalformedImageException(file, "corrupt gzip data: " + e.getMessage(), e);
            }
            ImageFormat f = nifti(inner);
            if (f == null) {
                throw new MalformedImageException(file, "is gzip-compressed but holds no NIfTI header (starts with "
                        + hex(inner) + ")");
            }
            return f;
        }
        ImageFormat f = nifti(b);
        if (f != null) {
            return f;
        }
        if (startsWith(b, 0x93, 'N', 'U', 'M', 'P', 'Y')) {
            return ImageFormat.NPY;
        }
        if (startsWith(b, 'P', 'K', 3, 4) || startsWith(b, 'P', 'K', 5, 6)) {
            return ImageFormat.NPZ;
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return ImageFormat.PNG;
        }
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return ImageFormat.JPEG;
        }
        if (startsWith(b, 'B', 'M')) {
            return ImageFormat.BMP;
        }
        if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)
                || startsWith(b, 'I', 'I', 43, 0) || startsWith(b, 'M', 'M', 0, 43)) {
            return ImageFormat.TIFF;
        }
        if (startsWith(b, 'N', 'R', 'R', 'D', '0', '0', '0')) {
            return ImageFormat.NRRD;
        }
        if (metaImage(b)) {
            return ImageFormat.METAIMAGE;
        }
        if (b.length >= 8 && (startsWith(b, 0x02, 0x00) || startsWith(b, 0x08, 0x00)) && b[3] == 0) {
            // A DICOM data set written without preamble: it opens with a group 0002 or 0008 element.
            return ImageFormat.DICOM;
        }
        throw new MalformedImageException(file, "is not a supported image format (NIfTI, NPY, NPZ, PNG, JPEG, BMP, "
                + "TIFF, DICOM, NRRD, MetaImage); it starts with " + hex(b));
    }

    /** NIfTI-1 or -2 if the bytes start with a NIfTI sizeof_hdr (348 or 540, either byte order). */
    private static ImageFormat nifti(byte[] b) {
        if (b.length < 4) {
            return null;
        }
        int le = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = Integer.reverseBytes(le);
        if (le == 348 || be == 348) {
            return ImageFormat.NIFTI1;
        }
        if (le == 540 || be == 540) {
            return ImageFormat.NIFTI2;
        }
        return null;
    }

    /** Keys MetaIO writes first in an image header (ObjectType almost always; NDims in hand-written ones). */
    private static final java.util.Set<String> META_KEYS = java.util.Set.of("objecttype", "objectsubtype", "ndims",
            "comment", "name", "id", "parentid", "transformtype", "dimsize", "elementtype", "binarydata",
            "compresseddata", "headersize", "elementspacing", "formtypename");

    /** MetaImage: a text header whose first line is {@code Key = Value} with a key MetaIO writes first. */
    private static boolean metaImage(byte[] b) {
        int i = 0;
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
            i++;
        }
        int start = i;
        while (i < b.length && (Character.isLetterOrDigit(b[i]) || b[i] == '_')) {
            i++;
        }
        String key = new String(b, start, i - start, java.nio.charset.StandardCharsets.US_ASCII);
        while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i < b.length && b[i] == '=' && META_KEYS.contains(key.toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != (prefix[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        if (b.length == 0) {
            return "nothing (empty file)";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x ", b[i] & 0xFF));
        }
        return sb.toString().trim();
    }
}
