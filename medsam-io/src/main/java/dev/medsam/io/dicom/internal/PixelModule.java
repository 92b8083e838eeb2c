package dev.medsam.io.dicom.internal;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;

import java.io.IOException;

/**
 * The Image Pixel module of one object, validated: what the pixel data must hold and how to read it.
 *
 * @param rows                number of rows
 * @param columns             number of columns
 * @param frames              number of frames (1 if absent)
 * @param samplesPerPixel     1 or 3
 * @param bitsAllocated       1, 8, 16, 32 or 64
 * @param bitsStored          bits used per value, at most bitsAllocated
 * @param highBit             the most significant stored bit
 * @param signed              PixelRepresentation 1 (two's complement)
 * @param planar              PlanarConfiguration 1 (colour by plane)
 * @param photometric         PhotometricInterpretation
 * @param floatingPoint       float or double pixel data (7FE0,0008/0009)
 */
public record PixelModule(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated, int bitsStored,
                          int highBit, boolean signed, boolean planar, String photometric, boolean floatingPoint) {

    /** Reads and checks the module from {@code ds}; {@code pixelTag} is the pixel data element found. */
    public static PixelModule of(Attributes ds, int pixelTag) throws IOException {
        String src = ds.source();
        int rows = require(ds, Tags.ROWS, "Rows");
        int cols = require(ds, Tags.COLUMNS, "Columns");
        if (rows <= 0 || rows > 65535 || cols <= 0 || cols > 65535) {
            throw new IOException(src + ": image size " + rows + " x " + cols + " (Rows (0028,0010) x Columns (0028,0011))"
                    + " is not valid");
        }
        int frames = ds.integer(Tags.NUMBER_OF_FRAMES).orElse(1);
        if (frames <= 0) {
            throw new IOException(src + ": Number of Frames (0028,0008) is " + frames);
        }
        int spp = ds.integer(Tags.SAMPLES_PER_PIXEL).orElse(1);
        if (spp != 1 && spp != 3) {
            throw new IOException(src + ": Samples per Pixel (0028,0002) is " + spp + "; only 1 and 3 are supported");
        }
        boolean floating = pixelTag == Tags.FLOAT_PIXEL_DATA || pixelTag == Tags.DOUBLE_FLOAT_PIXEL_DATA;
        int ba = floating ? (pixelTag == Tags.FLOAT_PIXEL_DATA ? 32 : 64) : require(ds, Tags.BITS_ALLOCATED, "Bits Allocated");
        if (!floating && ba != 1 && ba != 8 && ba != 16 && ba != 32) {
            throw new IOException(src + ": Bits Allocated (0028,0100) is " + ba + "; supported are 1, 8, 16 and 32");
        }
        int bs = floating ? ba : ds.integer(Tags.BITS_STORED).orElse(ba);
        if (bs < 1 || bs > ba) {
            throw new IOException(src + ": Bits Stored (0028,0101) is " + bs + " with Bits Allocated " + ba);
        }
        int hb = floating ? ba - 1 : ds.integer(Tags.HIGH_BIT).orElse(bs - 1);
        if (hb < bs - 1 || hb >= ba) {
            throw new IOException(src + ": High Bit (0028,0102) is " + hb + " with Bits Stored " + bs + " and Bits Allocated " + ba);
        }
        int pr = floating ? 1 : ds.integer(Tags.PIXEL_REPRESENTATION).orElse(0);
        if (pr != 0 && pr != 1) {
            throw new IOException(src + ": Pixel Representation (0028,0103) is " + pr);
        }
        int pc = spp == 3 ? ds.integer(Tags.PLANAR_CONFIGURATION).orElse(0) : 0;
        if (pc != 0 && pc != 1) {
            throw new IOException(src + ": Planar Configuration (0028,0006) is " + pc);
        }
        if (ba == 1 && spp != 1) {
            throw new IOException(src + ": 1-bit pixel data with " + spp + " samples per pixel is not valid");
        }
        String pi = ds.string(Tags.PHOTOMETRIC_INTERPRETATION).orElse(spp == 3 ? "RGB" : "MONOCHROME2");
        PixelModule m = new PixelModule(rows, cols, frames, spp, ba, bs, hb, pr == 1 && ba > 1, pc == 1, pi, floating);
        double bytes = (double) rows * cols * frames * spp * m.dataType().bytes();
        if (bytes > MedicalImage.MAX_BYTES) {
            throw new IOException(src + ": " + frames + " frame(s) (0028,0008) of " + rows + " x " + cols
                    + " (0028,0010)/(0028,0011) x " + spp + " " + m.dataType().numpyName() + " need " + (long) bytes
                    + " bytes, more than one image can hold");
        }
        return m;
    }

    private static int require(Attributes ds, int tag, String name) throws IOException {
        return ds.integer(tag).orElseThrow(() -> new IOException(ds.source() + ": " + name + " " + Tags.format(tag)
                + " is missing"));
    }

    /** The type the values are delivered in. */
    public DataType dataType() {
        if (floatingPoint) {
            return bitsAllocated == 32 ? DataType.FLOAT32 : DataType.FLOAT64;
        }
        return switch (bitsAllocated) {
            case 1 -> DataType.UINT8;
            case 8 -> signed ? DataType.INT8 : DataType.UINT8;
            case 16 -> signed ? DataType.INT16 : DataType.UINT16;
            default -> signed ? DataType.INT32 : DataType.UINT32;
        };
    }

    /** Values in one frame (rows x columns x samples). */
    public long frameValues() {
        return (long) rows * columns * samplesPerPixel;
    }

    /** Bytes of one decoded frame. */
    public long frameBytes() {
        return frameValues() * dataType().bytes();
    }

    /** Bytes of all decoded frames. */
    public long totalBytes() {
        return frameBytes() * frames;
    }
}
