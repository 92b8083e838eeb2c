package dev.medsam.examples.programs;

import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.metrics.TumourBurden;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.CancellationToken;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A lesion (or organ) in a CT/MR volume from one 3D box: MedSAM slice by slice from the box's middle slice outwards,
 * the label volume written on the source's grid, and a volume report (voxels, millilitres, extent in mm,
 * connected components).
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.SegmentVolume CHECKPOINT VOLUME X0,Y0,Z0,X1,Y1,Z1 OUT.nii.gz [PRESET]
 * </pre>
 * VOLUME is a NIfTI file, a DICOM series folder, a MedSAM npz, ...; the box is in voxel indices (x columns, y rows,
 * z slices; z1 inclusive). PRESET (soft-tissue, lung, 40,400, percentile, ...) defaults to the volume's own: the
 * soft-tissue window for a CT DICOM series, percentile clipping for a NIfTI file (NIfTI does not record the
 * modality, so give a CT window for CT).
 */
public final class SegmentVolume {

    private SegmentVolume() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: SegmentVolume CHECKPOINT VOLUME X0,Y0,Z0,X1,Y1,Z1 OUT.nii.gz [PRESET]");
            System.exit(2);
        }
        double[] box = Arrays.stream(args[2].split(",")).mapToDouble(s -> Double.parseDouble(s.trim())).toArray();
        PropagationOptions options = args.length == 5
                ? PropagationOptions.builder().preset(IntensityPreset.parse(args[4])).build()
                : PropagationOptions.defaults();                        // the volume's default preset
        TumourBurden burden = segment(Path.of(args[0]), Path.of(args[1]), VolumePrompt.ofBox3d(box), options,
                Path.of(args[3]));
        System.out.println(report(burden));
    }

    /** Segments one object and writes its labels (0/1) to {@code out}; returns its burden. */
    static TumourBurden segment(Path checkpoint, Path volumeFile, VolumePrompt lesion, PropagationOptions options,
                                Path out) throws IOException {
        MedicalImage volume = MedicalImages.read(volumeFile).image();        // NIfTI, DICOM series folder, MedSAM npz
        try (SegmentationSession session = SegmentationSession.builder(checkpoint).build()) {
            VolumeSegmentation result = VolumeSegmenter.of(session).segment(volume, List.of(lesion),
                    options,                                                  // preset, slicing axis, margin
                    p -> System.err.printf("slice %d of %d%n", p.slicesDone(), p.slicesTotal()),
                    new CancellationToken());
            MedicalImages.write(result.labels(), out);                        // same grid and affine as the volume
            return TumourBurden.of(result.labelVolume());                     // voxels, mL, extent in mm, components
        }
    }

    /** The burden of label 1 as text. */
    static String report(TumourBurden burden) {
        return burden.label(1).map(b -> String.format(Locale.ROOT,
                "lesion: %d voxels, %.2f mL, extent %.1f x %.1f x %.1f mm, %d connected component(s), voxel box %s",
                b.voxels(), b.volumeMl(), b.extentMm()[0], b.extentMm()[1], b.extentMm()[2], b.components(),
                Arrays.toString(b.bboxVoxels())))
                .orElse("lesion: empty (no voxel segmented)");
    }
}
