package dev.medsam.io.dicom.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Value representations for implicit-VR files. Only tags whose VR changes how the value is read are listed:
 * sequences (so defined-length sequences are parsed as items) and binary numbers (so they are not read as text).
 * Text VRs need no entry: an unknown tag's bytes are still readable as text. Undefined-length elements are
 * sequences whatever the dictionary says.
 */
final class Dictionary {

    private static final Map<Integer, String> VR = new HashMap<>();

    static {
        String[] sq = {
            "00081115", "0008114A", "00082112", "00089124", "00081140", "00081111", "00081120", "00081032",
            "00081250", "00089215", "0040A170", "00400275", "00400260", "00321064", "00081084", "00400008",
            "00209111", "00209113", "00209116", "00209221", "00209222", "00209071", "00209310", "00209172",
            "00289110", "00289132", "00289145", "00283010", "00283000", "00289108", "00180012", "00181118",
            "00620002", "00620003", "0062000A", "0062000F", "00620009", "00880200", "52009229", "52009230",
            "00189114", "00189115", "00189117", "00189119", "00189125", "00189226", "00189239", "00189042",
            "00189006", "00189112", "00189118", "00189152", "00189301", "00189321", "00189325", "00189326",
            "00189346", "00189360", "00209253", "00089121", "00089123", "00220017", "00220019", "00220021",
            "00540016", "00540220", "00540300", "00540410", "00540412", "00540414", "00080082", "00081049",
            "00081052", "00081062", "00081072", "00320064", "00400270", "00400281", "00400321", "0040A730",
            "0040A043", "0040A168", "0040A195", "0040A504", "00081199", "0008113A", "00081145", "0008114C",
            "00700001", "00700008", "00700009", "00700060", "00700209", "00700234", "00700287", "300A0010",
            "300E0018", "30060010", "30060012", "30060014", "30060016", "30060020", "30060039", "30060040",
            "30060080", "300C0002", "00081100", "00081110", "00089092", "00089154"};
        for (String t : sq) {
            VR.put((int) Long.parseLong(t, 16), "SQ");
        }
        us(0x00280002, 0x00280006, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103,
                0x00280106, 0x00280107, 0x00280108, 0x00280109, 0x00280120, 0x00280121, 0x00620004, 0x0062000B,
                0x0062000E, 0x00281101, 0x00281102, 0x00281103, 0x00189219);
        VR.put(0x00209157, "UL");
        VR.put(0x00020000, "UL");
        VR.put(0x00020001, "OB");
        VR.put(0x7FE00001, "OV");
        VR.put(0x7FE00002, "OV");
        VR.put(0x7FE00008, "OF");
        VR.put(0x7FE00009, "OD");
        VR.put(0x7FE00010, "OW");
        VR.put(0x00189089, "FD");
        VR.put(0x00189087, "FD");
        VR.put(0x00209156, "US");
    }

    private Dictionary() {
    }

    private static void us(int... tags) {
        for (int t : tags) {
            VR.put(t, "US");
        }
    }

    /** The VR of {@code tag} in an implicit-VR file: from the table, UL for group lengths, LO for private creators. */
    static String vr(int tag) {
        String vr = VR.get(tag);
        if (vr != null) {
            return vr;
        }
        int group = tag >>> 16;
        int element = tag & 0xFFFF;
        if (element == 0) {
            return "UL";
        }
        if ((group & 1) == 1 && element >= 0x0010 && element <= 0x00FF) {
            return "LO";
        }
        return "UN";
    }
}
