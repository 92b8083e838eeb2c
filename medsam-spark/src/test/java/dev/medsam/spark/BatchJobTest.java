package dev.medsam.spark;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.examples.eval.CaseResult;
import dev.medsam.examples.eval.EvaluationReport;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.numpy.MedSamNpz;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.Npz;
import dev.medsam.io.numpy.SpacingOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch job in local[2] with the bundled tiny checkpoint on challenge-layout cases built from the shared CT. */
class BatchJobTest {

    @TempDir
    Path dir;

    private static double max(NpyArray a) {
        return java.util.Arrays.stream(a.toDoubleArray()).max().orElseThrow();
    }

    private static Map<String, CaseRow> byCase(BatchReport report) {
        return report.cases().stream().collect(Collectors.toMap(CaseRow::caseId, Function.identity()));
    }

    @Test
    void masksAndMetricsEqualEvalsWhateverThePartitioning() throws IOException {
        Path[] f = SparkTests.challengeFolder(dir.resolve("data"));
        // eval's answer on the same cases (computed once for the test classes; read only)
        Path evalOut = SparkTests.evaluated().out();
        EvaluationReport eval = SparkTests.evaluated().report();
        BatchReport two = BatchJob.challenge(f[0], SparkTests.tinyCheckpoint(), dir.resolve("two"))
                .groundTruth(f[1]).partitions(2).build().run(SparkTests.spark());
        BatchReport one = BatchJob.challenge(f[0], SparkTests.tinyCheckpoint(), dir.resolve("one"))
                .groundTruth(f[1]).partitions(1).build().run(SparkTests.spark());

        assertEquals(3, eval.cases().size());
        assertEquals(3, two.cases().size());
        assertEquals(2, two.timings().tasks());
        assertTrue(two.timings().cases().toNanos() > 0 && two.timings().results().toNanos() > 0, two.timings().toString());
        assertEquals(3, two.count(CaseRow.OK), two.rows().toString());
        for (BatchReport batch : List.of(two, one)) {
            Map<String, CaseRow> rows = byCase(batch);
            for (CaseResult e : eval.cases()) {
                CaseRow r = rows.get(e.name());
                assertEquals(CaseRow.OK, r.status(), r.toString());
                assertEquals(e.dsc(), r.dsc(), 0, e.name());
                assertEquals(e.nsd(), r.nsd(), 0, e.name());
                assertEquals(e.predVoxels(), r.voxels(), e.name());
                assertEquals(e.predVolumeMl(), r.volumeMl(), 0, e.name());
                assertTrue(r.seconds() > 0);
                assertArrayEquals(Npz.read(evalOut.resolve(e.name()), "segs").toDoubleArray(),
                        Npz.read(batch.csv().resolveSibling(e.name()), "segs").toDoubleArray(), e.name());
            }
        }
        assertTrue(byCase(two).get("3DBox_CT_liver.npz").dsc() > 0, "the tiny model finds some liver");

        List<String> csv = Files.readAllLines(two.csv());
        assertEquals("case,label,voxels,volume_ml,dsc,nsd,seconds,status,error", csv.get(0));
        assertEquals(4, csv.size(), csv.toString());
        assertTrue(csv.get(3).startsWith("3DBox_CT_liver.npz,0," + byCase(two).get("3DBox_CT_liver.npz").voxels() + ","),
                csv.toString());
        var parquet = SparkTests.spark().read().parquet(two.parquet().toString());
        assertEquals(3, parquet.count());
        assertEquals(eval.cases().get(2).dsc(),
                parquet.filter("`case` = '3DBox_CT_liver.npz'").select("dsc").first().getDouble(0), 0);
    }

    @Test
    void oneTaskPerCaseUpToFourPerSlot() {
        assertEquals(1, BatchJob.defaultPartitions(1, 2));
        assertEquals(8, BatchJob.defaultPartitions(8, 2));
        assertEquals(8, BatchJob.defaultPartitions(100, 2));
        assertEquals(4, BatchJob.defaultPartitions(100, 0), "a context that reports no slots still gets tasks");
    }

