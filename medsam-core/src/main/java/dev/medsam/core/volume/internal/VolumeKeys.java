package dev.medsam.core.volume.internal;

import dev.medsam.core.image.MedicalImage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** Cache keys for slice planes: one SHA-256 of the 8-bit volume, then axis and index per slice. */
public final class VolumeKeys {

    private VolumeKeys() {
    }

    /** A digest of the volume's layout and values (hashing once is far cheaper than one encoder run). */
    public static String volumeKey(MedicalImage volume) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        String layout = volume.dataType() + "|" + Arrays.toString(volume.dims()) + "|" + volume.components();
        sha.update(layout.getBytes(StandardCharsets.UTF_8));
        sha.update(volume.data());
        return "volume:sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    public static String sliceKey(String volumeKey, int axis, int index) {
        return volumeKey + "|axis " + axis + "|slice " + index;
    }
}
