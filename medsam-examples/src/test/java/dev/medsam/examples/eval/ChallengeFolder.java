package dev.medsam.examples.eval;

import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import dev.medsam.io.numpy.Npz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds small cases in the challenge layout: imgs/ and gts/ folders of npz files. */
public final class ChallengeFolder {

    public final Path images;
    public final Path gts;

    public ChallengeFolder(Path root) throws IOException {
        images = Files.createDirectories(root.resolve("imgs"));
        gts = Files.createDirectories(root.resolve("gts"));
    }

    /** Writes a case: imgs, boxes (float64, rows of 4 or 6), optional spacing to the image file; gts (+ spacing). */
    public void write(String name, NpyArray imgs, double[][] boxes, NpyArray labels, double[] spacing) throws IOException {
        Map<String, NpyArray> image = new LinkedHashMap<>();
        image.put("imgs", imgs);
        int columns = boxes.length == 0 ? 6 : boxes[0].length;
        double[] flat = new double[boxes.length * columns];
        for (int i = 0; i < boxes.length; i++) {
            System.arraycopy(boxes[i], 0, flat, i * columns, columns);
        }
        image.put("boxes", NpyArray.ofDoubles(flat, boxes.length, columns));
        if (spacing != null) {
            image.put("spacing", NpyArray.ofDoubles(spacing, spacing.length));
        }
        Npz.write(images.resolve(name), image, true);
        Map<String, NpyArray> gt = new LinkedHashMap<>();
        gt.put("gts", labels);
        if (spacing != null) {
            gt.put("spacing", NpyArray.ofDoubles(spacing, spacing.length));
        }
        Npz.write(gts.resolve(name), gt, true);
    }

    /** An int16 array (C order) of the given shape. */
    public static NpyArray int16(short[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(values);
        return NpyArray.of(NpyDtype.INT16, shape, b);
    }
}
