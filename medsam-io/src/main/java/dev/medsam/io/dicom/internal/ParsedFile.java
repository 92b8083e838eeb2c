package dev.medsam.io.dicom.internal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A parsed DICOM header.
 *
 * @param path           the file
 * @param size           its size in bytes
 * @param meta           the file meta group (empty if the file had none)
 * @param dataset        the data set up to (not including) the pixel data
 * @param transferSyntax how the data set and pixel data are encoded
 * @param datasetStart   byte offset in the file where the data set (or its deflate stream) begins
 * @param pixelInfo      where the pixel data is, or null if there is none
 */
public record ParsedFile(Path path, long size, Attributes meta, Attributes dataset, TransferSyntax transferSyntax,
                         long datasetStart, PixelDataInfo pixelInfo) {

    public Optional<PixelDataInfo> pixelData() {
        return Optional.ofNullable(pixelInfo);
    }
}
