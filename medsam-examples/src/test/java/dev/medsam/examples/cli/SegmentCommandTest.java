package dev.medsam.examples.cli;

import dev.medsam.core.Prompts;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.examples.ParityFixtures;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.Npy;
import dev.medsam.io.numpy.NpyArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.medsam.examples.ParityFixtures.check;
import static dev.medsam.examples.ParityFixtures.floats;
import static dev.medsam.examples.ParityFixtures.part;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medsam segment} run as a user would, with the tiny checkpoint on the TensorFlow backend: every parity
 * case reproduced from the files it writes, geometry of NIfTI slices, timings, and the errors for bad options
 * and bad files.
 */
class SegmentCommandTest {

    private static final int PIXELS = 512 * 512;

    @TempDir
    static Path shared;

    private static Path png;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeThePng() throws IOException {
        if (Fixtures.willSkip()) {
            return; // each test skips with the reason in requireFixtures(), never as "Tests run: 0"
        }
        png = shared.resolve("img_demo.png");
        MedicalImages.write(ParityFixtures.tinyImage(), png);
        assertArrayEquals(bytes(ParityFixtures.tinyImage()), bytes(MedicalImages.read(png).image()), "PNG round trip");
    }

    @BeforeEach
    void requireFixtures() {
        Fixtures.require("fixtures/sam-parity/tiny/image_orig_u8.npy");
    }

    private static byte[] bytes(MedicalImage img) {
        byte[] b = new byte[img.data().remaining()];
        img.data().get(b);
        return b;
    }

    private static String tiny() {
        return Fixtures.samParity("weights/tiny_sam.pth").toString();
    }

    /** The options that give a case's prompts, from the same manifest the session test uses. */
    static List<String> promptOptions(String c) throws IOException {
        List<Prompts> prompts = ParityFixtures.prompts("tiny", c);
        List<String> args = new ArrayList<>();
        for (Prompts p : prompts) {
            p.box().ifPresent(b -> {
                args.add("--box");
                args.add(String.format(Locale.ROOT, "%s,%s,%s,%s", b.x0(), b.y0(), b.x1(), b.y1()));
            });
        }
        // the CLI gives every object the same points: true of every fixture case
        for (var pt : prompts.get(0).points()) {
            args.add("--point");
            args.add(String.format(Locale.ROOT, "%s,%s,%d", pt.x(), pt.y(), pt.label().samLabel()));
        }
        if (c.equals("mask_box")) {
            args.add("--mask-input");
            args.add(ParityFixtures.file("tiny/mask_box/mask_input.npy").toString());
        }
        return args;
    }

    static Stream<Arguments> cases() {
        return ParityFixtures.TINY_CASES.stream()
                .flatMap(c -> Stream.of(Arguments.of(c, false), Arguments.of(c, true)));
    }

