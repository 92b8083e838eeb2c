package dev.medsam.examples.cli;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Dciodvfy;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.examples.eval.ChallengeFolder;
import dev.medsam.io.dicom.DicomSegmentation;
import dev.medsam.io.dicom.DicomSeries;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medsam eval --dicom DIR}: a DICOM SEG beside each case's segs npz, on the case's DICOM source, holding the
 * same labels (read back through our reader) and clean under dciodvfy; cases whose imgs are not their source's voxels
 * in its order (flipped, cropped, another image) are refused before the model loads.
 */
class EvalDicomSegTest {

    @TempDir
    Path dir;

    private static String tiny() {
        return Fixtures.samParity("weights/tiny_sam.pth").toString();
    }

    /** The shared series' npz (imgs in HU, slices by position as our reader orders them), optionally altered. */
    private static MedSamNpz ct() throws IOException {
        return MedSamNpz.read(Fixtures.require("data/derived/ct_3slice_liver_medsam_style.npz"));
    }

    private static Path series() {
        return Fixtures.require("data/dicom/series_ct_3slice");
    }

    /** Slice 1 of the CT, windowed to 8-bit grey RGB (H, W, 3), as the challenge's 2D cases are stored. */
    private static byte[] rgbSlice(boolean flipRows) throws IOException {
        MedicalImage slice = IntensityPreset.ctWindow("soft-tissue").apply(ct().image(SpacingOrder.ARRAY_ORDER))
                .plane(2, 1, 0);
        byte[] rgb = new byte[512 * 512 * 3];
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                byte v = (byte) slice.get((long) (flipRows ? 511 - y : y) * 512 + x);
                for (int c = 0; c < 3; c++) {
                    rgb[3 * (y * 512 + x) + c] = v;
                }
            }
        }
        return rgb;
    }

    private CliRun eval(ChallengeFolder f, Path dicom, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("eval", "--images", f.images.toString(), "--gt",
                f.gts.toString(), "--out", out.toString(), "--checkpoint", tiny(), "--quiet"));
        if (dicom != null) {
            args.addAll(List.of("--dicom", dicom.toString()));
        }
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(new String[0]));
    }

    private static void copySeries(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(series())) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    private static byte[] bytes(MedicalImage image) {
        byte[] v = new byte[(int) image.valueCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) image.get(i);
        }
        return v;
    }

    private static byte[] bytes(NpyArray a) {
        double[] d = a.toDoubleArray();
        byte[] v = new byte[d.length];
        for (int i = 0; i < d.length; i++) {
            v[i] = (byte) d[i];
        }
        return v;
    }

    @Test
    void writesASegBesideEachCaseOnItsDicomSource() throws Exception {
        MedSamNpz ct = ct();
        ChallengeFolder f = new ChallengeFolder(dir.resolve("data"));
        f.write("3DBox_CT_liver.npz", ct.imgs(), new double[][] {{79, 145, 0, 350, 366, 2}}, ct.gts().orElseThrow(),
                ct.spacing().orElseThrow().toDoubleArray());
        byte[] gt2d = new byte[512 * 512];
        f.write("2DBox_CT_slice.npz", NpyArray.ofBytes(rgbSlice(false), 512, 512, 3),
                new double[][] {{80, 146, 349, 365}}, NpyArray.ofBytes(gt2d, 512, 512), null);
        Path dicom = dir.resolve("dicom");
        copySeries(dicom.resolve("3DBox_CT_liver"));
        Path slice1 = DicomSeries.open(series()).files().get(1).path();
        Files.copy(slice1, dicom.resolve("2DBox_CT_slice.dcm"));
        Path out = dir.resolve("out");

        CliRun r = eval(f, dicom, out, "--seg-label", "Liver");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("wrote 2 DICOM SEG files"), r.out());

        DicomSegmentation volume = DicomSegmentation.open(out.resolve("3DBox_CT_liver.dcm"));
        assertEquals(new DicomSegmentation.Segment(1, "Liver"), volume.segments().get(0));
        byte[] segs3d = bytes(Npz.read(out.resolve("3DBox_CT_liver.npz"), "segs"));
        assertTrue(java.util.stream.IntStream.range(0, segs3d.length).anyMatch(i -> segs3d[i] != 0), "a mask");
        assertArrayEquals(segs3d, bytes(volume.labelVolume(DicomSeries.open(dicom.resolve("3DBox_CT_liver")))),
                "the SEG holds the segs npz's labels, slice for slice");
        Dciodvfy.assertCleanSegmentation(out.resolve("3DBox_CT_liver.dcm"));

        DicomSegmentation plane = DicomSegmentation.open(out.resolve("2DBox_CT_slice.dcm"));
        byte[] segs2d = bytes(Npz.read(out.resolve("2DBox_CT_slice.npz"), "segs"));
        assertArrayEquals(segs2d, bytes(plane.labelVolume(DicomSeries.of(List.of(dicom.resolve("2DBox_CT_slice.dcm"))))));
        Dciodvfy.assertCleanSegmentation(out.resolve("2DBox_CT_slice.dcm"));
    }

    @Test
    void casesInAnotherVoxelOrderAreRefusedBeforeTheModelLoads() throws Exception {
        MedSamNpz ct = ct();
        NpyArray imgs = ct.imgs();
        // the same volume with its slices reversed: a z-flipped export of the series
        int plane = 512 * 512;
        short[] reversed = new short[3 * plane];
        for (int z = 0; z < 3; z++) {
            for (int i = 0; i < plane; i++) {
                reversed[(2 - z) * plane + i] = (short) imgs.get((long) z * plane + i);
            }
        }
        ChallengeFolder f = new ChallengeFolder(dir.resolve("data"));
        f.write("3DBox_CT_liver.npz", ChallengeFolder.int16(reversed, 3, 512, 512),
                new double[][] {{79, 145, 0, 350, 366, 2}}, ct.gts().orElseThrow(), null);
        Path dicom = dir.resolve("dicom");
        copySeries(dicom.resolve("3DBox_CT_liver"));
        Path out = dir.resolve("out");
        CliRun r = eval(f, dicom, out);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("3DBox_CT_liver.npz") && r.err().contains("flipped along z (slices)"), r.err());
        assertFalse(Files.exists(out.resolve("3DBox_CT_liver.npz")), "refused before any case ran");

        // a 2D case upside down against its DICOM slice
        ChallengeFolder g = new ChallengeFolder(dir.resolve("data2"));
        g.write("2DBox_CT_slice.npz", NpyArray.ofBytes(rgbSlice(true), 512, 512, 3),
                new double[][] {{80, 146, 349, 365}}, NpyArray.ofBytes(new byte[plane], 512, 512), null);
        Path dicom2 = Files.createDirectories(dir.resolve("dicom2"));
        Files.copy(DicomSeries.open(series()).files().get(1).path(), dicom2.resolve("2DBox_CT_slice.dcm"));
        r = eval(g, dicom2, out);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("flipped along y (rows)"), r.err());

        // noise is not the image
        byte[] noise = new byte[plane * 3];
        new Random(7).nextBytes(noise);
        g.write("2DBox_CT_slice.npz", NpyArray.ofBytes(noise, 512, 512, 3), new double[][] {{80, 146, 349, 365}},
                NpyArray.ofBytes(new byte[plane], 512, 512), null);
        r = eval(g, dicom2, out);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not look like its DICOM source"), r.err());
    }

    @Test
    void missingOrMisfittingSourcesAndLabelsWithoutDicomAreNamed() throws Exception {
        ChallengeFolder f = new ChallengeFolder(dir.resolve("data"));
        f.write("2DBox_CT_slice.npz", NpyArray.ofBytes(rgbSlice(false), 512, 512, 3),
                new double[][] {{80, 146, 349, 365}}, NpyArray.ofBytes(new byte[512 * 512], 512, 512), null);
        Path dicom = Files.createDirectories(dir.resolve("dicom"));
        Path out = dir.resolve("out");
        CliRun r = eval(f, dicom, out);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("no DICOM source") && r.err().contains("2DBox_CT_slice.npz"), r.err());

        // a 128 x 128 image is not the 512 x 512 case's source
        Files.copy(Fixtures.require("data/dicom/single/pydicom_CT_small.dcm"), dicom.resolve("2DBox_CT_slice.dcm"));
        r = eval(f, dicom, out);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("512 x 512 x 1") && r.err().contains("128 x 128 x 1")
                && r.err().contains("not cropped or resampled"), r.err());

        r = eval(f, null, out, "--seg-label", "Liver");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--seg-label") && r.err().contains("--dicom"), r.err());
        r = eval(f, dir.resolve("nothing-here"), out);
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--dicom") && r.err().contains("not a folder"), r.err());
    }
}
