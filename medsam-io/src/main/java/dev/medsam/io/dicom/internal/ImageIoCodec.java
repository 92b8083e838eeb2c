package dev.medsam.io.dicom.internal;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * JPEG (TwelveMonkeys: baseline, extended, lossless) and JPEG 2000 (jai-imageio) frames through ImageIO. The
 * fragment bytes are fed through a {@link MemoryCacheImageInputStream}, so no temporary file is written.
 */
final class ImageIoCodec {

    private ImageIoCodec() {
    }

    static void decodeInto(byte[] frame, PixelDecoder.Codec codec, PixelModule m, byte[] out, int offset, String what)
            throws IOException {
        ImageReader reader = reader(codec, what);
        if (codec == PixelDecoder.Codec.JPEG_2000) {
            frame = fixTilePartCounts(codestream(frame, what));
        }
        try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(iis, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            if (w != m.columns() || h != m.rows()) {
                throw new IOException(what + ": the codestream is " + w + " x " + h + " pixels but Columns x Rows is "
                        + m.columns() + " x " + m.rows());
            }
            Raster raster;
            if (m.samplesPerPixel() == 1) {
                // Grey data: take the raster as coded, with no colour conversion.
                raster = reader.readRaster(0, null);
            } else {
                // Colour: let the codec convert YCbCr to RGB (what the decoded Photometric Interpretation becomes).
                BufferedImage img = reader.read(0);
                raster = img.getRaster();
            }
            if (raster.getWidth() != w || raster.getHeight() != h || raster.getNumBands() != m.samplesPerPixel()) {
                throw new IOException(what + ": decoded " + raster.getWidth() + " x " + raster.getHeight() + " x "
                        + raster.getNumBands() + " samples, expected " + m.columns() + " x " + m.rows() + " x "
                        + m.samplesPerPixel());
            }
            int bps = m.dataType().bytes();
            int spp = m.samplesPerPixel();
            int[] row = new int[w * spp];
            int minX = raster.getMinX();
            int minY = raster.getMinY();
            int p = offset;
            for (int y = 0; y < h; y++) {
                raster.getPixels(minX, minY + y, w, 1, row);
                for (int v : row) {
                    for (int b = 0; b < bps; b++) {
                        out[p++] = (byte) (v >>> (8 * b));
                    }
                }
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new IOException(what + ": " + reader.getClass().getSimpleName() + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Codecs throw unchecked exceptions on corrupt streams; callers are promised an IOException.
            throw new IOException(what + ": " + reader.getClass().getSimpleName() + " failed: " + e, e);
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: not a property of the stream, and not safe to carry on from
        } catch (Error e) {
            // jj2000 (JPEG 2000) signals some corrupt codestreams with Errors of its own, such as
            // NotImplementedError("Tile length larger than maximum supported"): still damaged input.
            throw new IOException(what + ": " + reader.getClass().getSimpleName() + " failed: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The raw codestream of a JPEG 2000 frame. DICOM wants a bare codestream, but some writers store a whole JP2 file;
     * the DICOM readers decode the codestream inside and ignore the JP2 boxes, so the contiguous codestream box
     * (jp2c) is taken out and decoded alone.
     */
    static byte[] codestream(byte[] frame, String what) throws IOException {
        boolean jp2 = frame.length >= 12 && frame[0] == 0 && frame[1] == 0 && frame[2] == 0 && frame[3] == 12
                && frame[4] == 'j' && frame[5] == 'P' && frame[6] == ' ' && frame[7] == ' ';
        if (!jp2) {
            return frame;
        }
        int p = 0;
        while (p + 8 <= frame.length) {
            long len = u32(frame, p);
            int header = 8;
            if (len == 1) {
                if (p + 16 > frame.length) {
                    break;
                }
                len = (u32(frame, p + 8) << 32) | u32(frame, p + 12);
                header = 16;
            } else if (len == 0) {
                len = frame.length - p;
            }
            if (len < header || len > frame.length - p) {
                break;
            }
            if (frame[p + 4] == 'j' && frame[p + 5] == 'p' && frame[p + 6] == '2' && frame[p + 7] == 'c') {
                return java.util.Arrays.copyOfRange(frame, p + header, (int) (p + len));
            }
            p += (int) len;
        }
        throw new IOException(what + ": the frame is a JP2 file without a readable contiguous codestream box (jp2c)");
    }

    /**
     * Corrects the tile-part counts (TNsot of each SOT marker) when they disagree with the tile-parts present. Some
     * encoders write one tile-part per quality layer but count one too few; jai-imageio believes the count and drops
     * the last layer, so a lossless YBR_RCT image came out lossy (off by up to 108 at letter edges), while OpenJPEG
     * (in GDCM and pydicom's plugins) decodes every tile-part present. A stream whose tile-parts cannot be walked is
     * returned unchanged, for the decoder to report.
     */
    static byte[] fixTilePartCounts(byte[] cs) {
        if (cs.length < 4 || (cs[0] & 0xFF) != 0xFF || (cs[1] & 0xFF) != 0x4F) {
            return cs;
        }
        int p = 2;
        // Main header: marker segments up to the first SOT.
        while (p + 4 <= cs.length && !((cs[p] & 0xFF) == 0xFF && (cs[p + 1] & 0xFF) == 0x90)) {
            if ((cs[p] & 0xFF) != 0xFF) {
                return cs;
            }
            p += 2 + (((cs[p + 2] & 0xFF) << 8) | (cs[p + 3] & 0xFF));
        }
        java.util.Map<Integer, java.util.List<Integer>> sots = new java.util.HashMap<>();
        while (p + 12 <= cs.length && (cs[p] & 0xFF) == 0xFF && (cs[p + 1] & 0xFF) == 0x90) {
            int tile = ((cs[p + 4] & 0xFF) << 8) | (cs[p + 5] & 0xFF);
            long psot = u32(cs, p + 6);
            sots.computeIfAbsent(tile, t -> new java.util.ArrayList<>()).add(p);
            if (psot == 0) {
                break; // the last tile-part runs to EOC
            }
            if (psot < 14 || psot > cs.length - p) {
                return cs;
            }
            p += (int) psot;
        }
        byte[] out = null;
        for (java.util.List<Integer> parts : sots.values()) {
            int n = parts.size();
            for (int at : parts) {
                int declared = cs[at + 11] & 0xFF;
                if (declared != 0 && declared < n && n <= 255) {
                    if (out == null) {
                        out = cs.clone();
                    }
                    for (int a : parts) {
                        out[a + 11] = (byte) n;
                    }
                    break;
                }
            }
        }
        return out == null ? cs : out;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL);
    }

    private static ImageReader reader(PixelDecoder.Codec codec, String what) throws IOException {
        String format = codec == PixelDecoder.Codec.JPEG ? "jpeg" : "jpeg2000";
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        ImageReader fallback = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            // The JDK's own JPEG reader decodes neither 12-bit nor lossless JPEG; prefer TwelveMonkeys'.
            if (codec != PixelDecoder.Codec.JPEG || r.getClass().getName().startsWith("com.twelvemonkeys")) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return r;
            }
            if (fallback == null) {
                fallback = r;
            } else {
                r.dispose();
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw new IOException(what + ": no ImageIO reader for " + format + " is on the class path");
    }
}
