package dev.medsam.server.internal;

import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.io.dicom.DicomSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cases of {@link DicomSegAnswers} that need no model: sources a SEG cannot reference, and empty results. */
class DicomSegAnswersTest {

    @TempDir
    Path root;
    @TempDir
    Path work;

    @Test
    void anEmptyLabelMapIsA422NotAFileWithoutFrames() throws Exception {
        Files.copy(Fixtures.require("data/dicom/single/pydicom_CT_small.dcm"), root.resolve("ct.dcm"));
        ImageRoot images = new ImageRoot(root, 1 << 24);
        DicomSegAnswers seg = new DicomSegAnswers(images, "MedSAM", "test");
        ImageRoot.LoadedVolume v = images.load("ct.dcm");
        DicomSeries source = seg.source(v);
        MedicalImage plane = v.image();
        MedicalImage empty = MedicalImage.builder(DataType.UINT8, plane.width(), plane.height())
                .affine(plane.affine(dev.medsam.core.image.CoordinateSystem.LPS)).data(ByteBuffer.allocate(plane.width() * plane.height())).build();
        Path out = work.resolve("empty.dcm");
        HttpError e = assertThrows(HttpError.class, () -> seg.writeSlice(out, source, 0, empty, List.of(), "ct.dcm"));
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains("ct.dcm"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMultiFrameSourceIsA422NamingTheFile() throws Exception {
        Files.copy(Fixtures.require("data/dicom/enhanced/balls1_T1_enhanced_mr.dcm"), root.resolve("mr.dcm"));
        ImageRoot images = new ImageRoot(root, 1 << 26);
        DicomSegAnswers seg = new DicomSegAnswers(images, "MedSAM", "test");
        HttpError e = assertThrows(HttpError.class, () -> seg.source(images.load("mr.dcm")));
        assertEquals(422, e.status());
        assertTrue(e.getMessage().contains("multi-frame") && e.getMessage().contains("mr.dcm"), e.getMessage());
        assertFalse(e.getMessage().contains(root.toString()), "no absolute path of the served folder: " + e.getMessage());
    }
}
