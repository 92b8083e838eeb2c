package dev.medsam.examples;

import dev.medsam.core.checkpoint.SamCheckpoint;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.dicom.DicomSegmentation;
import dev.medsam.io.dicom.DicomSeries;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DemoDataTest {

    @Test
    void theBundledSliceIsTheCtItClaimsToBe() throws IOException {
        LoadedImage loaded = MedicalImages.read(DemoData.ctSlice());
        assertEquals(ImageFormat.DICOM, loaded.format());
        MedicalImage ct = loaded.image();
        assertArrayEquals(new int[] {512, 512}, ct.dims());
        assertEquals(DataType.INT16, ct.dataType());
        assertEquals("CT", ct.modality().orElse(""));
        assertEquals(0.810547, ct.spacing()[0], 1e-6);
        assertEquals(-1024.0, ct.rescale().intercept(), 0.0);
        assertEquals(DemoData.ctSlice(), DemoData.ctSlice(), "extracted once per process");
    }

    @Test
    void theBundledTinyCheckpointLoads() throws IOException {
        SamCheckpoint c = SamCheckpoint.load(DemoData.tinyCheckpoint());
        assertEquals(96, c.architecture().embedDim());
        assertEquals(4, c.architecture().depth());
    }

    @Test
    void theBundledSliceIsByteForByteTheSharedOne() throws IOException {
        Path shared = Fixtures.require("data/dicom/series_ct_3slice/01.dcm");
        assertArrayEquals(Files.readAllBytes(shared), Files.readAllBytes(DemoData.ctSlice()));
        assertArrayEquals(Files.readAllBytes(Fixtures.samParity("weights/tiny_sam.pth")),
                Files.readAllBytes(DemoData.tinyCheckpoint()));
    }

    /** The hard-coded liver box is the liver SEG's extent on this slice, as its javadoc says. */
    @Test
    void theLiverBoxIsTheSegmentationsExtentOnThisSlice() throws IOException {
        DicomSeries series = DicomSeries.open(Fixtures.require("data/dicom/series_ct_3slice"));
        DicomSegmentation seg = DicomSegmentation.open(Fixtures.require("data/dicom/series_ct_3slice_seg/liver_seg.dcm"));
        MedicalImage labels = seg.labelVolume(series);
        int z = -1;
        for (int i = 0; i < series.size(); i++) {
            if (series.files().get(i).path().getFileName().toString().equals("01.dcm")) {
                z = i;
            }
        }
        assertEquals(2, z);
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = -1, y1 = -1;
        long n = 0;
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                if (labels.get(labels.index(x, y, z, 0)) != 0) {
                    n++;
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        assertEquals(35_220, n);
        assertArrayEquals(new double[] {x0, y0, x1, y1}, DemoData.LIVER_BOX.toArray());
    }
}
