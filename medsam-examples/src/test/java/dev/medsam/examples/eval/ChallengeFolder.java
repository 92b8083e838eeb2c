package dev.medsam.examples.eval;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;

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

    /**
     * A challenge folder under {@code root} built from the shared 3-slice CT: {@code 3DBox_CT_liver.npz} (the int16
     * volume, its liver box, ground truth and spacing) and {@code 2DBox_CT_slice.npz} (slice 1 windowed to soft
     * tissue as 8-bit RGB, its liver box and ground truth). What eval's and the Spark batch's tests run on; skips the
     * test when the shared fixtures are absent.
     */
    public static ChallengeFolder sharedCt(Path root) throws IOException {
        MedSamNpz ct = MedSamNpz.read(Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz"));
        ChallengeFolder f = new ChallengeFolder(root);
        f.write("3DBox_CT_liver.npz", ct.imgs(), new double[][] {{79, 145, 0, 350, 366, 2}}, ct.gts().orElseThrow(),
                ct.spacing().orElseThrow().toDoubleArray());

        MedicalImage slice = IntensityPreset.ctWindow("soft-tissue").apply(ct.image(SpacingOrder.ARRAY_ORDER)).plane(2, 1, 0);
        byte[] rgb = new byte[512 * 512 * 3];
        byte[] gt = new byte[512 * 512];
        NpyArray gts = ct.gts().orElseThrow();
        for (int i = 0; i < 512 * 512; i++) {
            byte v = (byte) slice.get(i);
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
            gt[i] = (byte) gts.get(512L * 512 + i);
        }
        f.write("2DBox_CT_slice.npz", NpyArray.ofBytes(rgb, 512, 512, 3), new double[][] {{80, 146, 349, 365}},
                NpyArray.ofBytes(gt, 512, 512), null);
        return f;
    }

    /** An int16 array (C order) of the given shape. */
    public static NpyArray int16(short[] values, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(values);
        return NpyArray.of(NpyDtype.INT16, shape, b);
    }
}