    /**
     * Each case through the command line: the image as the fixture's .npy for "box", as a PNG for the others;
     * logits, IoU-chosen probabilities, the label map and (for "box") the embedding compared with the reference.
     */
    @ParameterizedTest(name = "{0} multimask={1}")
    @MethodSource("cases")
    void reproducesTheParityCase(String c, boolean multimask) throws IOException {
        boolean npyInput = c.equals("box");
        Path image = npyInput ? ParityFixtures.file("tiny/image_orig_u8.npy") : png;
        Path logits = dir.resolve("logits.npy");
        Path prob = dir.resolve("prob.npy");
        Path labels = dir.resolve(npyInput ? "labels.npy" : "labels.png");
        Path embedding = dir.resolve("embedding.npy");
        List<String> args = new ArrayList<>(List.of("segment", "--checkpoint", tiny(), "--image", image.toString(),
                "--threads", "2", "--save-logits", logits.toString(), "--save-prob", prob.toString(),
                "--out", labels.toString()));
        args.addAll(promptOptions(c));
        if (multimask) {
            args.add("--multimask");
        }
        if (npyInput) {
            args.addAll(List.of("--save-embedding", embedding.toString()));
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());

        String s = multimask ? "multi" : "single";
        int objects = c.equals("box3") ? 3 : 1;
        int masks = multimask ? 3 : 1;
        NpyArray l = Npy.read(logits);
        assertArrayEquals(new int[] {objects, masks, 256, 256}, l.shape());
        check("cli " + c + "/lowres_" + s, floats("tiny/" + c + "/lowres_" + s + ".npy"), l.toFloatArray(), 1e-4);

        NpyArray p = Npy.read(prob);
        assertArrayEquals(new int[] {objects, 512, 512}, p.shape());
        float[] probs = p.toFloatArray();
        if (!multimask && (c.equals("box") || c.equals("box3"))) {
            check("cli " + c + "/prob", floats("tiny/" + c + "/prob.npy"), probs, 1e-5);
        }
        if (multimask) {
            // the saved probabilities are those of the mask the reference's IoU ranks first
            float[] iou = floats("tiny/" + c + "/iou_multi.npy");
            Matcher m = Pattern.compile("\\(mask (\\d) of 3\\)").matcher(r.out());
            for (int b = 0; b < objects; b++) {
                assertTrue(m.find(), r.out());
                int best = 0;
                for (int k = 1; k < 3; k++) {
                    best = iou[b * 3 + k] > iou[b * 3 + best] ? k : best;
                }
                assertEquals(best + 1, Integer.parseInt(m.group(1)), "object " + (b + 1) + "'s chosen mask");
            }
        }

        // the label map: later objects over earlier ones, pixels where the probability is above 0.5
        byte[] written = npyInput ? ParityFixtures.bytes(Npy.read(labels)) : bytes(readGrey(labels));
        float[] refProb = !multimask && (c.equals("box") || c.equals("box3")) ? floats("tiny/" + c + "/prob.npy") : probs;
        byte[] refMask = !multimask && (c.equals("box") || c.equals("box3"))
                ? ParityFixtures.bytes(ParityFixtures.array("tiny/" + c + "/mask.npy")) : null;
        int excused = 0;
        for (int i = 0; i < PIXELS; i++) {
            int expected = 0;
            boolean nearHalf = false;
            for (int b = 0; b < objects; b++) {
                float pb = refProb[b * PIXELS + i];
                boolean in = refMask != null ? refMask[b * PIXELS + i] != 0 : pb > 0.5f;
                // .npy holds labels 1..N; .png shows label k of N as the visible grey level round(255 k / N)
                expected = in ? (npyInput ? b + 1 : (int) Math.round(255.0 * (b + 1) / objects)) : expected;
                nearHalf |= Math.abs(pb - 0.5) < ParityFixtures.MASK_MARGIN;
            }
            if ((written[i] & 0xFF) != expected) {
                assertTrue(nearHalf, "label at pixel " + i + ": " + written[i] + ", expected " + expected);
                excused++;
            }
        }
        System.out.printf("parity cli %s/labels (%s) %d differing pixels, all within 1e-04 of p = 0.5%n", c, s, excused);

        if (npyInput) {
            NpyArray e = Npy.read(embedding);
            assertArrayEquals(new int[] {1, 256, 64, 64}, e.shape());
            check("cli tiny/image_embeddings", floats("tiny/image_embeddings.npy"), e.toFloatArray(), 1e-4);
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(npyInput ? 4 : 3, left.count(), "only the outputs are left in the folder");
        }
    }

    private static MedicalImage readGrey(Path file) throws IOException {
        MedicalImage img = MedicalImages.read(file).image();
        assertEquals(DataType.UINT8, img.dataType());
        assertEquals(1, img.components());
        assertArrayEquals(new int[] {512, 512}, img.dims());
        return img;
    }

