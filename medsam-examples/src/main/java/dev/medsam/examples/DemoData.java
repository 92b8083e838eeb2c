package dev.medsam.examples;

import dev.medsam.core.Box;
import dev.medsam.io.files.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The data bundled with the examples, so that the demo, the JShell quick start and the example programs run on a
 * fresh clone with nothing downloaded: one real CT slice (BSD-3-Clause, from dcmqi's test data; see
 * {@code SOURCES.md} beside it in the jar) with a box around its liver, and the tiny test checkpoint (random
 * weights: its masks are not meaningful).
 *
 * <p>The files live in the examples jar; {@link #ctSlice()} and {@link #tinyCheckpoint()} copy them once per process
 * into a temporary folder (removed when the JVM exits), because the readers take files. Thread-safe.
 */
public final class DemoData {

    /**
     * The liver on {@link #ctSlice()}, in pixels (x = column, y = row), as MedSAM's {@code [x_min, y_min, x_max,
     * y_max]}. Derived once from the liver segmentation that belongs to this slice (dcmqi's
     * {@code data/segmentations/liver.dcm}): {@code DicomSegmentation.labelVolume(series)} on the 3-slice series read
     * with this project's DICOM reader, slice index 2 in position order (= this file, 01.dcm); its liver pixels span
     * columns 81..348 and rows 147..364 (35,220 pixels). This tight box is what MedSAM's inference scripts derive
     * from a ground-truth mask.
     */
    public static final Box LIVER_BOX = new Box(81, 147, 348, 364);

    /** Resource name of the CT slice. */
    public static final String CT_SLICE_RESOURCE = "/dev/medsam/examples/demo/ct_slice.dcm";

    /** Resource name of the tiny test checkpoint. */
    public static final String TINY_CHECKPOINT_RESOURCE = "/dev/medsam/examples/demo/tiny_sam.pth";

    private static final Map<String, Path> EXTRACTED = new HashMap<>();
    private static Path folder;

    private DemoData() {
    }

    /**
     * The bundled CT slice as a DICOM file: axial abdomen, 512 x 512, int16 with rescale -1024 (HU), pixel spacing
     * 0.810547 mm, modality CT.
     *
     * @throws IOException if it cannot be copied out of the jar
     */
    public static Path ctSlice() throws IOException {
        return extract(CT_SLICE_RESOURCE, "ct_slice.dcm");
    }

    /**
     * The bundled tiny SAM checkpoint ({@code .pth}, 22 MB): SAM's layout with a small image encoder and seeded random
     * weights. Everything runs with it, but its masks are not meaningful; use {@code medsam_vit_b.pth} for real
     * segmentation.
     *
     * @throws IOException if it cannot be copied out of the jar
     */
    public static Path tinyCheckpoint() throws IOException {
        return extract(TINY_CHECKPOINT_RESOURCE, "tiny_sam.pth");
    }

    private static synchronized Path extract(String resource, String name) throws IOException {
        Path done = EXTRACTED.get(resource);
        if (done != null && Files.isRegularFile(done)) {
            return done;
        }
        if (folder == null || !Files.isDirectory(folder)) {
            folder = Files.createTempDirectory("medsam-demo-data");
            folder.toFile().deleteOnExit(); // registered first, so deleted after the files in it
        }
        Path target = folder.resolve(name);
        try (InputStream in = DemoData.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("the examples jar has no resource " + resource
                        + "; rebuild medsam-examples (mvn -DskipTests package)");
            }
            AtomicFiles.write(target, in::transferTo);
        }
        target.toFile().deleteOnExit();
        EXTRACTED.put(resource, target);
        return target;
    }
}