    @Test
    void aMissingOrCorruptCaseIsRecordedAndTheRestComplete() throws IOException {
        Path[] f = SparkTests.challengeFolder(dir.resolve("data"));
        Files.write(f[0].resolve("corrupt.npz"), new byte[] {'P', 'K', 3, 4, 1, 2, 3, 4, 5, 6, 7});
        Files.copy(f[1].resolve("2DBox_CT_slice.npz"), f[1].resolve("corrupt.npz"));
        Files.copy(f[0].resolve("2DBox_CT_slice.npz"), f[0].resolve("no_gt.npz"));
        Path out = dir.resolve("out");
        BatchReport report = BatchJob.challenge(f[0], SparkTests.tinyCheckpoint(), out).groundTruth(f[1]).build()
                .run(SparkTests.spark());

        Map<String, CaseRow> rows = byCase(report);
        assertEquals(5, rows.size());
        assertEquals(3, report.count(CaseRow.OK));
        assertEquals(2, report.count(CaseRow.FAILED));
        CaseRow corrupt = rows.get("corrupt.npz");
        assertEquals(CaseRow.FAILED, corrupt.status());
        assertTrue(corrupt.error().contains("imgs/corrupt.npz") && !corrupt.error().contains("no ground truth"),
                corrupt.error());
        CaseRow noGt = rows.get("no_gt.npz");
        assertTrue(noGt.error().contains("no ground truth") && noGt.error().contains("no_gt.npz"), noGt.error());
        assertFalse(Files.exists(out.resolve("corrupt.npz")));
        List<String> csv = Files.readAllLines(report.csv());
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("corrupt.npz,0,,,,,") && l.contains(",failed,")), csv.toString());
    }

    @Test
    void aRerunRecomputesOnlyTheCaseWhoseOutputWasDeleted() throws IOException {
        Path[] f = SparkTests.challengeFolder(dir.resolve("data"));
        Path out = dir.resolve("out");
        BatchJob job = BatchJob.challenge(f[0], SparkTests.tinyCheckpoint(), out).groundTruth(f[1]).build();
        BatchReport first = job.run(SparkTests.spark());
        assertEquals(3, first.count(CaseRow.OK));
        double[] sliceSegs = Npz.read(out.resolve("2DBox_CT_slice.npz"), "segs").toDoubleArray();
        FileTime liverTime = Files.getLastModifiedTime(out.resolve("3DBox_CT_liver.npz"));

        Files.delete(out.resolve("2DBox_CT_slice.npz"));
        BatchReport second = job.run(SparkTests.spark());
        Map<String, CaseRow> rows = byCase(second);
        assertEquals(CaseRow.OK, rows.get("2DBox_CT_slice.npz").status());
        assertEquals(CaseRow.REUSED, rows.get("3DBox_CT_liver.npz").status());
        assertEquals(CaseRow.REUSED, rows.get("2DBox_CT_two.npz").status());
        assertEquals(liverTime, Files.getLastModifiedTime(out.resolve("3DBox_CT_liver.npz")));
        assertArrayEquals(sliceSegs, Npz.read(out.resolve("2DBox_CT_slice.npz"), "segs").toDoubleArray());
        Map<String, CaseRow> firstRows = byCase(first);
        for (CaseRow r : second.cases()) {
            assertEquals(firstRows.get(r.caseId()).dsc(), r.dsc(), 0, r.caseId());
            assertEquals(firstRows.get(r.caseId()).voxels(), r.voxels(), r.caseId());
        }

        // a mask without its marker (a task killed between the two writes) is partial: recomputed
        Files.delete(out.resolve(".medsam-batch").resolve("3DBox_CT_liver.npz.json"));
        BatchReport third = job.run(SparkTests.spark());
        assertEquals(CaseRow.OK, byCase(third).get("3DBox_CT_liver.npz").status());
        assertEquals(2, third.count(CaseRow.REUSED));
    }

    @Test
    void aCasesTableWithNiftiImagesPromptsAndGroundTruth() throws IOException {
        Path[] f = SparkTests.challengeFolder(dir.resolve("data"));
        MedSamNpz ct = MedSamNpz.read(f[0].resolve("3DBox_CT_liver.npz"));
        MedicalImage volume = ct.image(SpacingOrder.ARRAY_ORDER);
        MedicalImages.write(volume, dir.resolve("ct.nii.gz"));
        MedicalImage gt = Npz.read(f[1].resolve("3DBox_CT_liver.npz"), "gts").toMedicalImage();
        MedicalImages.write(gt.toBuilder(gt.dataType()).affine(volume.affine(
                dev.medsam.core.image.CoordinateSystem.LPS)).data(gt.data()).build(), dir.resolve("ct_gt.nii.gz"));
        MedicalImages.write(volume.plane(2, 1, 0), dir.resolve("slice.nii.gz"));
        Path table = dir.resolve("cases.csv");
        Files.writeString(table, String.join("\n",
                "case,image,prompts,gt",
                "liver3d,ct.nii.gz,\"[{\"\"box3d\"\": [79, 145, 0, 350, 366, 2]}]\",ct_gt.nii.gz",
                "slice2d,slice.nii.gz,\"[{\"\"box\"\": [80, 146, 349, 365]}, {\"\"points\"\": [[320, 330, 1]]}]\",",
                "badprompt,slice.nii.gz,\"[{\"\"box\"\": [1, 2]}]\",",
                "missing,nothere.nii.gz,\"[{\"\"box\"\": [1, 2, 30, 40]}]\",") + "\n");
        Path out = dir.resolve("out");
        BatchReport report = BatchJob.cases(table, SparkTests.tinyCheckpoint(), out).build().run(SparkTests.spark());

        Map<String, CaseRow> rows = byCase(report);
        assertEquals(CaseRow.OK, rows.get("liver3d").status(), rows.get("liver3d").toString());
        assertEquals(CaseRow.OK, rows.get("slice2d").status(), rows.get("slice2d").toString());
        MedicalImage labels3d = MedicalImages.read(out.resolve("liver3d.nii.gz")).image();
        assertArrayEquals(volume.dims(), labels3d.dims());
        assertTrue(rows.get("liver3d").dsc() >= 0 && rows.get("liver3d").dsc() <= 1);
        assertTrue(rows.get("liver3d").volumeMl() > 0);
        assertTrue(Double.isNaN(rows.get("slice2d").dsc()), "no ground truth, no score");
        assertEquals(3, report.rows().stream().filter(r -> r.caseId().equals("slice2d")).count(), "labels 0, 1, 2");
        assertTrue(rows.get("badprompt").error().contains("prompts[0].box must be an array of 4 numbers"),
                rows.get("badprompt").error());
        assertTrue(rows.get("missing").error().contains("nothere.nii.gz"), rows.get("missing").error());

        Files.writeString(table, "case,image\nx,ct.nii.gz\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchJob.cases(table, SparkTests.tinyCheckpoint(), out).build().run(SparkTests.spark()));
        assertTrue(e.getMessage().contains("has no column 'prompts'"), e.getMessage());
        Files.writeString(table, "case,image,prompts\n../x,ct.nii.gz,[]\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> BatchJob.cases(table, SparkTests.tinyCheckpoint(), out).build().run(SparkTests.spark()));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("plain file name"), e.getMessage());
    }

    @Test
    void aCasesTableWithChallengeNpzImagesReadsThemAsChallengeCases() throws IOException {
        Path[] f = SparkTests.challengeFolder(dir.resolve("data"));
        Path evalOut = SparkTests.evaluated().out();
        EvaluationReport eval = SparkTests.evaluated().report();
        Map<String, CaseResult> evalCases = eval.cases().stream()
                .collect(Collectors.toMap(CaseResult::name, Function.identity()));
        // an npz with imgs alone is an image like any other: it needs prompts
        Npz.write(dir.resolve("imgs_only.npz"), Map.of("imgs", Npz.read(f[0].resolve("2DBox_CT_two.npz"), "imgs")), true);
        Path table = dir.resolve("cases.csv");
        Files.writeString(table, String.join("\n",
                "case,image,prompts,gt",
                "slice,data/imgs/2DBox_CT_slice.npz,,data/gts/2DBox_CT_slice.npz",
                "liver,data/imgs/3DBox_CT_liver.npz,,data/gts/3DBox_CT_liver.npz",
                "two_no_gt,data/imgs/2DBox_CT_two.npz,,",
                "prompted,data/imgs/2DBox_CT_two.npz,\"[{\"\"box\"\": [80, 146, 349, 365]}]\",data/gts/2DBox_CT_two.npz",
                "imgs_only,imgs_only.npz,,") + "\n");
        Path out = dir.resolve("out");
        BatchJob job = BatchJob.cases(table, SparkTests.tinyCheckpoint(), out).build();
        BatchReport report = job.run(SparkTests.spark());
        Map<String, CaseRow> rows = byCase(report);

        // boxes from the file: the same segs and scores as eval, written as <case>.npz with segs
        for (String[] c : new String[][] {{"slice", "2DBox_CT_slice.npz"}, {"liver", "3DBox_CT_liver.npz"},
                {"two_no_gt", "2DBox_CT_two.npz"}}) {
            CaseRow r = rows.get(c[0]);
            CaseResult e = evalCases.get(c[1]);
            assertEquals(CaseRow.OK, r.status(), r.toString());
            assertEquals(e.predVoxels(), r.voxels(), c[0]);
            assertEquals(e.predVolumeMl(), r.volumeMl(), 0, c[0]);
            assertArrayEquals(Npz.read(evalOut.resolve(c[1]), "segs").toDoubleArray(),
                    Npz.read(out.resolve(c[0] + ".npz"), "segs").toDoubleArray(), c[0]);
            assertFalse(Files.exists(out.resolve(c[0] + ".nii.gz")), c[0]);
            if (c[0].equals("two_no_gt")) {
                assertTrue(Double.isNaN(r.dsc()) && Double.isNaN(r.nsd()), "no ground truth, no score");
            } else {
                assertEquals(e.dsc(), r.dsc(), 0, c[0]);
                assertEquals(e.nsd(), r.nsd(), 0, c[0]);
            }
        }
        // prompts replace the file's boxes (one box of two): segs npz on the image's grid, scored against gts
        CaseRow prompted = rows.get("prompted");
        assertEquals(CaseRow.OK, prompted.status(), prompted.toString());
        NpyArray segs = Npz.read(out.resolve("prompted.npz"), "segs");
        assertArrayEquals(new int[] {512, 512}, segs.shape());
        assertEquals(1, max(segs), "one prompt, one label");
        assertTrue(prompted.dsc() > 0 && prompted.dsc() <= 1, prompted.toString());
        CaseRow imgsOnly = rows.get("imgs_only");
        assertEquals(CaseRow.FAILED, imgsOnly.status());
        assertTrue(imgsOnly.error().contains("no prompts"), imgsOnly.error());

        // a rerun finds the npz outputs through their markers
        BatchReport again = job.run(SparkTests.spark());
        assertEquals(4, again.count(CaseRow.REUSED), again.rows().toString());
        assertEquals(rows.get("liver").dsc(), byCase(again).get("liver").dsc(), 0);
    }
}
