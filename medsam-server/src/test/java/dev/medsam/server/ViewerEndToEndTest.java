package dev.medsam.server;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegmentation;
import dev.medsam.io.dicom.DicomSeries;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page in a real headless Chromium, driven with real mouse and wheel events: draw a box on the CT slice and
 * compare the overlay's pixels with the Java API's mask for the same box; scroll the 3-slice series; propagate;
 * download. Skips when Debian's chromium or chromedriver is missing (CI installs them).
 *
 * <p>Tagged {@code slow} (a browser and a driver process, about 25 s on 2 cores): {@code .ci/run} runs it with
 * {@code -Pslow-tests}; {@link ServerApiTest} covers every endpoint the page calls in the default run.
 */
@Tag("slow")
class ViewerEndToEndTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path root;
    @TempDir
    Path profile;
    @TempDir
    Path downloads;

    @Test
    void drawScrollPropagateDownload() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
        TestServer.populate(root);
        Path shots = Path.of("target");
        Files.createDirectories(shots);
        try (TestServer t = TestServer.start(root)) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--window-size=1500,1100", "--force-device-scale-factor=1");
            Map<String, Object> prefs = new HashMap<>();
            prefs.put("download.default_directory", downloads.toString());
            prefs.put("download.prompt_for_download", false);
            prefs.put("profile.default_content_setting_values.automatic_downloads", 1);
            options.setExperimentalOption("prefs", prefs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                // headless Chromium drops downloads unless told where to put them
                driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                        "downloadPath", downloads.toString()));
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                JavascriptExecutor js = driver;

                // ---- open the bundled CT slice from the URL, draw a box with the mouse
                driver.get(t.server.uri() + "?path=ct.dcm");
                wait.until(d -> d.findElement(By.id("window-readout")).getText().contains("soft-tissue"));
                WebElement ui = driver.findElement(By.id("ui"));
                assertEquals("512", ui.getAttribute("width"));
                drag(driver, ui, 512, 150, 160, 300, 310);
                wait.until(d -> d.findElement(By.id("box-readout")).getText().startsWith("box: ")
                        && !d.findElement(By.id("busy")).isDisplayed() && overlayPixels(js) > 0);
                double[] box = parseBox(driver.findElement(By.id("box-readout")).getText());
                assertNear(new double[] {150, 160, 300, 310}, box, 2, "the box follows the mouse");
                byte[] expected = javaApiMask(t, root.resolve("ct.dcm"), 0, new Box(box[0], box[1], box[2], box[3]));
                byte[] overlay = overlayMask(js);
                assertArrayEquals(expected, overlay, "the overlay shows the Java API's mask for the same box");
                String timings = driver.findElement(By.id("timings")).getText();
                assertTrue(timings.contains("server decode") && timings.contains("box → mask on screen"), timings);
                Files.write(shots.resolve("serve-e2e-ct.png"), driver.getScreenshotAs(OutputType.BYTES));

                // ---- the 3-slice series: opens in the middle, wheel and keys scroll
                driver.get(t.server.uri() + "?path=series");
                WebElement readout = driver.findElement(By.id("slice-readout"));
                wait.until(d -> readout.getText().equals("slice 2 / 3"));
                ui = driver.findElement(By.id("ui"));
                new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(ui), 0, 120).perform();
                wait.until(d -> readout.getText().equals("slice 3 / 3"));
                new Actions(driver).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(ui), 0, 120).perform();
                Thread.sleep(200);
                assertEquals("slice 3 / 3", readout.getText(), "the last slice stays the last");
                ui.sendKeys(org.openqa.selenium.Keys.ARROW_UP);
                wait.until(d -> readout.getText().equals("slice 2 / 3"));

                // ---- box on the middle slice, then propagate through the volume
                drag(driver, ui, 512, 170, 170, 330, 330);
                wait.until(d -> !d.findElement(By.id("busy")).isDisplayed() && overlayPixels(js) > 0);
                double[] seriesBox = parseBox(driver.findElement(By.id("box-readout")).getText());
                assertArrayEquals(javaApiMask(t, root.resolve("series"), 1,
                        new Box(seriesBox[0], seriesBox[1], seriesBox[2], seriesBox[3])), overlayMask(js));
                driver.findElement(By.id("propagate")).click();
                wait.until(d -> d.findElement(By.id("job-status")).getText().startsWith("done"));
                WebElement progress = driver.findElement(By.id("progress"));
                assertEquals(progress.getAttribute("max"), progress.getAttribute("value"));
                Files.write(shots.resolve("serve-e2e-series.png"), driver.getScreenshotAs(OutputType.BYTES));

                // ---- downloads: the slice mask and the label volume
                new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("format"))).selectByValue("nifti");
                Path sliceFile = downloads.resolve("mask_slice1.nii.gz");
                Path volumeFile = downloads.resolve("labels.nii.gz");
                driver.findElement(By.id("download")).click();
                wait.until(d -> Files.exists(sliceFile));
                driver.findElement(By.id("download-volume")).click();
                wait.until(d -> Files.exists(volumeFile));
                MedicalImage series = MedicalImages.read(root.resolve("series")).image();
                MedicalImage labels = readWhenComplete(volumeFile);
                assertArrayEquals(series.dims(), labels.dims());
                MedicalImage sliceMask = readWhenComplete(sliceFile);
                assertEquals(series.width(), sliceMask.width());
                long set = 0;
                for (long i = 0; i < sliceMask.valueCount(); i++) {
                    set += sliceMask.get(i) != 0 ? 1 : 0;
                }
                assertTrue(set > 0, "the downloaded slice mask has the object");

                // ---- the same as DICOM SEG (the series is DICOM), with the name typed on the page
                new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("format")))
                        .selectByValue("dicom-seg");
                driver.findElement(By.id("seg-names")).sendKeys("Liver");
                Path sliceSeg = downloads.resolve("mask_slice1.dcm");
                Path volumeSeg = downloads.resolve("labels.dcm");
                driver.findElement(By.id("download")).click();
                wait.until(d -> Files.exists(sliceSeg));
                driver.findElement(By.id("download-volume-seg")).click();
                wait.until(d -> Files.exists(volumeSeg));
                DicomSeries source = DicomSeries.open(root.resolve("series"));
                DicomSegmentation volumeRead = readSegWhenComplete(volumeSeg);
                assertEquals("Liver", volumeRead.segments().get(0).label());
                MedicalImage segLabels = volumeRead.labelVolume(source);
                for (long i = 0; i < labels.valueCount(); i++) {
                    assertEquals(labels.get(i), segLabels.get(i), "SEG and NIfTI downloads agree at value " + i);
                }
                MedicalImage sliceFromSeg = readSegWhenComplete(sliceSeg).labelVolume(source).plane(2, 1, 0);
                for (long i = 0; i < sliceMask.valueCount(); i++) {
                    assertEquals(sliceMask.get(i), sliceFromSeg.get(i), "slice SEG and NIfTI agree at value " + i);
                }
                dev.medsam.core.testing.Dciodvfy.assertCleanSegmentation(volumeSeg);
                dev.medsam.core.testing.Dciodvfy.assertCleanSegmentation(sliceSeg);
            } finally {
                driver.quit();
            }
        }
    }

    /** Presses at image pixel (x0, y0), moves in steps and releases at (x1, y1) over the canvas. */
    private static void drag(ChromeDriver driver, WebElement canvas, int imageWidth, int x0, int y0, int x1, int y1) {
        double scale = canvas.getRect().getWidth() / (double) imageWidth;
        int cx = canvas.getRect().getWidth() / 2;
        int cy = canvas.getRect().getHeight() / 2;
        Actions a = new Actions(driver).moveToElement(canvas, (int) Math.round(x0 * scale) - cx,
                (int) Math.round(y0 * scale) - cy).clickAndHold();
        for (int i = 1; i <= 5; i++) {
            a.moveToElement(canvas, (int) Math.round((x0 + (x1 - x0) * i / 5.0) * scale) - cx,
                    (int) Math.round((y0 + (y1 - y0) * i / 5.0) * scale) - cy);
        }
        a.release().perform();
    }

    private static long overlayPixels(JavascriptExecutor js) {
        Object n = js.executeScript("const c = document.getElementById('overlay');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n;");
        return ((Number) n).longValue();
    }

    /** The overlay as a mask: 1 where the canvas has any opacity. */
    private static byte[] overlayMask(JavascriptExecutor js) {
        String s = (String) js.executeScript("const c = document.getElementById('overlay');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "const out = new Array(d.length / 4); for (let i = 0; i < out.length; i++) out[i] = d[4 * i + 3] ? '1' : '0';"
                + "return out.join('');");
        byte[] m = new byte[s.length()];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) (s.charAt(i) - '0');
        }
        return m;
    }

    /** The Java API's mask (0/1) for one box on a slice, with the default window over the whole image. */
    private static byte[] javaApiMask(TestServer t, Path file, int slice, Box box) throws Exception {
        MedicalImage image = MedicalImages.read(file).image();
        IntensityPreset preset = IntensityPreset.defaultFor(image);
        MedicalImage eight = preset.apply(image);
        MedicalImage plane = eight.rank() <= 2 || eight.dim(2) == 1 ? (eight.rank() <= 2 ? eight : eight.plane(2, 0, 0))
                : eight.plane(2, slice, 0);
        try (SegmentationSession session = SegmentationSession.of(t.model.delegate())) {
            session.setImage(plane, IntensityPreset.asIs());
            BinaryMask m = session.segment(Prompts.of(box)).binary();
            ByteBuffer b = m.buffer();
            byte[] out = new byte[m.width() * m.height()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) (b.get(i) != 0 ? 1 : 0);
            }
            return out;
        }
    }

    private static MedicalImage readWhenComplete(Path file) throws Exception {
        // Chromium renames the finished download into place; give it a moment to close the file.
        for (int i = 0; ; i++) {
            try {
                return MedicalImages.read(file).image();
            } catch (java.io.IOException e) {
                if (i > 20) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static DicomSegmentation readSegWhenComplete(Path file) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return DicomSegmentation.open(file);
            } catch (java.io.IOException e) {
                if (i > 20) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static double[] parseBox(String readout) {
        String[] parts = readout.substring("box: ".length()).split(",");
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            v[i] = Double.parseDouble(parts[i].trim());
        }
        return v;
    }

    private static void assertNear(double[] expected, double[] actual, double tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance, what + ": " + java.util.Arrays.toString(actual)
                    + " vs " + java.util.Arrays.toString(expected));
        }
    }

}