    @Test
    void aNiftiSliceKeepsItsGeometryAndBoxesAreClippedWithAWarning() throws IOException {
        Path mr = Fixtures.require("data/nifti/balls1_T1.nii.gz");
        MedicalImage source = MedicalImages.read(mr).image();
        assertArrayEquals(new int[] {80, 80, 10}, source.dims());
        Path labels = dir.resolve("slice5.nii.gz");
        Path overlay = dir.resolve("overlay.png");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", mr.toString(), "--slice", "5",
                "--box", "20,-10,60,50", "--modality", "mr", "--out", labels.toString(), "--overlay",
                overlay.toString(), "--timings", "--warmup", "1", "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("box 20,-10,60,50 reaches outside the 80x80 image; clipped to 20,0,60,50"),
                r.err());
        for (String stage : List.of("load", "preprocess", "encode", "decode", "postprocess")) {
            assertTrue(Pattern.compile("(?m)^" + stage + ": \\d+\\.\\d\\d s$").matcher(r.out()).find(),
                    stage + " timing missing: " + r.out());
        }
        MedicalImage written = MedicalImages.read(labels).image();
        assertEquals(DataType.UINT8, written.dataType());
        assertEquals(80, written.width());
        assertEquals(80, written.height());
        assertEquals(1, written.voxelCount() / (80 * 80));
        MedicalImage plane = source.plane(2, 5, 0);
        assertTrue(plane.affine(CoordinateSystem.RAS).approximatelyEquals(written.affine(CoordinateSystem.RAS), 1e-4),
                "written " + written.affine(CoordinateSystem.RAS) + ", slice " + plane.affine(CoordinateSystem.RAS));
        for (long i = 0; i < written.valueCount(); i++) {
            assertTrue(written.get(i) == 0 || written.get(i) == 1);
        }
        MedicalImage ov = MedicalImages.read(overlay).image();
        assertArrayEquals(new int[] {80, 80}, ov.dims());
        assertEquals(3, ov.components());
    }

    @Test
    void aSliceOfADicomSeriesGetsTheCtWindowFromTheWholeSeriesAndKeepsItsGeometry() throws IOException {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        MedicalImage volume = MedicalImages.read(series).image();
        assertEquals(3, volume.dim(2));
        Path labels = dir.resolve("liver.nii.gz");
        Path prob = dir.resolve("prob.npy");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", series.toString(), "--slice", "1",
                "--box", "79,145,350,366", "--out", labels.toString(), "--save-prob", prob.toString(),
                "--threads", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("image 512x512 int16, preset soft-tissue, pipeline medsam, custom"), r.out());
        assertTrue(r.out().contains("wrote " + labels + " (--out), " + prob + " (--save-prob)"), r.out());
        MedicalImage written = MedicalImages.read(labels).image();
        MedicalImage plane = volume.plane(2, 1, 0);
        assertTrue(plane.affine(CoordinateSystem.RAS).approximatelyEquals(written.affine(CoordinateSystem.RAS), 1e-4),
                "written " + written.affine(CoordinateSystem.RAS) + ", slice " + plane.affine(CoordinateSystem.RAS));
        // the label map is the probability above 0.5
        float[] p = Npy.read(prob).toFloatArray();
        assertEquals(512 * 512, p.length);
        for (int i = 0; i < p.length; i++) {
            assertEquals(p[i] > 0.5f ? 1.0 : 0.0, written.get(i), "pixel " + i);
        }
    }

    @Test
    void aDetachedNrrdMaskIsStagedWithItsDataFile() throws IOException {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Path labels = dir.resolve("liver.nhdr");
        Path overlay = dir.resolve("overlay.png");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", series.toString(), "--slice", "1",
                "--box", "79,145,350,366", "--out", labels.toString(), "--overlay", overlay.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.readString(labels).contains("data file: liver.raw\n"), Files.readString(labels));
        MedicalImage mask = MedicalImages.read(labels).image();
        MedicalImage plane = MedicalImages.read(series).image().plane(2, 1, 0);
        assertArrayEquals(plane.dims(), mask.dims());
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of("liver.nhdr", "liver.raw", "overlay.png"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void modalityChoosesThePreset() {
        picocli.CommandLine cl = MedSamCommand.newCommandLine();
        MedicalImage u8 = MedicalImage.builder(DataType.UINT8, 2, 2).data(java.nio.ByteBuffer.wrap(new byte[4])).build();
        MedicalImage i16 = MedicalImage.builder(DataType.INT16, 2, 2).modality("CT")
                .data(java.nio.ByteBuffer.wrap(new byte[8])).build();
        assertEquals("as-is", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, "other"), u8).name());
        assertEquals("percentile", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, "other"), i16).name());
        assertEquals("percentile", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, "MR"), u8).name());
        assertEquals("soft-tissue", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, "ct"), u8).name());
        assertEquals("soft-tissue", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, null), i16).name());
        assertEquals("as-is", SegmentCommand.preset(SegmentCommand.presetChoice(cl, null, null), u8).name());
        assertEquals("lung", SegmentCommand.preset(SegmentCommand.presetChoice(cl, "lung", null), u8).name());
        assertEquals("-500.0,1400.0",
                SegmentCommand.preset(SegmentCommand.presetChoice(cl, "-500,1400", "ct"), i16).name());
        assertThrows(picocli.CommandLine.ParameterException.class,
                () -> SegmentCommand.presetChoice(cl, "bone", "other"));
    }

    @Test
    void aVolumeNeedsASliceInRange() throws IOException {
        Path mr = Fixtures.require("data/nifti/balls1_T1.nii.gz");
        Path out = dir.resolve("x.png");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", mr.toString(), "--box", "1,1,9,9",
                "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is a volume of dims [80, 80, 10]") && r.err().contains("--slice K (0..9"),
                r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", mr.toString(), "--slice", "10", "--box",
                "1,1,9,9", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--slice 10 is outside 0..9 along axis 2"), r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", png.toString(), "--slice", "3", "--box",
                "1,1,9,9", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is a 2D image (512x512)"), r.err());
        assertFalse(Files.exists(out));
    }

    static Stream<Arguments> malformedOptions() {
        return Stream.of(
                Arguments.of(List.of("--box", "10,10,5,20"), "is empty or inverted"),
                Arguments.of(List.of("--box", "10,10,20,10"), "is empty or inverted"),
                Arguments.of(List.of("--box", "10,NaN,20,20"), "'NaN' is not a finite number"),
                Arguments.of(List.of("--box", "10,10,20,Infinity"), "'Infinity' is not a finite number"),
                Arguments.of(List.of("--box", "1,2,3"), "--box 1,2,3: expected X0,Y0,X1,Y1"),
                Arguments.of(List.of("--box", "1,2,3,x"), "'x' is not a number"),
                Arguments.of(List.of("--point", "10,20"), "--point 10,20: expected X,Y,LABEL"),
                Arguments.of(List.of("--point", "10,20,2"), "the label must be 1 (object) or 0 (background), got '2'"),
                Arguments.of(List.of("--point", "10,20,-1"), "got '-1'"),
                Arguments.of(List.of("--point", "NaN,20,1"), "'NaN' is not a finite number"),
                Arguments.of(List.of("--box", "1,1,9,9", "--modality", "pet"), "--modality must be ct, mr or other, got 'pet'"),
                Arguments.of(List.of("--box", "1,1,9,9", "--window", "lung", "--modality", "mr"), "cannot go with --modality mr"),
                Arguments.of(List.of("--box", "1,1,9,9", "--window", "liver"), "unknown CT window 'liver'"),
                Arguments.of(List.of("--box", "1,1,9,9", "--device", "tpu"), "--device must be cpu, gpu or auto, got 'tpu'"),
                Arguments.of(List.of("--box", "1,1,9,9", "--pipeline", "sam2"), "--pipeline must be medsam, sam or litemedsam, got 'sam2'"),
                Arguments.of(List.of("--box", "1,1,9,9", "--threads", "-1"), "--threads must be 0 or more, got -1"),
                Arguments.of(List.of("--box", "1,1,9,9", "--warmup", "-2"), "--warmup must be 0 or more, got -2"),
                Arguments.of(List.of("--box", "1,1,9,9", "--axis", "3"), "--axis must be 0, 1 or 2, got 3"),
                Arguments.of(List.of(), "give at least one --box or --point"),
                Arguments.of(List.of("--box", "600,600,700,700"), "--box 600,600,700,700 lies outside the 512x512 image"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedOptions")
    void malformedOptionValuesAreUsageErrors(List<String> options, String message) throws IOException {
        Path out = dir.resolve("labels.png");
        List<String> args = new ArrayList<>(List.of("segment", "--checkpoint", tiny(), "--image", png.toString(),
                "--out", out.toString()));
        args.addAll(options);
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains(message), "expected '" + message + "' in\n" + r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void outputsAreCheckedBeforeAnythingRuns() {
        String img = png.toString();
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", img, "--box", "1,1,9,9");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("nothing to write"), r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", img, "--box", "1,1,9,9", "--out",
                dir.resolve("labels.jpg").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("the name must end in .png, .npy, .nii.gz, .nii"), r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", img, "--box", "1,1,9,9", "--save-prob",
                dir.resolve("prob.png").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--save-prob") && r.err().contains("must end in .npy"), r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", img, "--box", "1,1,9,9", "--out",
                dir.resolve("a.png").toString(), "--overlay", dir.resolve("a.png").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("names the same file as " + dir.resolve("a.png") + " (--out)"), r.err());
        r = CliRun.of("segment", "--checkpoint", tiny(), "--image", img, "--box", "1,1,9,9", "--out",
                dir.resolve("missing/a.png").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not exist"), r.err());
        List<String> many = new ArrayList<>(List.of("segment", "--checkpoint", tiny(), "--image", img, "--out",
                dir.resolve("a.png").toString()));
        for (int i = 0; i < 256; i++) {
            many.add("--box");
            many.add("1,1,9,9");
        }
        r = CliRun.of(many.toArray(String[]::new));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("got 256 boxes"), r.err());
    }

    static Stream<Arguments> badFiles() {
        float[] nan = new float[64];
        nan[8 + 3] = Float.NaN;
        float[] inf = new float[64];
        inf[5 * 8 + 6] = Float.NEGATIVE_INFINITY;
        return Stream.of(
                Arguments.of("nan.npy", NpyArray.ofFloats(nan, 8, 8), "the value at (x 3, y 1) is NaN"),
                Arguments.of("inf.npy", NpyArray.ofFloats(inf, 8, 8), "the value at (x 6, y 5) is -Infinity"),
                Arguments.of("rgba.npy", NpyArray.ofBytes(new byte[8 * 8 * 4], 8, 8, 4),
                        "shape (8, 8, 4) has 4 channel(s)"),
                Arguments.of("two.npy", NpyArray.ofBytes(new byte[8 * 8 * 2], 8, 8, 2),
                        "shape (8, 8, 2) has 2 channel(s)"),
                Arguments.of("empty.npy", NpyArray.ofFloats(new float[0], 0, 5), "[0, 5]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badImageContentFailsNamingTheValue(String name, NpyArray content, String message) throws IOException {
        Path image = dir.resolve(name);
        Npy.write(image, content);
        Path out = dir.resolve("labels.npy");
        Files.writeString(out, "an earlier result");
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", image.toString(), "--box", "1,1,6,6",
                "--out", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(message) && r.err().contains(name), "expected '" + message + "' in\n" + r.err());
        assertEquals("an earlier result", Files.readString(out), "a failed run must not touch existing outputs");
    }

    @Test
    void badMaskInputsFailNamingShapeAndType() throws IOException {
        Path f64 = dir.resolve("f64.npy");
        Npy.write(f64, NpyArray.ofDoubles(new double[256 * 256], 256, 256));
        Path three = dir.resolve("three.npy");
        Npy.write(three, NpyArray.ofFloats(new float[3 * 256 * 256], 1, 3, 256, 256));
        float[] v = new float[256 * 256];
        v[256 * 7 + 9] = Float.NaN;
        Path nan = dir.resolve("nan.npy");
        Npy.write(nan, NpyArray.ofFloats(v, 256, 256));
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "not numpy");
        String[][] cases = {
            {f64.toString(), "got float64 (256, 256)"},
            {three.toString(), "got float32 (1, 3, 256, 256)"},
            {nan.toString(), "value NaN at (row 7, column 9) is not finite"},
            {text.toString(), "text.npy"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", png.toString(), "--box", "1,1,9,9",
                    "--mask-input", c[0], "--out", dir.resolve("o.png").toString());
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().contains(c[1]), "expected '" + c[1] + "' in\n" + r.err());
        }
    }

    @Test
    void aFileThatIsNoImageFails() throws IOException {
        Path junk = dir.resolve("junk.png");
        Files.write(junk, "hello, not a picture".getBytes(StandardCharsets.US_ASCII));
        CliRun r = CliRun.of("segment", "--checkpoint", tiny(), "--image", junk.toString(), "--box", "1,1,9,9",
                "--out", dir.resolve("o.png").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("junk.png"), r.err());
    }

    @Test
    void stagedFilesAppearTogetherOrNotAtAll() throws IOException {
        Path first = dir.resolve("first.npy");
        Path second = dir.resolve("second.npy");
        Files.writeString(second, "old");
        StagedFiles failing = new StagedFiles();
        failing.add(first, f -> Files.writeString(f, "new first"));
        failing.add(second, f -> {
            Files.writeString(f, "half of it");
            throw new IOException("disk full");
        });
        IOException e = assertThrows(IOException.class, failing::commit);
        assertEquals("disk full", e.getMessage());
        assertFalse(Files.exists(first), "the first output must not appear when a later one fails");
        assertEquals("old", Files.readString(second));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(second), left.toList(), "no temporary files are left behind");
        }

        StagedFiles ok = new StagedFiles();
        ok.add(first, f -> Files.writeString(f, "new first"));
        ok.add(second, f -> Files.writeString(f, "new second"));
        ok.commit();
        assertEquals("new first", Files.readString(first));
        assertEquals("new second", Files.readString(second));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(2, left.count());
        }
    }

    @Test
    void theOverlayOutlinesEachObjectInItsOwnColourOverTheImage() {
        int w = 20;
        byte[] grey = new byte[w * w];
        Arrays.fill(grey, (byte) 100);
        MedicalImage image = MedicalImage.builder(DataType.UINT8, w, w).data(java.nio.ByteBuffer.wrap(grey)).build();
        byte[] a = new byte[w * w];
        byte[] b = new byte[w * w];
        for (int y = 5; y < 15; y++) {
            for (int x = 5; x < 15; x++) {
                a[y * w + x] = 1;
                b[y * w + x + 3] = x + 3 < w ? (byte) 1 : 0;
            }
        }
        MedicalImage ov = SegmentOutputs.overlay(image,
                List.of(dev.medsam.core.BinaryMask.of(w, w, a), dev.medsam.core.BinaryMask.of(w, w, b)));
        assertEquals(3, ov.components());
        int red = dev.medsam.io.image2d.Overlay.colour(0);
        int green = dev.medsam.io.image2d.Overlay.colour(1);
        assertEquals(red, rgb(ov, 5, 10), "left edge of object 1");
        assertEquals(0x646464, rgb(ov, 10, 10), "inside both objects: the image");
        assertEquals(0x646464, rgb(ov, 2, 2), "outside: the image");
        assertEquals(green, rgb(ov, 17, 10), "right edge of object 2");
        assertEquals(green, rgb(ov, 10, 5), "top edge where both overlap: the later object");
        assertEquals(red, rgb(ov, 6, 14), "bottom edge of object 1 outside object 2");

        List<Integer> colours = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            colours.add(dev.medsam.io.image2d.Overlay.colour(i));
        }
        assertEquals(40, colours.stream().distinct().count(), colours.toString());
    }

    private static int rgb(MedicalImage img, int x, int y) {
        int i = 3 * (y * img.width() + x);
        return (int) img.get(i) << 16 | (int) img.get(i + 1) << 8 | (int) img.get(i + 2);
    }
}
