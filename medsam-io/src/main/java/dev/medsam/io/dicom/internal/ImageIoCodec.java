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
        } finally {
            reader.dispose();
        }
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
