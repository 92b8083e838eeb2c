package dev.medsam.io.metaimage;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.testing.HeaderFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MetaImage behaviours one at a time, on small hand-written files (headers as MetaIO and ITK write them). */
class MetaImageReaderTest {

    @TempDir
    Path tmp;

    private Path file(String name, String header, byte[] data) throws Exception {
        return HeaderFiles.write(tmp, name, header, data);
    }

    private static byte[] zlib(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void bigEndianCompressedLocalWithTransform() throws Exception {
        ByteBuffer v = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        v.putFloat(1.5f).putFloat(-2f).putFloat(3f).putFloat(1e-3f);
        Path p = file("a.mha", "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = True\n"
                + "CompressedData = True\nTransformMatrix = 0 1 0 -1 0 0 0 0 1\nOffset = 5 6 7\n"
                + "ElementSpacing = 2 3 4\nDimSize = 2 2 1\nAnatomicalOrientation = PLI\nElementType = MET_FLOAT\n"
                + "ElementDataFile = LOCAL\n", zlib(v.array()));
        MedicalImage img = MetaImageReader.read(p);
        assertEquals(DataType.FLOAT32, img.dataType());
        assertArrayEquals(new double[] {1.5, -2, 3, 1e-3f}, img.toDoubleArray(), 0);
        Affine a = img.affine(CoordinateSystem.LPS);
        // Axis 0 runs along (0, 1, 0) * 2, axis 1 along (-1, 0, 0) * 3, axis 2 along z * 4.
        assertArrayEquals(new double[] {0, 2, 0}, new double[] {a.get(0, 0), a.get(1, 0), a.get(2, 0)}, 0);
        assertArrayEquals(new double[] {-3, 0, 0}, new double[] {a.get(0, 1), a.get(1, 1), a.get(2, 1)}, 0);
        assertArrayEquals(new double[] {5, 6, 7}, a.origin(), 0);
        assertEquals("PLI", img.attributes().get("metaimage.AnatomicalOrientation"));
    }

    @Test
    void listPatternHeaderSizeAndText() throws Exception {
        Files.write(tmp.resolve("z0.raw"), new byte[] {9, 9, 9, 1, 2});
        Files.write(tmp.resolve("z1.raw"), new byte[] {9, 9, 9, 3, 4});
        Path list = file("l.mhd", "NDims = 3\nDimSize = 2 1 2\nElementType = MET_UCHAR\nHeaderSize = 3\n"
                + "ElementDataFile = LIST\nz0.raw\nz1.raw\n", new byte[0]);
        assertEquals(ImageFormat.METAIMAGE, MedicalImages.detect(list));
        assertArrayEquals(new double[] {1, 2, 3, 4}, MetaImageReader.read(list).toDoubleArray(), 0);
        Path pattern = file("p.mhd", "NDims = 3\nDimSize = 2 1 2\nElementType = MET_UCHAR\nHeaderSize = -1\n"
                + "ElementDataFile = z%d.raw 0 1 1\n", new byte[0]);
        assertArrayEquals(new double[] {1, 2, 3, 4}, MetaImageReader.read(pattern).toDoubleArray(), 0);
        Path text = file("t.mha", "NDims = 2\nDimSize = 3 1\nElementType = MET_SHORT\nBinaryData = False\n"
                + "ElementDataFile = LOCAL\n", "-5 0 32767\n".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(new double[] {-5, 0, 32767}, MetaImageReader.read(text).toDoubleArray(), 0);
    }

    @Test
    void channelsBecomeComponents() throws Exception {
        Path p = file("c.mha", "NDims = 2\nDimSize = 1 2\nElementNumberOfChannels = 3\n"
                + "ElementType = MET_UCHAR_ARRAY\nElementDataFile = LOCAL\n", new byte[] {1, 2, 3, 4, 5, 6});
        MedicalImage img = MetaImageReader.read(p);
        assertEquals(3, img.components());
        assertEquals(6, img.get(img.index(0, 1, 0, 2)));
    }

    @Test
    void badInputNamesTheProblem() throws Exception {
        String base = "NDims = 2\nDimSize = %s\nElementType = %s\n%sElementDataFile = %s\n";
        assertMessage(String.format(base, "2 2", "MET_STRING", "", "LOCAL"), "ElementType 'MET_STRING'");
        assertMessage(String.format(base, "2", "MET_UCHAR", "", "LOCAL"), "dimsize has 1 values");
        assertMessage(String.format(base, "2 -1", "MET_UCHAR", "", "LOCAL"), "DimSize value 1 is -1.0");
        assertMessage(String.format(base, "2 2", "MET_UCHAR", "", "nothere.raw"), "nothere.raw does not exist");
        assertMessage(String.format(base, "2 2", "MET_UCHAR", "TransformMatrix = 1 0 1 0\n", "LOCAL"),
                "no invertible affine");
        assertMessage(String.format(base, "2 2", "MET_UCHAR", "CompressedData = maybe\n", "LOCAL"),
                "not True or False");
        assertMessage(String.format(base, "2 2", "MET_UCHAR", "CompressedData = True\n", "LOCAL"), "zlib");
        assertMessage("NDims = 2\nDimSize = 2 2\n", "line 3 is not");
        assertMessage("ObjectType = Mesh\nElementDataFile = LOCAL\n", "only Image");
        assertMessage("NDims = 2\nthis is not a header line\n", "line 2");
    }

    private void assertMessage(String header, String expected) throws Exception {
        HeaderFiles.assertRefused(MetaImageReader::read, file("bad.mha", header, new byte[] {1, 2, 3}), header, expected);
    }

    @Test
    void writerWritesAPairOrNothing() throws Exception {
        MedicalImage img = MedicalImage.builder(DataType.UINT8, 2, 2).data(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                .build();
        Path mhd = tmp.resolve("out.mhd");
        MedicalImages.write(img, mhd);
        assertTrue(Files.readString(mhd).contains("ElementDataFile = out.raw\n"));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, Files.readAllBytes(tmp.resolve("out.raw")));
        Path folder = Files.createDirectory(tmp.resolve("taken.raw"));
        assertThrows(java.io.IOException.class, () -> MedicalImages.write(img, tmp.resolve("taken.mhd")));
        assertFalse(Files.exists(tmp.resolve("taken.mhd")), "no header without its data file");
        assertTrue(Files.isDirectory(folder));
    }
}
