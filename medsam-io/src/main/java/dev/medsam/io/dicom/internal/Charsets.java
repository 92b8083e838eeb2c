package dev.medsam.io.dicom.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Maps Specific Character Set (0008,0005) defined terms to Java charsets. */
final class Charsets {

    private static final System.Logger LOG = System.getLogger(Charsets.class.getName());

    private Charsets() {
    }

    /**
     * The charset for text values. The default repertoire is ASCII; it is read as ISO-8859-1 so that stray 8-bit
     * bytes survive rather than turn into replacement characters. For ISO 2022 code extensions (several values)
     * the first non-default term is used: switching repertoires inside one value is not supported.
     */
    static Charset of(List<String> terms, String source) {
        for (String raw : terms) {
            String key = raw.trim().toUpperCase(Locale.ROOT).replace("ISO 2022 IR ", "IR").replace("ISO_IR ", "IR")
                    .replace(" ", "");
            if (key.isEmpty() || key.equals("IR6")) {
                continue;
            }
            String name = switch (key) {
                case "IR100" -> "ISO-8859-1";
                case "IR101" -> "ISO-8859-2";
                case "IR109" -> "ISO-8859-3";
                case "IR110" -> "ISO-8859-4";
                case "IR144" -> "ISO-8859-5";
                case "IR127" -> "ISO-8859-6";
                case "IR126" -> "ISO-8859-7";
                case "IR138" -> "ISO-8859-8";
                case "IR148" -> "ISO-8859-9";
                case "IR203" -> "ISO-8859-15";
                case "IR13" -> "Shift_JIS";
                case "IR166" -> "TIS-620";
                case "IR192" -> "UTF-8";
                case "IR87" -> "ISO-2022-JP";
                case "IR149" -> "EUC-KR";
                case "IR58" -> "GB2312";
                case "GB18030" -> "GB18030";
                case "GBK" -> "GBK";
                default -> null;
            };
            if (name == null || !Charset.isSupported(name)) {
                LOG.log(System.Logger.Level.WARNING, "{0}: Specific Character Set {1} is not supported; text is read as ISO-8859-1",
                        source, raw);
                return StandardCharsets.ISO_8859_1;
            }
            return Charset.forName(name);
        }
        return StandardCharsets.ISO_8859_1;
    }
}
