package dev.medsam.examples.cli;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The image {@code medsam segment} works on: a 2D image, or one slice ({@code --slice} along {@code --axis}) of a
 * volume at {@code --time}. Shapes that are not images and slices out of range are refused naming the file.
 *
 * @param source the 2D image or the whole 3D volume at the time point (its intensity statistics are the volume's)
 * @param plane  the 2D plane the prompts and masks refer to, with its geometry
 * @param slice  the slice index along the axis (0 for a 2D image)
 */
record SliceInput(MedicalImage source, MedicalImage plane, int slice) {

    /**
     * Picks the plane of {@code loaded} (read from {@code file}).
     *
     * @param slice the --slice value (0 or more, checked by the caller), or null when not given
     */
    static SliceInput choose(CommandLine cl, Path file, LoadedImage loaded, Integer slice, int axis, int time) {
        MedicalImage source = volume(cl, file, loaded, slice, axis, time);
        requireFinite(file, source);
        int k = slice == null ? 0 : slice;
        return new SliceInput(source, source.rank() <= 2 ? source : source.plane(axis, k, 0), k);
    }

    /** The 2D image or the 3D volume (at --time) to take the slice from. */
    private static MedicalImage volume(CommandLine cl, Path file, LoadedImage loaded, Integer slice, int axis,
                                       int time) {
        MedicalImage img = loaded.image();
        int[] dims = img.dims();
        for (int a = 4; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new IllegalArgumentException(file + ": has dims " + Arrays.toString(dims)
                        + "; medsam segment takes 2D images, 3D volumes and 4D series");
            }
        }
        if (time >= img.dim(3)) {
            throw new CommandLine.ParameterException(cl, "--time " + time + " is outside 0.." + (img.dim(3) - 1)
                    + " for " + file);
        }
        if (loaded.format() == ImageFormat.NPY && img.rank() == 3 && img.dim(0) != 3 && img.dim(0) <= 4
                && slice == null) {
            // (H, W, C) with C = 1, 2 or 4 (an RGB array is read as an RGB image already)
            throw new IllegalArgumentException(file + ": an NPY array of shape (" + img.dim(2) + ", " + img.dim(1)
                    + ", " + img.dim(0) + ") has " + img.dim(0) + " channel(s); medsam segment takes (H, W) grey or "
                    + "(H, W, 3) RGB arrays (give --slice to read it as a volume of " + img.dim(2) + " slices)");
        }
        if (img.components() != 1 && img.components() != 3) {
            throw new IllegalArgumentException(file + ": has " + img.components() + " channels per pixel; "
                    + "medsam segment takes grey (1) or RGB (3) images");
        }
        MedicalImage volume = img.volume(time);
        int slices = volume.dim(axis);
        boolean isVolume = volume.rank() >= 3 && volume.dim(2) > 1;
        if (!isVolume) {
            if (slice != null && (axis != 2 || slice != 0)) {
                throw new CommandLine.ParameterException(cl, "--slice " + slice + " --axis " + axis + ": " + file
                        + " is a 2D image (" + volume.width() + "x" + volume.height() + "); leave out --slice");
            }
            return volume.rank() <= 2 ? volume : volume.plane(2, 0, 0);
        }
        if (slice == null) {
            throw new CommandLine.ParameterException(cl, file + " is a volume of dims "
                    + Arrays.toString(volume.dims()) + "; choose a slice with --slice K (0.." + (slices - 1)
                    + " along --axis " + axis + ")");
        }
        if (slice >= slices) {
            throw new CommandLine.ParameterException(cl, "--slice " + slice + " is outside 0.." + (slices - 1)
                    + " along axis " + axis + " of " + file + " (dims " + Arrays.toString(volume.dims()) + ")");
        }
        return volume;
    }

    /** Rejects NaN and infinite values, naming the first one's position. */
    static void requireFinite(Path file, MedicalImage img) {
        if (!img.dataType().isFloatingPoint()) {
            return;
        }
        long n = img.valueCount();
        int c = img.components();
        for (long i = 0; i < n; i++) {
            double v = img.get(i);
            if (!Double.isFinite(v)) {
                long voxel = i / c;
                long x = voxel % img.dim(0);
                long y = voxel / img.dim(0) % img.dim(1);
                long z = voxel / ((long) img.dim(0) * img.dim(1));
                String where = "(x " + x + ", y " + y + (img.rank() > 2 ? ", z " + z : "")
                        + (c > 1 ? ", channel " + (i % c) : "") + ")";
                throw new IllegalArgumentException(file + ": the value at " + where + " is " + v
                        + "; images must hold finite numbers");
            }
        }
    }
}
