package dev.medsam.io;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.ProbabilityMask;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.files.MalformedImageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading from streams, bytes and BufferedImages, and writing masks in one call on the source image's grid. */
class MedicalImagesInMemoryTest {

    private static MedicalImage ramp(int w, int h) {
        short[] v = new short[w * h];
        for (int i = 0; i < v.length; i++) {
            v[i] = (short) (i * 7 - 300);
        }
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(v);
        return MedicalImage.builder(DataType.INT16, w, h)
                .affine(Affine.of(CoordinateSystem.LPS,
                        0.7, 0, 0, -120, 0, 0.7, 0, 35.5, 0, 0, 2.5, 17, 0, 0, 0, 1))
                .modality("CT").data(b).build();
    }

    private static long stagingFolders() throws IOException {
        long n = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
                "medsam-read-*")) {
            for (Path ignored : d) {
                n++;
            }
        }
        return n;
    }

    @Test
    void bytesAndStreamsReadAsTheSameFileDoes(@TempDir Path dir) throws IOException {
        MedicalImage image = ramp(13, 9);
        long before = stagingFolders();
        for (String name : new String[] {"scan.nii.gz", "scan.nii", "scan.npy"}) {
            Path file = dir.resolve(name);
            MedicalImages.write(image, file);
            LoadedImage fromFile = MedicalImages.read(file);
            LoadedImage fromBytes = MedicalImages.read(Files.readAllBytes(file), "upload/" + name);
            LoadedImage fromStream;
            try (InputStream in = Files.newInputStream(file)) {
                fromStream = MedicalImages.read(in, name);
            }
            for (LoadedImage other : List.of(fromBytes, fromStream)) {
                assertEquals(fromFile.format(), other.format(), name);
                assertArrayEquals(fromFile.image().dims(), other.image().dims(), name);
                assertArrayEquals(fromFile.image().toDoubleArray(), other.image().toDoubleArray(), name);
                assertEquals(fromFile.image().affine(CoordinateSystem.LPS), other.image().affine(CoordinateSystem.LPS),
                        name);
            }
        }
        assertEquals(before, stagingFolders(), "the temporary copies are deleted");
    }

    @Test
    void damagedContentNamesTheCallersNameNotATemporaryFile() throws IOException {
        long before = stagingFolders();
        MalformedImageException e = assertThrows(MalformedImageException.class,
                () -> MedicalImages.read("this is no image".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        "uploads/report.txt"));
        assertTrue(e.getMessage().startsWith("report.txt: "), e.getMessage());
        assertFalse(e.getMessage().contains("medsam-read-"), e.getMessage());
        assertEquals(before, stagingFolders());
    }

    @Test
    void aDicomSeriesFromStreamsInAnyOrderIsTheFoldersVolume() throws IOException {
        Path folder = Fixtures.require("data/dicom/series_ct_3slice");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> d = Files.newDirectoryStream(folder)) {
            d.forEach(files::add);
        }
        Collections.shuffle(files, new Random(7));
        List<InputStream> streams = new ArrayList<>();
        for (Path f : files) {
            streams.add(new ByteArrayInputStream(Files.readAllBytes(f)));
        }
        MedicalImage fromStreams = MedicalImages.readDicomSeries(streams, "PACS study").image();
        MedicalImage fromFolder = MedicalImages.read(folder).image();
        assertArrayEquals(fromFolder.dims(), fromStreams.dims());
        assertArrayEquals(fromFolder.toDoubleArray(), fromStreams.toDoubleArray());
        assertEquals(fromFolder.affine(CoordinateSystem.LPS), fromStreams.affine(CoordinateSystem.LPS));
        assertThrows(IllegalArgumentException.class, () -> MedicalImages.readDicomSeries(List.of(), "none"));
    }

    @Test
    void aBufferedImageGivesItsStoredValues() {
        BufferedImage grey = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 1, 0, 200);
        MedicalImage g = MedicalImages.of(grey);
        assertArrayEquals(new int[] {4, 3}, g.dims());
        assertEquals(1, g.components());
        assertEquals(200, g.get(g.index(2, 1, 0, 0)));
        assertEquals(0, g.get(g.index(1, 1, 0, 0)));

        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(1, 0, 0x80_0A_14_1E);
        MedicalImage c = MedicalImages.of(argb);
        assertEquals(3, c.components(), "alpha dropped");
        assertEquals(0x0A, c.get(c.index(1, 0, 0, 0)));
        assertEquals(0x14, c.get(c.index(1, 0, 0, 1)));
        assertEquals(0x1E, c.get(c.index(1, 0, 0, 2)));
    }

    @Test
    void masksAreWrittenInOneCallOnTheImagesGrid(@TempDir Path dir) throws IOException {
        MedicalImage image = ramp(5, 4);
        byte[] a = new byte[20];
        byte[] b = new byte[20];
        a[0] = 1;
        a[1] = 1;
        b[1] = 1;
        b[19] = 1;
        BinaryMask first = BinaryMask.of(5, 4, a);
        BinaryMask second = BinaryMask.of(5, 4, b);

        MedicalImages.write(first, image, dir.resolve("one.nii.gz"));
        MedicalImage one = MedicalImages.read(dir.resolve("one.nii.gz")).image();
        assertArrayEquals(image.affine(CoordinateSystem.LPS).toArray(), one.affine(CoordinateSystem.LPS).toArray(), 1e-6,
                "on the image's grid (NIfTI stores float32)");
        assertEquals(1, one.get(0));
        assertEquals(0, one.get(2));

        MedicalImages.write(first, image, dir.resolve("one.png"));
        assertEquals(255, MedicalImages.read(dir.resolve("one.png")).image().get(0), "PNG masks are 0/255");

        MedicalImages.writeLabels(List.of(first, second), image, dir.resolve("two.npy"));
        MedicalImage two = MedicalImages.read(dir.resolve("two.npy")).image();
        assertEquals(1, two.get(two.index(0, 0, 0, 0)));
        assertEquals(2, two.get(two.index(1, 0, 0, 0)), "later masks overwrite earlier ones");
        assertEquals(2, two.get(two.index(4, 3, 0, 0)));
        MedicalImage map = MedicalImages.labelMap(List.of(first, second), image);
        assertEquals(image.affine(CoordinateSystem.LPS), map.affine(CoordinateSystem.LPS));
        assertTrue(map.modality().isEmpty(), "a label map of a CT is not a CT");
        assertArrayEquals(two.toDoubleArray(), map.toDoubleArray(), "labelMap is what writeLabels writes");
        MedicalImages.writeLabels(List.of(first, second), image, dir.resolve("two.png"));
        MedicalImage twoPng = MedicalImages.read(dir.resolve("two.png")).image();
        assertEquals(128, twoPng.get(twoPng.index(0, 0, 0, 0)), "each label its own visible level");
        assertEquals(255, twoPng.get(twoPng.index(1, 0, 0, 0)));

        float[] p = new float[20];
        p[3] = 0.25f;
        MedicalImages.write(ProbabilityMask.of(5, 4, p), image, dir.resolve("p.npy"));
        MedicalImage prob = MedicalImages.read(dir.resolve("p.npy")).image();
        assertEquals(DataType.FLOAT32, prob.dataType());
        assertEquals(0.25, prob.get(3), 0);

        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> MedicalImages.write(BinaryMask.of(4, 5, a), image, dir.resolve("bad.nii")));
        assertTrue(wrong.getMessage().contains("4 x 5") && wrong.getMessage().contains("5 x 4"), wrong.getMessage());
        assertFalse(Files.exists(dir.resolve("bad.nii")), "nothing written");
    }
}
