package dev.medsam.examples.programs;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.LabelBurden;
import dev.medsam.core.metrics.TumourBurden;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.examples.DemoData;
import dev.medsam.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentVolumeTest {

    @TempDir
    Path dir;

    /** A 3-slice NIfTI volume made of the bundled slice three times (so the test needs no shared data). */
    @Test
    void segmentsAVolumeAndReportsTheBurdenOfWhatItWrote() throws IOException {
        MedicalImage slice = MedicalImages.read(DemoData.ctSlice()).image();
        ByteBuffer src = slice.data();
        ByteBuffer data = ByteBuffer.allocate(3 * src.remaining());
        for (int z = 0; z < 3; z++) {
            data.put(src.duplicate());
        }
        data.flip();
        MedicalImage volume = MedicalImage.builder(DataType.INT16, 512, 512, 3).affine(slice.affine(CoordinateSystem.LPS))
                .rescale(slice.rescale()).modality("CT").data(data).build();
        Path input = dir.resolve("ct.nii.gz");
        MedicalImages.write(volume, input);

        Path out = dir.resolve("lesion.nii.gz");
        TumourBurden burden = SegmentVolume.segment(DemoData.tinyCheckpoint(), input,
                VolumePrompt.ofBox3d(81, 147, 0, 348, 364, 2),
                PropagationOptions.builder().preset(IntensityPreset.ctWindow("soft-tissue")).build(), out);
        MedicalImage labels = MedicalImages.read(out).image();
        assertArrayEquals(new int[] {512, 512, 3}, labels.dims());
        assertTrue(labels.affine(CoordinateSystem.LPS).approximatelyEquals(slice.affine(CoordinateSystem.LPS), 1e-4));
        long ones = 0;
        for (long i = 0; i < labels.voxelCount(); i++) {
            double v = labels.get(i);
            assertTrue(v == 0 || v == 1, "label " + v);
            ones += (long) v;
        }
        LabelBurden b = burden.label(1).orElseThrow(() -> new AssertionError("empty: " + burden));
        assertEquals(ones, b.voxels());
        double voxelMl = 0.810547 * 0.810547 * 1.25 / 1000;
        assertEquals(ones * voxelMl, b.volumeMl(), 1e-6 * b.volumeMl());
        String report = SegmentVolume.report(burden);
        assertTrue(report.startsWith("lesion: " + ones + " voxels, "), report);
    }

    /** The real 3-slice CT series (DICOM folder) from the shared data. */
    @Test
    void segmentsTheDicomSeriesOnItsGrid() throws IOException {
        Path series = Fixtures.require("data/dicom/series_ct_3slice");
        Path out = dir.resolve("liver.nii.gz");
        TumourBurden burden = SegmentVolume.segment(DemoData.tinyCheckpoint(), series,
                VolumePrompt.ofBox3d(79, 145, 0, 350, 366, 2), PropagationOptions.defaults(), out);
        MedicalImage source = MedicalImages.read(series).image();
        MedicalImage labels = MedicalImages.read(out).image();
        assertArrayEquals(source.dims(), labels.dims());
        assertTrue(labels.affine(CoordinateSystem.LPS).approximatelyEquals(source.affine(CoordinateSystem.LPS), 1e-4));
        assertEquals(1.0, burden.spacingMm()[2], 1e-6, "the step between slices, not SliceThickness");
        assertTrue(SegmentVolume.report(burden).startsWith("lesion: "));
    }
}
