package dev.medsam.examples.cli;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.examples.eval.ChallengeFolder;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.core.testing.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command that runs a model, with the LiteMedSAM fixture checkpoint (random weights, the published layout):
 * the pipeline comes from the checkpoint, and the outputs equal the reference's (litemedsam-parity/README.md
 * tolerances) where the fixtures have them.
 */
class LiteMedSamCommandsTest {

    private static final String DIR = "fixtures/litemedsam-parity/";

    @TempDir
    Path dir;

    private static String lite() {
        return Fixtures.require(DIR + "weights/lite_medsam_random.pth").toString();
    }

    private static String fixture(String name) {
        return Fixtures.require(DIR + name).toString();
    }

    @Test
    void encodeTakesThe256InputAndRefusesThe1024One() throws IOException {
        Path out = dir.resolve("emb.npy");
        CliRun r = CliRun.of("encode", "--checkpoint", lite(), "--input", fixture("ct_wide/input.npy"),
                "--save-embedding", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("(1, 256, 64, 64) (litemedsam)"), r.out());
        NpyArray emb = Npy.read(out);
        Tolerance.assertClose("encode embedding", Npy.read(Path.of(fixture("ct_wide/embeddings.npy"))).toFloatArray(),
                emb.toFloatArray(), 5e-5);

        Path big = dir.resolve("big.npy");
        Npy.write(big, NpyArray.ofFloats(new float[3 * 1024 * 1024], 1, 3, 1024, 1024));
        CliRun wrong = CliRun.of("encode", "--checkpoint", lite(), "--input", big.toString(), "--save-embedding",
                dir.resolve("no.npy").toString(), "--threads", "2"); // the same options: the network built above
        assertEquals(1, wrong.exitCode(), wrong.toString());
        assertEquals(1, wrong.err().strip().split("\\R").length, wrong.err());
        assertTrue(wrong.err().contains("(1, 3, 256, 256)"), wrong.err());
        assertFalse(Files.exists(dir.resolve("no.npy")));
    }

    @Test
    void segmentWithBoxesEqualsTheReferenceSegsAndLogits() throws IOException {
        Path labels = dir.resolve("labels.npy");
        Path logits = dir.resolve("logits.npy");
        CliRun r = CliRun.of("segment", "--checkpoint", lite(), "--image", fixture("ct_wide/image_orig_u8.npy"),
                "--box", "80,60,350,270", "--box", "300,100,460,230", "--out", labels.toString(), "--save-logits",
                logits.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("pipeline lite_medsam, litemedsam"), r.out());
        Tolerance.assertClose("segment logits", Npy.read(Path.of(fixture("ct_wide/lowres.npy"))).toFloatArray(),
                Npy.read(logits).toFloatArray(), 2e-4);
        NpyArray got = Npy.read(labels);
        NpyArray want = Npz.read(Path.of(fixture("ct_wide/segs/case_2d.npz")), "segs");
        assertArrayEquals(want.shape(), got.shape());
        float[] prob = Npy.read(Path.of(fixture("ct_wide/prob.npy"))).toFloatArray();
        int pixels = (int) want.size();
        for (int i = 0; i < pixels; i++) {
            if (got.get(i) != want.get(i)) {
                boolean nearHalf = Math.abs(prob[i] - 0.5f) < 1e-4 || Math.abs(prob[pixels + i] - 0.5f) < 1e-4;
                assertTrue(nearHalf, "pixel " + i + ": " + got.get(i) + ", the reference " + want.get(i));
            }
        }
    }

