package dev.medsam.io.internal;

import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.Inspection;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.dicom.DicomFile;
import dev.medsam.io.dicom.DicomSeries;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DICOM behind {@code MedicalImages.read} and {@code MedicalImages.inspect}: a file is read with {@link DicomFile},
 * a folder as its DICOM series with {@link DicomSeries}. Damaged content becomes a {@link MalformedImageException},
 * as for the other formats.
 */
public final class DicomDispatch {

    private DicomDispatch() {
    }

    /** A file's image, or a folder's one image series as a volume. */
    public static LoadedImage read(Path fileOrFolder) throws IOException {
        try {
            if (Files.isDirectory(fileOrFolder)) {
                DicomSeries series = DicomSeries.open(fileOrFolder);
                return new LoadedImage(ImageFormat.DICOM, series.readVolume(), series.warnings());
            }
            DicomFile file = DicomFile.open(fileOrFolder);
            return new LoadedImage(ImageFormat.DICOM, file.readImage(), file.warnings());
        } catch (NoSuchFileException | AccessDeniedException | MalformedImageException e) {
            throw e;
        } catch (IOException e) {
            throw malformed(fileOrFolder, e);
        }
    }

    /**
     * A file as one entry (dims (rows, cols), (frames, rows, cols), colour samples last), or a folder with one entry
     * per series (dims (slices, rows, cols)), named by Series Instance UID when there are several.
     */
    public static Inspection inspect(Path fileOrFolder) throws IOException {
        try {
            List<Inspection.Entry> entries = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            if (Files.isDirectory(fileOrFolder)) {
                List<DicomSeries> all = DicomSeries.scan(fileOrFolder);
                if (all.isEmpty()) {
                    throw new MalformedImageException(fileOrFolder, "holds no DICOM files with pixel data");
                }
                for (DicomSeries s : all) {
                    entries.add(Inspection.Entry.ofImage(all.size() == 1 ? "" : s.seriesInstanceUid(), s.readVolume(),
                            Inspection.DimsConvention.ROW_MAJOR, CoordinateSystem.LPS));
                    for (String w : s.warnings()) {
                        if (!warnings.contains(w)) {
                            warnings.add(w);
                        }
                    }
                }
            } else {
                DicomFile file = DicomFile.open(fileOrFolder);
                entries.add(Inspection.Entry.ofImage("", file.readImage(), Inspection.DimsConvention.ROW_MAJOR,
                        CoordinateSystem.LPS));
                warnings.addAll(file.warnings());
            }
            return Inspection.of(fileOrFolder, ImageFormat.DICOM, entries, warnings);
        } catch (NoSuchFileException | AccessDeniedException | MalformedImageException e) {
            throw e;
        } catch (IOException e) {
            throw malformed(fileOrFolder, e);
        }
    }

    private static MalformedImageException malformed(Path path, IOException e) {
        String m = String.valueOf(e.getMessage());
        String prefix = path + ": ";
        return new MalformedImageException(path, m.startsWith(prefix) ? m.substring(prefix.length()) : m, e);
    }
}
