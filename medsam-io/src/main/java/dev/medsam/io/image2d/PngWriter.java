package dev.medsam.io.image2d;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * Writes a 2D {@link MedicalImage} as a PNG: uint8 grey (masks, label maps), uint8 RGB (overlays) or uint16
 * grey. Stored values are written unchanged (no rescale, no windowing). The file appears complete or not at
 * all (temporary file in the same folder, then a move). Thread-safe (stateless).
 * <pre>{@code
 * PngWriter.write(maskImage, Path.of("mask.png"));
 * }</pre>
 */
public final class PngWriter {

    private PngWriter() {
    }

    /**
     * Writes {@code image} (dims (columns, rows), or more dims that are all 1) to {@code file}.
     *
     * @throws IllegalArgumentException if the image is not 2D uint8 with 1 or 3 components or uint16 grey
     * @throws IOException              if the file cannot be written
     */
    public static void write(MedicalImage image, Path file) throws IOException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(file, "file");
        for (int a = 2; a < image.rank(); a++) {
            if (image.dim(a) != 1) {
                throw new IllegalArgumentException("a PNG is 2D; the image has dims " + Arrays.toString(image.dims()));
            }
        }
        int c = image.components();
        DataType t = image.dataType();
        boolean ok = (t == DataType.UINT8 && (c == 1 || c == 3)) || (t == DataType.UINT16 && c == 1);
        if (!ok) {
            throw new IllegalArgumentException("PNG writing takes uint8 grey or RGB, or uint16 grey; the image is "
                    + t.numpyName() + " with " + c + " components");
        }
        BufferedImage img = toBufferedImage(image);
        AtomicFiles.write(file, out -> {
            Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("png");
            if (!it.hasNext()) {
                throw new IOException("no ImageIO PNG writer is available");
            }
            ImageWriter writer = it.next();
            try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(null, new IIOImage(img, null, null), null);
            } finally {
                writer.dispose();
            }
        });
    }

    private static BufferedImage toBufferedImage(MedicalImage image) {
        int w = image.width();
        int h = image.height();
        int c = image.components();
        ByteBuffer data = image.data();
        if (image.dataType() == DataType.UINT16) {
            short[] v = new short[w * h];
            data.asShortBuffer().get(v);
            ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false,
                    Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
            WritableRaster r = Raster.createInterleavedRaster(new DataBufferUShort(v, v.length), w, h, w, 1,
                    new int[] {0}, null);
            return new BufferedImage(cm, r, false, null);
        }
        byte[] v = new byte[w * h * c];
        data.get(v);
        ColorSpace cs = ColorSpace.getInstance(c == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        ComponentColorModel cm = new ComponentColorModel(cs, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster r = Raster.createInterleavedRaster(new DataBufferByte(v, v.length), w, h, w * c, c,
                c == 1 ? new int[] {0} : new int[] {0, 1, 2}, null);
        return new BufferedImage(cm, r, false, null);
    }
}