    @Test
    void segmentWithPointsAMaskInputAndMultimask() throws IOException {
        Path logits = dir.resolve("logits.npy");
        CliRun first = CliRun.of("segment", "-c", lite(), "--image", fixture("fundus_rgb/image_orig_u8.npy"),
                "--point", "350,240,1", "--point", "200,100,0", "--multimask", "--save-logits", logits.toString(),
                "--overlay", dir.resolve("overlay.png").toString());
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains(" of 3)"), first.out());
        assertArrayEquals(new int[] {1, 3, 256, 256}, Npy.read(logits).shape());
        // one candidate's logits back in as the mask input, with a box
        float[] all = Npy.read(logits).toFloatArray();
        float[] one = java.util.Arrays.copyOf(all, 256 * 256);
        Path mask = dir.resolve("mask_in.npy");
        Npy.write(mask, NpyArray.ofFloats(one, 256, 256));
        Path out = dir.resolve("refined.png");
        CliRun refine = CliRun.of("segment", "-c", lite(), "--image", fixture("fundus_rgb/image_orig_u8.npy"),
                "--box", "150,40,560,430", "--mask-input", mask.toString(), "--out", out.toString());
        assertEquals(0, refine.exitCode(), refine.toString());
        assertTrue(Files.size(out) > 0);
    }

    @Test
    void aViTPipelineOnALiteMedSamCheckpointFailsOnOneLine() {
        Path out = dir.resolve("mask.png");
        CliRun r = CliRun.of("segment", "-c", lite(), "--image", fixture("ct_wide/image_orig_u8.npy"), "--box",
                "80,60,350,270", "--pipeline", "medsam", "--out", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().strip().split("\\R").length, r.err());
        assertTrue(r.err().contains("--pipeline medsam") && r.err().contains("litemedsam"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void segment3dFollowsTheReferenceProtocol() throws IOException {
        Path out = dir.resolve("segs.npz");
        CliRun r = CliRun.of("segment3d", "-c", lite(), "-i", fixture("ct_3d/case_3d.npz"), "-o", out.toString(), "-q");
        assertEquals(0, r.exitCode(), r.toString());
        assertWithinReference(Npz.read(out, "segs"));
    }

    @Test
    void evalWritesTheReferenceSegs() throws IOException {
        ChallengeFolder f = new ChallengeFolder(dir.resolve("data"));
        MedSamNpz c = MedSamNpz.read(Path.of(fixture("ct_3d/case_3d.npz")));
        NpyArray reference = Npz.read(Path.of(fixture("ct_3d/segs/case_3d.npz")), "segs");
        NpyArray boxes = c.boxes().orElseThrow();
        double[][] rows = new double[boxes.dim(0)][6];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < 6; j++) {
                rows[i][j] = boxes.get(i, j);
            }
        }
        // the reference's own segs as ground truth: the DSC then measures parity
        f.write("3DBox_CT_lite.npz", c.imgs(), rows, reference, c.spacing().orElseThrow().toDoubleArray());
        Files.copy(Path.of(fixture("ct_3d/case_3d.npz")), f.images.resolve("3DBox_CT_lite.npz"),
                StandardCopyOption.REPLACE_EXISTING);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("eval", "--images", f.images.toString(), "--gt", f.gts.toString(), "--out", out.toString(),
                "--checkpoint", lite(), "--quiet");
        assertEquals(0, r.exitCode(), r.toString());
        assertWithinReference(Npz.read(out.resolve("3DBox_CT_lite.npz"), "segs"));
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        double dsc = Double.parseDouble(lines.get(1).split(",", -1)[1]);
        assertTrue(dsc > 0.998, lines.toString());
    }

    private static void assertWithinReference(NpyArray segs) throws IOException {
        NpyArray want = Npz.read(Path.of(fixture("ct_3d/segs/case_3d.npz")), "segs");
        assertArrayEquals(want.shape(), segs.shape());
        long differ = 0;
        for (long i = 0; i < want.size(); i++) {
            if (want.get(i) != segs.get(i)) {
                differ++;
            }
        }
        assertTrue(differ <= want.size() / 1000, differ + " of " + want.size() + " voxels differ from the reference");
    }

    @Test
    void demoRunsTheLiteMedSamPipeline() {
        Path out = dir.resolve("demo");
        CliRun r = CliRun.of("demo", "--checkpoint", lite(), "--out-dir", out.toString(), "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("pipeline: LITE_MEDSAM") && r.out().contains("preprocess to 256 x 256")
                && r.out().contains("stages (litemedsam, cpu)"), r.out());
        for (String name : List.of("overlay.png", "mask.png", "mask.nii.gz")) {
            assertTrue(Files.isRegularFile(out.resolve(name)), name);
        }
    }
}
