package dev.medsam.io.dicom.internal;

/**
 * How a data set and its pixel data are encoded.
 *
 * @param uid          the Transfer Syntax UID
 * @param name         a readable name for messages
 * @param explicitVr   whether elements carry their VR
 * @param bigEndian    whether binary values are big-endian
 * @param deflated     whether the data set after the file meta group is deflate-compressed
 * @param encapsulated whether pixel data is in compressed fragments
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian, boolean deflated,
                             boolean encapsulated) {

    public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    public static final String DEFLATED_LE = "1.2.840.10008.1.2.1.99";
    public static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
    public static final String RLE = "1.2.840.10008.1.2.5";
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_EXTENDED = "1.2.840.10008.1.2.4.51";
    public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
    public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
    public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";
    public static final String JPEG_LS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81";
    public static final String JPEG_2000_LOSSLESS = "1.2.840.10008.1.2.4.90";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";

    /** The transfer syntax for {@code uid}; unknown UIDs are taken as encapsulated explicit VR little endian. */
    public static TransferSyntax of(String uid) {
        return switch (uid) {
            case IMPLICIT_LE -> new TransferSyntax(uid, "Implicit VR Little Endian", false, false, false, false);
            case EXPLICIT_LE -> new TransferSyntax(uid, "Explicit VR Little Endian", true, false, false, false);
            case DEFLATED_LE -> new TransferSyntax(uid, "Deflated Explicit VR Little Endian", true, false, true, false);
            case EXPLICIT_BE -> new TransferSyntax(uid, "Explicit VR Big Endian", true, true, false, false);
            case RLE -> new TransferSyntax(uid, "RLE Lossless", true, false, false, true);
            case JPEG_BASELINE -> new TransferSyntax(uid, "JPEG Baseline", true, false, false, true);
            case JPEG_EXTENDED -> new TransferSyntax(uid, "JPEG Extended", true, false, false, true);
            case JPEG_LOSSLESS -> new TransferSyntax(uid, "JPEG Lossless", true, false, false, true);
            case JPEG_LOSSLESS_SV1 -> new TransferSyntax(uid, "JPEG Lossless SV1", true, false, false, true);
            case JPEG_LS_LOSSLESS -> new TransferSyntax(uid, "JPEG-LS lossless", true, false, false, true);
            case JPEG_LS_NEAR_LOSSLESS -> new TransferSyntax(uid, "JPEG-LS near-lossless", true, false, false, true);
            case JPEG_2000_LOSSLESS -> new TransferSyntax(uid, "JPEG 2000 lossless", true, false, false, true);
            case JPEG_2000 -> new TransferSyntax(uid, "JPEG 2000", true, false, false, true);
            default -> new TransferSyntax(uid, "unknown", true, false, false, true);
        };
    }
}
