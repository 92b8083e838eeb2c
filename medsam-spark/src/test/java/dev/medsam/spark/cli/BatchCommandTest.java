package dev.medsam.spark.cli;

import dev.medsam.spark.SparkTestAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code medsam batch} through the command line (in the tests' shared local[2] session). */
class BatchCommandTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = BatchMain.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        String tiny = SparkTestAccess.tinyCheckpoint().toString();
        Path out = dir.resolve("out");
        Run both = run("batch", "--cases", "x.csv", "--challenge", dir.toString(), "-c", tiny, "-o", out.toString());
        assertEquals(2, both.exitCode(), both.toString());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Run none = run("batch", "-c", tiny, "-o", out.toString());
        assertEquals(2, none.exitCode(), none.toString());
        Run gtWithTable = run("batch", "--cases", "x.csv", "--gt", dir.toString(), "-c", tiny, "-o", out.toString());
        assertEquals(2, gtWithTable.exitCode(), gtWithTable.toString());
        assertTrue(gtWithTable.err().contains("--gt goes with --challenge"), gtWithTable.err());
        Run notADir = run("batch", "--challenge", dir.resolve("nope").toString(), "-c", tiny, "-o", out.toString());
        assertEquals(2, notADir.exitCode(), notADir.toString());
        Run noModel = run("batch", "--challenge", dir.toString(), "-c", dir.resolve("none.pth").toString(),
                "-o", out.toString());
        assertEquals(1, noModel.exitCode(), noModel.toString());
        assertTrue(noModel.err().startsWith("medsam batch: ") && noModel.err().contains("none.pth"), noModel.err());
        Run help = run("--help");
        assertTrue(help.out().contains("batch"), help.out());
    }

    @Test
    void segmentsAChallengeFolderAndExitsOneWhenACaseFailed() throws IOException {
        SparkTestAccess.spark(); // the command then runs in the tests' session instead of starting a second one
        Path[] f = SparkTestAccess.challengeFolder(dir.resolve("data"));
        Files.delete(f[0].resolve("3DBox_CT_liver.npz")); // 2D cases only: quicker
        Path out = dir.resolve("out");
        Run ok = run("batch", "--challenge", f[0].toString(), "--gt", f[1].toString(), "-c",
                SparkTestAccess.tinyCheckpoint().toString(), "-o", out.toString(), "--master", "local[2]");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.out().startsWith("2 cases: 2 segmented, 0 reused from an earlier run, 0 failed"), ok.out());
        assertTrue(Files.isRegularFile(out.resolve("2DBox_CT_slice.npz")));
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, csv.size(), csv.toString());

        Files.writeString(f[0].resolve("broken.npz"), "not a zip");
        Run failed = run("batch", "--challenge", f[0].toString(), "-c", SparkTestAccess.tinyCheckpoint().toString(),
                "-o", out.toString());
        assertEquals(1, failed.exitCode(), failed.toString());
        assertTrue(failed.out().contains("failed: broken.npz: "), failed.out());
        assertTrue(failed.err().startsWith("medsam batch: 1 of 3 cases failed"), failed.err());
    }
}
