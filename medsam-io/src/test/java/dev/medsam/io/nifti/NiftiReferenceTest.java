package dev.medsam.io.nifti;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.testing.Reference;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Header-level checks of the reference NIfTI files: both transforms, pixdim, and writing on their grids. */
class NiftiReferenceTest {

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> qformAndSformMatchNibabel() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : Reference.files("NIfTI-1", "NIfTI-2")) {
            tests.add(DynamicTest.dynamicTest(f.get("path").asText(), () -> {
                NiftiHeader h = header(Reference.path(f));
                assertClose("qform", Reference.matrix(f.get("qform")), h.qformMatrix());
                assertClose("sform", Reference.matrix(f.get("sform")), h.sformMatrix());
                JsonNode raw = f.get("header_raw");
                assertArrayEquals(Reference.doubles(raw.get("pixdim")), h.pixdim, 0, "pixdim as stored");
                assertEquals(raw.get("qfac_pixdim0").asDouble(), h.qfac(), 0);
                assertEquals(raw.get("descrip").asText().split("\u0000")[0], h.descrip);
                long[] dim = new long[8];
                for (int i = 0; i < 8; i++) {
                    dim[i] = raw.get("dim").get(i).asLong();
                }
                assertArrayEquals(dim, h.dim);
            }));
        }
        return tests.stream();
    }

    /**
     * A uint8 mask made on each reference image's grid is written with the source header's geometry fields
     * unchanged, and reads back with the same affine, bit for bit.
     */
    @TestFactory
    Stream<DynamicTest> maskOnTheSourceGridKeepsItsHeaderGeometry() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : Reference.files("NIfTI-1", "NIfTI-2")) {
            tests.add(DynamicTest.dynamicTest(f.get("path").asText(), () -> {
                Path src = Reference.path(f);
                MedicalImage image = NiftiReader.read(src);
                byte[] labels = new byte[Math.toIntExact(image.voxelCount())];
                labels[labels.length / 2] = 1;
                MedicalImage mask = image.toBuilder(DataType.UINT8).data(ByteBuffer.wrap(labels)).build();
                for (String name : new String[] {"mask.nii", "mask.nii.gz"}) {
                    Path out = tmp.resolve(name);
                    NiftiWriter.write(mask, out);
                    NiftiHeader a = header(src);
                    NiftiHeader b = header(out);
                    assertEquals(a.version, b.version);
                    assertEquals(a.qformCode, b.qformCode);
                    assertEquals(a.sformCode, b.sformCode);
                    assertEquals(a.quaternB, b.quaternB, 0);
                    assertEquals(a.quaternC, b.quaternC, 0);
                    assertEquals(a.quaternD, b.quaternD, 0);
                    assertEquals(a.qoffsetX, b.qoffsetX, 0);
                    assertEquals(a.qoffsetY, b.qoffsetY, 0);
                    assertEquals(a.qoffsetZ, b.qoffsetZ, 0);
                    assertArrayEquals(a.srowX, b.srowX, 0);
                    assertArrayEquals(a.srowY, b.srowY, 0);
                    assertArrayEquals(a.srowZ, b.srowZ, 0);
                    assertArrayEquals(Arrays.copyOf(a.pixdim, 4), Arrays.copyOf(b.pixdim, 4), 0, "qfac and voxel size");
                    assertEquals(NiftiHeader.DT_UINT8, b.datatype);
                    MedicalImage back = NiftiReader.read(out);
                    assertEquals(image.affine(CoordinateSystem.RAS), back.affine(CoordinateSystem.RAS));
                    assertArrayEquals(image.dims(), back.dims());
                    assertEquals(1.0, back.get(labels.length / 2));
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void maskOnAChangedGridGetsFreshGeometry() throws Exception {
        JsonNode f = Reference.files("NIfTI-1").get(0);
        MedicalImage image = NiftiReader.read(Reference.path(f));
        MedicalImage shifted = image.toBuilder(DataType.UINT8)
                .affine(image.affine(CoordinateSystem.LPS).withColumn(0, new double[] {-3, 0, 0}))
                .data(ByteBuffer.allocate(Math.toIntExact(image.voxelCount()))).build();
        Path out = tmp.resolve("shifted.nii.gz");
        NiftiWriter.write(shifted, out);
        MedicalImage back = NiftiReader.read(out);
        assertClose("affine", shifted.affine(CoordinateSystem.RAS).toArray(),
                back.affine(CoordinateSystem.RAS).toArray());
        assertEquals("sform", back.attributes().get("nifti.affine_source"));
    }

    static NiftiHeader header(Path file) throws Exception {
        byte[] head;
        try (InputStream in = open(file)) {
            head = in.readNBytes(540);
        }
        Object[] vo = NiftiHeader.detect(Arrays.copyOf(head, 4));
        NiftiVersion v = (NiftiVersion) vo[0];
        return NiftiHeader.parse(Arrays.copyOf(head, v.headerSize()), v, (java.nio.ByteOrder) vo[1]);
    }

    static InputStream open(Path file) throws Exception {
        InputStream in = Files.newInputStream(file);
        return file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
    }

    static void assertClose(String what, double[] expected, double[] actual) {
        for (int i = 0; i < 16; i++) {
            assertEquals(expected[i], actual[i], 1e-4, what + " element " + i + ": " + Arrays.toString(actual));
        }
    }
}
