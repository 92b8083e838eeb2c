package dev.medsam.examples.programs;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Segmentation;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.examples.DemoData;
import dev.medsam.io.image2d.Overlay;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentImageTest {

    @TempDir
    Path dir;

    @Test
    void aDicomSliceAndThePngOfItsWindowGiveTheSameMaskAndFiles() throws IOException {
        MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
        Path png = dir.resolve("slice.png");
        MedicalImages.write(IntensityPreset.ctWindow("soft-tissue").apply(ct), png);

        Segmentation fromDicom = SegmentImage.segment(DemoData.tinyCheckpoint(), DemoData.ctSlice(), DemoData.LIVER_BOX,
                dir.resolve("dicom"));
        Segmentation fromPng = SegmentImage.segment(DemoData.tinyCheckpoint(), png, DemoData.LIVER_BOX, dir.resolve("png"));
        // the DICOM gets the soft-tissue window by default, the PNG is used as is: same 8-bit input, same mask
        assertEquals(fromDicom.binary(), fromPng.binary());

        BinaryMask mask = fromDicom.binary();
        MedicalImage viewable = MedicalImages.read(dir.resolve("dicom/mask.png")).image();
        MedicalImage labels = MedicalImages.read(dir.resolve("dicom/mask.nii.gz")).image();
        MedicalImage overlay = MedicalImages.read(dir.resolve("dicom/overlay.png")).image();
        long ones = 0;
        for (int i = 0; i < 512 * 512; i++) {
            int bit = mask.get(i % 512, i / 512) ? 1 : 0;
            assertEquals(255.0 * bit, viewable.get(i));
            assertEquals(bit, labels.get(i));
            ones += bit;
        }
        assertEquals(mask.count(), ones);
        assertTrue(labels.affine(CoordinateSystem.LPS).approximatelyEquals(ct.affine(CoordinateSystem.LPS), 1e-4));
        assertEquals(Overlay.builder(IntensityPreset.ctWindow("soft-tissue").apply(ct))
                .mask(mask, Overlay.YELLOW, Overlay.GREEN).box(DemoData.LIVER_BOX).toImage().data(), overlay.data());
        // the PNG's mask has no geometry to keep but its pixels
        assertEquals(mask.count(), (long) sum(MedicalImages.read(dir.resolve("png/mask.nii.gz")).image()));
    }

    @Test
    void boxTextIsCheckedWithTheTextInTheMessage() {
        assertEquals(DemoData.LIVER_BOX, Boxes.parse("81, 147,348,364"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Boxes.parse("1,2,3"));
        assertTrue(e.getMessage().contains("'1,2,3'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Boxes.parse("1,2,x,4"));
        assertTrue(e.getMessage().contains("'x' is not a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Boxes.parse("5,5,1,9"));
        assertTrue(e.getMessage().startsWith("box '5,5,1,9': "), e.getMessage());
    }

    private static double sum(MedicalImage image) {
        double s = 0;
        for (long i = 0; i < image.voxelCount(); i++) {
            s += image.get(i);
        }
        return s;
    }
}
