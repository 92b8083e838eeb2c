package dev.medsam.io.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every DICOM file in the shared data reads as REFERENCE.json says (pydicom, cross-checked with GDCM/DCMTK). */
class DicomFileReferenceTest {

    @TestFactory
    List<DynamicTest> everyDicomFileMatchesTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode ref : Reference.dicomFiles()) {
            String path = ref.get("path").asText();
            tests.add(DynamicTest.dynamicTest(path, () -> check(ref)));
        }
        assertFalse(tests.isEmpty(), "REFERENCE.json lists no DICOM file");
        return tests;
    }

    private static void check(JsonNode ref) throws IOException {
        String path = ref.get("path").asText();
        DicomFile file = DicomFile.open(Reference.data(path));
        assertEquals(ref.get("TransferSyntaxUID").asText(), file.transferSyntaxUid());
        assertEquals(ref.get("SOPInstanceUID").asText(), file.sopInstanceUid().orElseThrow());
        assertEquals(ref.get("SeriesInstanceUID").asText(), file.seriesInstanceUid().orElseThrow());
        assertEquals(ref.get("Modality").asText(), file.modality().orElseThrow());
        assertEquals(ref.get("Rows").asInt(), file.rows());
        assertEquals(ref.get("Columns").asInt(), file.columns());
        assertEquals(ref.path("NumberOfFrames").isNull() ? 1 : ref.get("NumberOfFrames").asInt(), file.frameCount());

        MedicalImage image = file.readImage();
        JsonNode raw = ref.get("raw_array");
        assertEquals(Reference.ints(raw.get("shape")), Reference.pydicomShape(image), path + " shape");
        assertEquals(raw.get("dtype").asText(), image.dataType().numpyName(), path + " dtype");
        assertEquals(raw.get("sha256_c_order").asText(), Reference.sha256(image), path + " pixel hash");

        // Scaling: the first frame's rescale (per-frame for enhanced objects), identity when absent.
        double slope = 1;
        double intercept = 0;
        if (!ref.get("RescaleSlope").isNull()) {
            slope = ref.get("RescaleSlope").asDouble();
            intercept = ref.get("RescaleIntercept").asDouble();
        } else if (ref.has("enhanced_per_frame") && !ref.get("enhanced_per_frame").get(0).get("RescaleSlope").isNull()) {
            slope = ref.get("enhanced_per_frame").get(0).get("RescaleSlope").asDouble();
            intercept = ref.get("enhanced_per_frame").get(0).get("RescaleIntercept").asDouble();
        }
        assertEquals(slope, image.rescale().slope(), 1e-12, path + " slope");
        assertEquals(intercept, image.rescale().intercept(), 1e-12, path + " intercept");
        JsonNode scaled = ref.path("scaled").path("stats");
        if (!scaled.isMissingNode()) {
            double[] v = image.toScaledArray();
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            double sum = 0;
            for (double x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
                sum += x;
            }
            assertEquals(scaled.get("min").asDouble(), min, 1e-9, path + " scaled min");
            assertEquals(scaled.get("max").asDouble(), max, 1e-9, path + " scaled max");
            assertEquals(scaled.get("mean").asDouble(), sum / v.length, 1e-9, path + " scaled mean");
        }

        // Window: first value, top level or first frame.
        JsonNode wc = ref.get("WindowCenter");
        if (wc.isNull() && ref.has("enhanced_per_frame")) {
            wc = ref.get("enhanced_per_frame").get(0).get("WindowCenter");
        }
        if (wc.isNull()) {
            assertTrue(image.window().isEmpty(), path + " window");
        } else {
            assertEquals(wc.isArray() ? wc.get(0).asDouble() : wc.asDouble(), image.window().orElseThrow().center(), 1e-9);
        }
        assertEquals(ref.get("PhotometricInterpretation").asText(),
                image.attributes().get("dicom.photometricInterpretation"));
        if (ref.get("PixelPaddingValue").isNull()) {
            assertFalse(image.attributes().containsKey("dicom.pixelPaddingValue"));
        } else {
            assertEquals(ref.get("PixelPaddingValue").asText(), image.attributes().get("dicom.pixelPaddingValue"));
        }

        // Geometry: the reference affine where it gives one, else the first two columns and the origin from the header.
        Affine a = image.affine(CoordinateSystem.LPS);
        if (ref.has("affine_lps")) {
            double[][] m = Reference.matrix(ref.get("affine_lps"));
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    assertEquals(m[r][c], a.get(r, c), 1e-6, path + " affine[" + r + "][" + c + "]");
                }
            }
        } else if (!ref.get("ImageOrientationPatient").isNull()) {
            JsonNode iop = ref.get("ImageOrientationPatient");
            JsonNode ps = ref.get("PixelSpacing");
            JsonNode ipp = ref.get("ImagePositionPatient");
            for (int r = 0; r < 3; r++) {
                assertEquals(iop.get(r).asDouble() * ps.get(1).asDouble(), a.get(r, 0), 1e-9, path + " column axis");
                assertEquals(iop.get(3 + r).asDouble() * ps.get(0).asDouble(), a.get(r, 1), 1e-9, path + " row axis");
                assertEquals(ipp.get(r).asDouble(), a.get(r, 3), 1e-9, path + " origin");
            }
        }
    }

    @TestFactory
    List<DynamicTest> perFrameGeometryOfMultiFrameObjects() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode ref : Reference.dicomFiles()) {
            if (!ref.has("enhanced_per_frame")) {
                continue;
            }
            String path = ref.get("path").asText();
            tests.add(DynamicTest.dynamicTest(path, () -> {
                DicomFile file = DicomFile.open(Reference.data(path));
                JsonNode frames = ref.get("enhanced_per_frame");
                assertEquals(frames.size(), file.frames().size());
                for (int f = 0; f < frames.size(); f++) {
                    JsonNode want = frames.get(f);
                    DicomFrame got = file.frames().get(f);
                    var pos = got.position().orElseThrow();
                    assertEquals(want.get("ImagePositionPatient").get(0).asDouble(), pos.x(), 1e-9);
                    assertEquals(want.get("ImagePositionPatient").get(1).asDouble(), pos.y(), 1e-9);
                    assertEquals(want.get("ImagePositionPatient").get(2).asDouble(), pos.z(), 1e-9);
                    double[] iop = got.orientation().orElseThrow();
                    for (int i = 0; i < 6; i++) {
                        assertEquals(want.get("ImageOrientationPatient").get(i).asDouble(), iop[i], 1e-12);
                    }
                    double[] ps = got.pixelSpacing().orElseThrow();
                    assertEquals(want.get("PixelSpacing").get(0).asDouble(), ps[0], 1e-12);
                    assertEquals(want.get("PixelSpacing").get(1).asDouble(), ps[1], 1e-12);
                    if (!want.get("RescaleSlope").isNull()) {
                        assertEquals(want.get("RescaleSlope").asDouble(), got.rescale().slope(), 1e-12);
                        assertEquals(want.get("RescaleIntercept").asDouble(), got.rescale().intercept(), 1e-12);
                    }
                    if (!want.get("WindowCenter").isNull()) {
                        assertEquals(want.get("WindowCenter").asDouble(), got.window().orElseThrow().center(), 1e-9);
                        assertEquals(want.get("WindowWidth").asDouble(), got.window().orElseThrow().width(), 1e-9);
                    }
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    @org.junit.jupiter.api.Test
    void theSixTransferSyntaxesDecodeToTheSamePixels() throws IOException {
        JsonNode claim = null;
        for (JsonNode c : Reference.json().get("cross_file_identities")) {
            if (c.get("claim").asText().startsWith("all dicom/transfer_syntax/ts")) {
                claim = c;
            }
        }
        assertTrue(claim != null && claim.get("holds").asBoolean());
        String expected = claim.get("sha256_c_order").get(0).asText();
        String[] names = {"ts1_explicit_le", "ts2_implicit_le", "ts4_rle", "ts5_jpeg_lossless_sv1", "ts7_jpegls_lossless",
            "ts9_j2k_lossless"};
        for (String n : names) {
            DicomFile f = DicomFile.open(Reference.data("dicom/transfer_syntax/" + n + ".dcm"));
            assertEquals(expected, Reference.sha256(f.readImage()), n);
        }
    }

    @TestFactory
    List<DynamicTest> siemensMosaicsUnfoldAsNibabelDoes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode ref : Reference.dicomFiles()) {
            if (!ref.has("siemens_mosaic")) {
                continue;
            }
            String path = ref.get("path").asText();
            JsonNode mosaic = ref.get("siemens_mosaic");
            tests.add(DynamicTest.dynamicTest(path, () -> {
                DicomFile f = DicomFile.open(Reference.data(path));
                assertEquals(mosaic.get("NumberOfImagesInMosaic_CSA").asInt(), f.mosaicSliceCount().orElseThrow());
                MedicalImage v = f.readMosaicVolume();
                JsonNode shape = mosaic.get("unmosaiced_shape_rows_cols_slices");
                assertEquals(List.of(shape.get(1).asInt(), shape.get(0).asInt(), shape.get(2).asInt()),
                        List.of(v.dim(0), v.dim(1), v.dim(2)));
                // nibabel's array is (rows, cols, slices) in C order: slices fastest.
                java.nio.ByteBuffer rcs = java.nio.ByteBuffer.allocate((int) v.valueCount() * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                java.nio.ByteBuffer src = v.data();
                for (int r = 0; r < v.dim(1); r++) {
                    for (int c = 0; c < v.dim(0); c++) {
                        for (int s = 0; s < v.dim(2); s++) {
                            rcs.putShort(src.getShort((int) v.index(c, r, s, 0) * 2));
                        }
                    }
                }
                rcs.flip();
                assertEquals(mosaic.get("unmosaiced_sha256_c_order").asText(), Reference.sha256(rcs));
                // nibabel's affine maps (row, col, slice); ours (col, row, slice): columns 0 and 1 swap.
                double[][] m = Reference.matrix(mosaic.get("nibabel_affine_lps_rowcolslice"));
                Affine a = v.affine(CoordinateSystem.LPS);
                int[] ours = {1, 0, 2, 3};
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        assertEquals(m[r][c], a.get(r, ours[c]), 1e-6, path + " mosaic affine[" + r + "][" + c + "]");
                    }
                }
            }));
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    @org.junit.jupiter.api.Test
    void theMosaicVolumeMatchesDcm2niixVoxelForVoxelAndInSpace() throws IOException {
        // dcm2niix's conversion of ts1: x = column, y = row flipped, z = slice, with its own sform (RAS).
        MedicalImage nii = dev.medsam.io.nifti.NiftiReader.read(Reference.data("dicom/transfer_syntax/dcm2niix_ref/1.nii"));
        MedicalImage ours = DicomFile.open(Reference.data("dicom/transfer_syntax/ts1_explicit_le.dcm")).readMosaicVolume();
        assertEquals(List.of(ours.dim(0), ours.dim(1), ours.dim(2)), List.of(nii.dim(0), nii.dim(1), nii.dim(2)));
        int ny = ours.dim(1);
        Affine a = ours.affine(CoordinateSystem.RAS);
        Affine b = nii.affine(CoordinateSystem.RAS);
        double worst = 0;
        for (int k = 0; k < ours.dim(2); k += 5) {
            for (int j = 0; j < ny; j += 7) {
                for (int i = 0; i < ours.dim(0); i += 3) {
                    assertEquals(nii.get(nii.index(i, j, k, 0)), ours.get(ours.index(i, ny - 1 - j, k, 0)), 0,
                            "voxel " + i + "," + j + "," + k);
                    var p = a.apply(new dev.medsam.core.image.VoxelIndex(i, ny - 1 - j, k));
                    var q = b.apply(new dev.medsam.core.image.VoxelIndex(i, j, k));
                    worst = Math.max(worst, Math.max(Math.abs(p.x() - q.x()), Math.max(Math.abs(p.y() - q.y()),
                            Math.abs(p.z() - q.z()))));
                }
            }
        }
        // dcm2niix stores its affine in float32: agreement to a hundredth of a millimetre is all it can give.
        assertTrue(worst < 0.01, "voxel centres differ by up to " + worst + " mm");
    }

    @org.junit.jupiter.api.Test
    void nonMosaicsSaySo() throws IOException {
        DicomFile f = DicomFile.open(Reference.data("dicom/single/pydicom_CT_small.dcm"));
        assertTrue(f.mosaicSliceCount().isEmpty());
        IOException e = assertThrows(IOException.class, f::readMosaicVolume);
        assertTrue(e.getMessage().contains("not a Siemens mosaic"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aFileWithoutPixelDataSaysSo() throws IOException {
        Path jpeg = Reference.data("image2d/hrf_01_h.jpg");
        assertThrows(IOException.class, () -> DicomFile.open(jpeg));
    }
}
